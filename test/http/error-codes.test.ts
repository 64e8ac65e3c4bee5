import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HTTP_ERROR_STATUS, type HttpErrorCode } from '../../src/http/error-codes.ts'
import { HttpError } from '../../src/http/http-error.ts'

const DOC = readFileSync(join(import.meta.dir, '..', '..', 'docs', 'http-api.md'), 'utf8')

// The error table of docs/http-api.md: `| status | codes | meaning |`.
function documented(): Map<string, number> {
  const out = new Map<string, number>()
  for (const m of DOC.matchAll(/^\| (\d{3}) \| ((?:`[a-z_]+`(?:, )?)+)(?: \(\+ `field`\))? \|/gm)) {
    for (const code of m[2]!.matchAll(/`([a-z_]+)`/g)) out.set(code[1]!, Number(m[1]))
  }
  return out
}

test('every code is documented in docs/http-api.md with the status it is sent with, and nothing else is', () => {
  expect(Object.fromEntries(documented())).toEqual({ ...HTTP_ERROR_STATUS })
})

test('an HttpError carries its code\'s status and the documented body', () => {
  for (const code of Object.keys(HTTP_ERROR_STATUS) as HttpErrorCode[]) {
    const e = new HttpError(code, 'why', { field: 'name' })
    expect(e.status).toBe(HTTP_ERROR_STATUS[code])
    expect(e.body()).toEqual({ error: { code, message: 'why', field: 'name' } })
  }
})
