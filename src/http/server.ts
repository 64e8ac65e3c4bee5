import { bunGlobal } from '../runtime.ts'
import type { ServerBindings } from './app-env.ts'

/** A started HTTP server. */
export interface RunningServer {
  /** `http://host:port` as it listens (the real port when 0 was asked for). */
  readonly url: string
  /** Stops accepting connections and waits for in-flight requests. */
  stop(): Promise<void>
}

/** The app's fetch: a Web Request in, a Response out, with the peer's address as bindings. */
export type FetchHandler = (request: Request, bindings: ServerBindings) => Response | Promise<Response>

/**
 * Listens on host:port with the runtime's own server: `Bun.serve` under Bun,
 * `@hono/node-server` under Node. The one place that picks, and the one
 * place that knows how each runtime tells the peer's address (passed on as
 * `remoteAddress` for login throttling) and its own port (`listening`, with
 * the bound host, for the Host check).
 */
export async function startServer(fetch: FetchHandler, options: { host: string; port: number }): Promise<RunningServer> {
  const Bun = bunGlobal()
  if (Bun) {
    // Read once: the port a server listens on does not change, and Bun asks the kernel (getsockname) each time.
    let listening: ServerBindings['listening']
    const server = Bun.serve({
      hostname: options.host,
      port: options.port,
      fetch: (request, srv) =>
        fetch(request, { remoteAddress: srv.requestIP(request)?.address, listening: (listening ??= { host: options.host, port: srv.port ?? options.port }) }),
    })
    return {
      url: `http://${formatHost(options.host)}:${server.port}`,
      stop: () => server.stop(false),
    }
  }
  const { serve } = await import('@hono/node-server')
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        hostname: options.host,
        port: options.port,
        fetch: (request: Request, env: { incoming?: { socket?: { remoteAddress?: string; localPort?: number } } }) =>
          fetch(request, {
            remoteAddress: env?.incoming?.socket?.remoteAddress,
            listening: { host: options.host, port: env?.incoming?.socket?.localPort ?? options.port },
          }),
      },
      (info) => {
        resolve({
          url: `http://${formatHost(options.host)}:${info.port}`,
          stop: () => new Promise<void>((done) => server.close(() => done())),
        })
      },
    )
    server.once('error', reject)
  })
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
