import { openSecrets } from '../../context.ts'
import { ConfigError } from '../../errors.ts'
import { createApp } from '../../http/app.ts'
import { logFormat, loggerFor } from '../../http/log-format.ts'
import { publicOriginSettings } from '../../http/public-origin.ts'
import { startServer } from '../../http/server.ts'
import { type Command, parseCommandArgs } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { listenFailure, parseHost, parsePort } from '../serve-address.ts'

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }
/** Largest RENDER_BODY_LIMIT: a render body is held in memory whole. */
const MAX_RENDER_BODY_LIMIT = 1 << 30

/** RENDER_BODY_LIMIT: bytes, or with K, M, G (powers of 1024); unset or empty: the default (16M). */
function parseRenderBodyLimit(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const m = /^([0-9]+)([KMG]?)$/i.exec(value.trim())
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]! : NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_RENDER_BODY_LIMIT) {
    throw new ConfigError('RENDER_BODY_LIMIT must be a whole number of bytes from 1 to 1G, optionally with K, M or G (powers of 1024), e.g. 64M')
  }
  return bytes
}

/** METRICS_TOKEN: unset or empty, none (loopback only); else 16 to 256 visible ASCII characters. */
function parseMetricsToken(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  if (!/^[\x21-\x7e]{16,256}$/.test(value)) {
    throw new ConfigError('METRICS_TOKEN must be 16 to 256 visible ASCII characters (e.g. openssl rand -hex 32)')
  }
  return value
}

const serve: Command = {
  help: `Usage: secrets serve [--host HOST] [--port PORT]

Starts the HTTP API (/secrets, /clients, /audit, /session, /healthz, /readyz,
/metrics, /render, /resolve) and the UI at /settings/secrets. Refuses to start (exit 78)
without a valid master key (CLAUDE_HOOKS_SECRET_KEY, _FILE, or the systemd
credential claude-hooks-secret-key: exactly one), when stored secrets use a
key id that no configured key has, when the database refuses the login or
does not exist, or when its schema is newer than this build; exit 1 when
the database does not answer. Each says in one line where the database is
and why (never its password). Stops cleanly on SIGTERM or SIGINT.

GET /healthz: the process is up. GET /readyz: the store answers too (503
store_unavailable otherwise): the one for a proxy's health check.

Behind a TLS-terminating proxy, set PUBLIC_ORIGIN to the origin browsers
use (https://secrets.example.org): mutations from it are accepted and the
session cookie gets Secure (docs/operators.md).

Requests whose Host is not the server's own address (the bound address and
port; localhost, 127.0.0.1 and [::1] on a loopback bind; any IP literal at
the port on a 0.0.0.0 or :: bind) or a PUBLIC_ORIGIN host are refused with
421 (DNS rebinding; docs/http-api.md, "The Host check").

Clients (docs/clients.md) read secrets with a token at POST /render and
POST /resolve; RENDER_BODY_LIMIT (default 16M; bytes, or with K, M, G)
bounds the artifact /render takes.

GET /metrics: Prometheus text (requests by route and status, decryptions,
audit appends, renders, errors), readable from a loopback address (not
through a proxy), or from anywhere with Authorization: Bearer $METRICS_TOKEN.

Logs: one line per request on standard output (method, route pattern,
status, duration, request id, operator or client, client address; never a
path, query string, header or body): JSON lines when standard output is not
a terminal, text on a terminal; LOG_FORMAT=json or text chooses. Security
events (logins, lockouts, operator and client changes) are audit rows
(docs/audit.md).

Options:
  --host HOST  address to listen on (default: $HOST or 127.0.0.1)
  --port PORT  port (default: $PORT or 8787; 0 picks a free one)
`,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      { host: { type: 'string' }, port: { type: 'string' } },
      { min: 0, max: 0, names: '' },
    )
    const hostSource = values.host !== undefined ? 'flag' : 'env'
    const host = await parseHost(values.host ?? (io.env.HOST || '127.0.0.1'), hostSource)
    const portSource = values.port !== undefined ? 'flag' : 'env'
    const port = parsePort(values.port ?? (io.env.PORT || '8787'), portSource)
    // Checked before the store opens: a bad setting fails with exit 78 and touches nothing.
    const origins = publicOriginSettings(io.env.PUBLIC_ORIGIN)
    const renderBodyLimit = parseRenderBodyLimit(io.env.RENDER_BODY_LIMIT)
    const metricsToken = parseMetricsToken(io.env.METRICS_TOKEN)
    const logger = loggerFor(logFormat(io.env.LOG_FORMAT, process.stdout.isTTY === true))
    const ctx = await openSecrets(io.env)
    let server
    try {
      const app = createApp({ ctx, logger, metricsToken, ...origins, ...(renderBodyLimit === undefined ? {} : { renderBodyLimit }) })
      server = await startServer(app.fetch, { host, port })
    } catch (e) {
      await ctx.close()
      throw listenFailure(e, { host, hostSource, port, portSource })
    }
    // The handlers before the line that says it listens: whoever waits for that line may signal at once.
    const stopping = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    io.stderr(`secrets: listening on ${server.url} (UI: ${server.url}/settings/secrets)\n`)
    logger.info?.('listening', { url: server.url })
    const signal = await stopping
    io.stderr(`secrets: ${signal}: finishing in-flight requests\n`)
    logger.info?.('stopping', { signal })
    await server.stop()
    await ctx.close()
    return EXIT.ok
  },
}
export default serve
