import type { ClientPrincipal } from '../clients/client.service.ts'
import type { ActiveSession } from '../operators/session.service.ts'

/**
 * What the server adapter passes with each request (src/http/server.ts).
 * Everything is optional: `app.request()` in tests passes what it likes.
 */
export interface ServerBindings {
  /** The peer's IP address, for login throttling. */
  remoteAddress?: string | undefined
}

/** The Hono environment of the app: bindings from the server, the session per request. */
export type AppEnv = {
  Bindings: ServerBindings
  Variables: {
    /** The operator session of the cookie, when there is a live one (session-auth.ts). */
    session: ActiveSession | undefined
    /**
     * The database generation seen when the request started (database-generation.ts):
     * what was cached under it may be served; undefined means read afresh.
     */
    generation: string | undefined
    /** The client of a valid bearer token, on the delivery routes (middleware/client-auth.ts). */
    client: ClientPrincipal | undefined
  }
}
