import { type Context, Hono, type Next } from 'hono'
import type { SecretsContext } from '../context.ts'
import { SecurityAudit } from '../audit/security-audit.ts'
import { synchronousChainSigner } from '../audit/chain-hmac.ts'
import { useSynchronousChainLinks } from '../audit/chain-signer.ts'
import { ClientService } from '../clients/client.service.ts'
import { DeliveryService } from '../clients/delivery.service.ts'
import { OperatorService } from '../operators/operator.service.ts'
import type { ScryptParams } from '../operators/password-hash.ts'
import { type SessionPolicy, SessionService } from '../operators/session.service.ts'
import type { AppEnv } from './app-env.ts'
import { type AppLogger, consoleLogger } from './app-logger.ts'
import { errorHandler, notFound } from './error-handler.ts'
import { LoginThrottle, type ThrottlePolicy } from './login-throttle.ts'
import { hostCheck } from './middleware/check-host.ts'
import { AppMetrics, countAuditAppends, countErrors } from './metrics/app-metrics.ts'
import { metricsAccess } from './metrics/metrics-access.ts'
import { DatabaseGeneration, walIndexProbe } from '../store/database-generation.ts'
import { limitBody } from './middleware/limit-body.ts'
import { requestLog } from './middleware/request-log.ts'
import { sessionGate } from './middleware/session-gate.ts'
import { completeAppHeaders } from './middleware/security-headers.ts'
import { trackGeneration } from './middleware/track-generation.ts'
import { requireClient } from './middleware/client-auth.ts'
import { auditRoutes } from './routes/audit-routes.ts'
import { clientRoutes } from './routes/client-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { DEFAULT_RENDER_BODY_LIMIT, deliveryRoutes } from './routes/delivery-routes.ts'
import { secretRoutes } from './routes/secret-routes.ts'
import { sessionRoutes } from './routes/session-routes.ts'
import { uiRoutes } from './routes/ui-routes.ts'
import { defaultWebDir } from './web-build.ts'

/** What the HTTP app is built from. Only `ctx` is required. */
export interface AppOptions {
  /** The open store and the secrets service. */
  ctx: SecretsContext
  /** The UI build to serve (default: web/dist of this checkout). */
  webDir?: string
  /** Request and error log (default: lines on stderr). */
  logger?: AppLogger
  /** The clock of sessions and login throttling, for tests. */
  now?: () => Date
  /** Session lifetimes (default: 30 min idle, 12 h absolute). */
  sessionPolicy?: Partial<SessionPolicy>
  /** Login throttling (default: 5 failures per username, 20 per address, in 15 min). */
  throttlePolicy?: Partial<ThrottlePolicy>
  /** scrypt cost of the dummy hash unknown usernames are checked against; must match the operators' (tests lower both). */
  passwordParams?: ScryptParams
  /** Secure cookies even when the request came over plain HTTP (TLS ends at a proxy in front). */
  secureCookies?: boolean
  /** Origins besides the server's own that may send mutations, and whose hosts are the server's too (PUBLIC_ORIGIN). */
  trustedOrigins?: readonly string[]
  /** Largest artifact `POST /render` takes, in bytes (default 16 MiB; `RENDER_BODY_LIMIT`). */
  renderBodyLimit?: number
  /** Throttling of refused client tokens (default: 5 per token id, 20 per address, in 15 min, like logins). */
  tokenThrottlePolicy?: Partial<ThrottlePolicy>
  /** The bearer token that lets a non-loopback peer read `/metrics` (`METRICS_TOKEN`); without it, loopback only. */
  metricsToken?: string | undefined
}

/** The Hono app createApp builds. */
export type SecretsApp = Hono<AppEnv>

const isLogin = (c: Context<AppEnv>) => c.req.method === 'POST' && c.req.path === '/session'

/**
 * Builds the Hono app: `/healthz`, `/readyz`, `/metrics` (loopback or METRICS_TOKEN), `/session`,
 * `/secrets`, `/clients`, `/audit`, the
 * delivery routes `/render` and `/resolve` (docs/http-api.md, docs/clients.md)
 * and the UI. Per-app work (header lists, services, the dummy password hash)
 * happens here, once; nothing in it depends on the runtime but the UI
 * files, read with node:fs (Bun, Node and Deno all have it).
 *
 * Middleware (middleware/), outermost first, the first four in one step (the request
 * log's): request log, security headers and the `Cache-Control: no-store` default (applied to
 * the answer before it is logged), the Host check (421 for a host that is not the server's
 * own), 128 KiB body limit; then, on /session
 * and /secrets, the session gate (middleware/session-gate.ts): the database
 * generation (what may be served from cache), the session from the cookie,
 * a live session required (/secrets) and guardMutating's checks
 * (every POST, PUT, PATCH, DELETE but the login); the same on /clients
 * and /audit. On
 * /render and /resolve: requireClient (a bearer token, throttled) instead,
 * and /render's own body limit. Errors become JSON in one
 * handler (error-handler.ts).
 */
