import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

/** The session cookie's name. */
export const SESSION_COOKIE = 'secrets_session'

/** Whether the session cookie should be Secure: always when configured (TLS ends at a proxy in front), else when the request came over HTTPS. */
export function cookieShouldBeSecure(c: Context, always: boolean): boolean {
  return always || new URL(c.req.url).protocol === 'https:'
}

/**
 * Sets the session cookie: HttpOnly (page scripts never see the token),
 * SameSite=Strict (no other site's page sends it), Path=/, Max-Age the
 * session's absolute lifetime, and Secure per {@link cookieShouldBeSecure}.
 */
export function setSessionCookie(c: Context, token: string, options: { secure: boolean; maxAgeSeconds: number }): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: options.secure,
    maxAge: options.maxAgeSeconds,
  })
}

/** Tells the browser to drop the session cookie (same attributes, Max-Age=0). */
export function clearSessionCookie(c: Context, options: { secure: boolean }): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: options.secure })
}

/** The session token the request's cookie carries, if any. */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE)
}
