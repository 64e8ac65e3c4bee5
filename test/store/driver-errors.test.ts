import { expect, test } from 'bun:test'
import { storeFault } from '../../src/store/driver-errors.ts'

test.each([
  ['SQLITE_FULL', 'store_full'],
  ['SQLITE_IOERR_SHMSIZE', 'store_full'],
  ['ENOSPC', 'store_full'],
  ['53100', 'store_full'],
  ['SQLITE_BUSY', 'store_busy'],
  ['SQLITE_READONLY', 'store_readonly'],
  ['SQLITE_IOERR_READ', undefined],
  ['SQLITE_IOERR', undefined],
  ['SQLITE_CORRUPT', undefined],
])('a driver error %p is %p (the same for the CLI and HTTP, which both ask storeFault)', (code, fault) => {
  expect(storeFault(Object.assign(new Error('x'), { code }))?.code).toBe(fault as never)
})
