/**
 * The error `fn` throws (or its promise rejects with). Fails the test when
 * nothing is thrown, so a refusal test can never pass on code that accepts.
 */
export function caught(fn: () => Promise<unknown>): Promise<unknown>
export function caught(fn: () => unknown): unknown
export function caught(fn: () => unknown): unknown {
  let result: unknown
  try {
    result = fn()
  } catch (error) {
    return error
  }
  if (result instanceof Promise) {
    return result.then(
      () => {
        throw new Error('expected an error, but the promise resolved')
      },
      (error: unknown) => error,
    )
  }
  throw new Error('expected an error, but nothing was thrown')
}
