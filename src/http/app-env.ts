import type { ClientPrincipal } from '../clients/client.service.ts'
import type { ActiveSession } from '../operators/session.service.ts'

/**
 * What the server adapter passes with each request (src/http/server.ts).
 * Everything is optional: `app.request()` in tests passes what it likes.
 */
export interface ServerBindings {
  /** The peer's IP address, for login throttling. */
  remoteAddress?: string | undefined
  /** Where the server listens, for the Host check (middleware/check-host.ts). */
  listening?: ListenAddress | undefined
}

/** The address a server is bound to (as given: `127.0.0.1`, `::`, `localhost`) and its real port. */
export interface ListenAddress {
  host: string
  port: number
}

/** The Hono environment of the app: bindings from the server, the session per request. */
export type AppEnv = {
  Bindings: ServerBindings
  Variables: {
    /** The operator session of the cookie, when there is a live one (middleware/load-session.ts). */
    session: ActiveSession | undefined
    /**
     * The database generation seen when the request started (src/store/database-generation.ts):
     * what was cached under it may be served; undefined means read afresh.
     */
    generation: string | undefined
    /** The request's own origin, once its host was checked (middleware/check-host.ts). */
    ownOrigin: string | undefined
    /** The client of a valid bearer token, on the delivery routes (middleware/client-auth.ts). */
    client: ClientPrincipal | undefined
    /** The server's id of this request (middleware/request-log.ts), in the log and the answer's `X-Request-Id`. */
    requestId: string | undefined
  }
}
