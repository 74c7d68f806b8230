/** Who is making a request: set on every request by the authentication hook (`auth/`). */
export interface Caller {
  userId: number
  username: string
  via: 'session' | 'token'
  /** An API token belongs to one community: requests made with it see only that one. null for a session. */
  tokenCommunityId: number | null
}

declare module 'fastify' {
  interface FastifyRequest {
    /** null when the request carries no valid session cookie or API token. */
    caller: Caller | null
  }
}
