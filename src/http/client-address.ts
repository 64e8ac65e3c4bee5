import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'

/**
 * The throttling key of the peer: its IPv4 address, or the /64 prefix of an
 * IPv6 address (one host usually holds a whole /64, so counting single IPv6
 * addresses would let it rotate through them). `unknown` when the server
 * adapter gave no address (all such requests share one bucket).
 *
 * `X-Forwarded-For` is deliberately ignored: any client can send it.
 */
export function clientAddressKey(c: Context<AppEnv>): string {
  const address = c.env?.remoteAddress
  if (!address) return 'unknown'
  return addressKey(address)
}

/** {@link clientAddressKey} for a literal address. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mapped) return mapped[1]!
  if (!address.includes(':')) return address
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : []
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
