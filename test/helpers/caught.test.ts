import { expect, test } from 'bun:test'
import { caught } from './caught.ts'

test('caught returns what is thrown or rejected, and fails when nothing is', async () => {
  const boom = new Error('boom')
  expect(caught((): void => {
    throw boom
  })).toBe(boom)
  expect(await caught(async () => { throw boom })).toBe(boom)
  expect(() => caught(() => 1)).toThrow('expected an error, but nothing was thrown')
  await expect(caught(async () => 1)).rejects.toThrow('expected an error, but the promise resolved')
})
