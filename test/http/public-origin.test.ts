import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../../src/errors.ts'
import { publicOriginSettings } from '../../src/http/public-origin.ts'
import { caught } from '../helpers/caught.ts'

describe('PUBLIC_ORIGIN', () => {
  test('unset or empty: no extra origin, Secure only over HTTPS', () => {
    expect(publicOriginSettings(undefined)).toEqual({ trustedOrigins: [], secureCookies: false })
    expect(publicOriginSettings(' ')).toEqual({ trustedOrigins: [], secureCookies: false })
  })

  test('an https origin is trusted and makes cookies Secure; a trailing slash is tolerated', () => {
    expect(publicOriginSettings('https://secrets.example.org/')).toEqual({ trustedOrigins: ['https://secrets.example.org'], secureCookies: true })
  })

  test('several, comma-separated; http alone does not make cookies Secure', () => {
    expect(publicOriginSettings('http://10.0.0.5:8787, http://box.lan')).toEqual({
      trustedOrigins: ['http://10.0.0.5:8787', 'http://box.lan'],
      secureCookies: false,
    })
  })

  for (const bad of ['secrets.internal', 'https://secrets.example.org/ui', 'https://u:p@secrets.example.org', 'ftp://x.org', 'https://x.org?q=1']) {
    test(`refuses ${bad} with a ConfigError that does not repeat it`, () => {
      const error = caught(() => publicOriginSettings(bad))
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toStartWith('PUBLIC_ORIGIN')
      expect((error as Error).message).not.toContain(bad)
    })
  }
})
