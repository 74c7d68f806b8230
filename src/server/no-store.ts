import type { FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The response carries a secret (a session's CSRF token, a new API token, an invite or
     * claim link): `Cache-Control: no-store`, so no browser or proxy cache keeps a copy.
     */
    noStore?: boolean
  }
}

/** The onSend hook that honours `config.noStore`, whatever the status. */
export async function noStoreHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.routeOptions.config.noStore === true) {
    reply.header('cache-control', 'no-store')
  }
}