export function createApp(options: AppOptions): SecretsApp {
  // The server appends audit batches of hundreds of rows: links by node:crypto, synchronously (chain-signer.ts).
  useSynchronousChainLinks(synchronousChainSigner)
  const { ctx } = options
  const metrics = new AppMetrics()
  countAuditAppends(ctx.service.auditLog, metrics)
  const logger = countErrors(options.logger ?? consoleLogger(), metrics)
  const trustedOrigins = [...(options.trustedOrigins ?? [])]
  const audit = new SecurityAudit({ db: ctx.store.db, log: ctx.service.auditLog, now: options.now })
  const operators = new OperatorService({ db: ctx.store.db, now: options.now, passwordParams: options.passwordParams, audit })
  // The first login with an unknown username must not take longer than the others.
  operators.prepare().catch((e: unknown) => logger.error('startup: dummy password hash', e))
  const sessions = new SessionService({ db: ctx.store.db, now: options.now, policy: options.sessionPolicy })
  const throttle = new LoginThrottle({ policy: options.throttlePolicy, now: options.now })
  const clients = new ClientService({ db: ctx.store.db, now: options.now, audit })
  const delivery = new DeliveryService({ secrets: ctx.service, clients, now: options.now })
  const tokenThrottle = new LoginThrottle({ policy: options.tokenThrottlePolicy, now: options.now })

  const app = new Hono<AppEnv>()
  // The request metrics count what the log writes: one route lookup and one clock for both.
  // The app's headers, the Host check and the body limit inside the request log's middleware: every middleware is
  // two promises more of every request. What the checks throw is answered by the error handler there.
  const onError = errorHandler(logger, ctx.store.location)
  const checkHostOf = hostCheck(trustedOrigins)
  const bodyLimit = limitBody()
  const checks = (c: Context<AppEnv>, next: Next) => {
    checkHostOf(c)
    // /render takes artifacts of up to RENDER_BODY_LIMIT and sets its own limit.
    return c.req.path === '/render' ? next() : bodyLimit(c, next)
  }
  app.use(requestLog(logger, (method, route, status, ms) => metrics.request(method, route, status, ms / 1000), { finish: completeAppHeaders, first: { run: checks, onError } }))

  app.route('/', healthRoutes(ctx.store, logger))

  app.get('/metrics', metricsAccess(options.metricsToken), async function metricsText(c) {
    const { body, contentType } = await metrics.exposition()
    return c.body(body, 200, { 'Content-Type': contentType })
  })

  const { dataVersion, location } = ctx.store
  // SQLite: the WAL-index header read directly, the pragma where that cannot be (in memory); PostgreSQL: none.
  const probe = dataVersion && location.kind === 'sqlite' ? walIndexProbe(location.path, dataVersion) : dataVersion
  const databaseGeneration = new DatabaseGeneration(ctx.store.db, ctx.store.dialect, probe)
  const generation = trackGeneration(databaseGeneration)
  const guard = { trustedOrigins, except: isLogin }
  app.use('/session', sessionGate({ generation: databaseGeneration, sessions, requireSession: false, guard }))
  // '/secrets/*' matches '/secrets' itself too.
  const operatorGate = sessionGate({ generation: databaseGeneration, sessions, requireSession: true, guard })
  app.use('/secrets/*', operatorGate)
  app.use('/clients/*', operatorGate)
  app.use('/audit/*', operatorGate)
  // Delivery: a bearer token only; no cookie, no session, no CSRF token.
  const client = requireClient({ clients, delivery, throttle: tokenThrottle, audit })
  // The generation too: a delivery writes audit rows (reads), which the cached list shows as last_read.
  app.use('/render', generation, client)
  app.use('/resolve', generation, client)

  app.route('/session', sessionRoutes({ audit, operators, sessions, throttle, secureCookies: options.secureCookies ?? false, trustedOrigins }))
  app.route('/secrets', secretRoutes(ctx.service))
  app.route('/clients', clientRoutes(clients))
  app.route('/audit', auditRoutes(ctx.store.db, options.now))
  app.route('/', deliveryRoutes(delivery, { renderBodyLimit: options.renderBodyLimit ?? DEFAULT_RENDER_BODY_LIMIT }))
  app.route('/', uiRoutes(options.webDir ?? defaultWebDir()))

  app.notFound(notFound)
  app.onError(onError)
  return app
}
