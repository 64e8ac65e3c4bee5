import { describe, expect, test } from 'bun:test'
import { addressKey } from '../../src/http/client-address.ts'

describe('addressKey', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['192.0.2.33', '192.0.2.33'],
    ['::ffff:192.0.2.33', '192.0.2.33'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ]
  for (const [address, key] of cases) test(`${address} -> ${key}`, () => expect(addressKey(address)).toBe(key))
})
