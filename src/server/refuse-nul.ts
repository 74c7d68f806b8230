import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorJson } from './errors.ts'

/** Where a NUL character sits in `value`: its dotted path (a key holding one: the object's path), or null. */
function findNul(value: unknown, path: string[]): string[] | null {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? path : null
  }
  if (typeof value !== 'object' || value === null) {
    return null
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) {
      return path
    }
    // Bodies are at most maxJsonDepth deep by now (json-body.ts), so this recursion is bounded.
    const found = findNul(item, [...path, key])
    if (found) {
      return found
    }
  }
  return null
}

/**
 * The preValidation hook that refuses NUL characters anywhere in a request's path parameters,
 * query string or parsed body with 400 `invalid_input` naming the field. PostgreSQL's text
 * columns cannot hold NUL ("invalid byte sequence"), and no name, token or text needs one, so
 * they stop at the edge rather than at whichever query meets them first.
 */
export async function refuseNul(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  for (const [what, value] of [
    ['path', request.params],
    ['query string', request.query],
    ['body', request.body],
  ] as const) {
    const found = findNul(value, [])
    if (found) {
      const path = found.join('.')
      const message = 'must not contain NUL characters'
      return reply
        .status(400)
        .send(errorJson('invalid_input', `invalid ${what}: ${path ? `${path}: ` : ''}${message}`, [{ path, message }]))
    }
  }
  return undefined
}
