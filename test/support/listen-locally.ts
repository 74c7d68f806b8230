import type { Server } from 'node:http'

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Stops listening and drops kept-alive connections, so a test ends at once. */
  close: () => Promise<void>
}

/** Starts `server` on a free loopback port: how each fake platform server listens. */
export async function listenLocally(server: Server, name: string): Promise<LocalServer> {
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new Error(`${name}: the server has no TCP address`)
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()))
        server.closeAllConnections()
      }),
  }
}
