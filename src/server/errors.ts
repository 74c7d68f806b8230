import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import type { Logger } from '../engine/logger.ts'
import { isAppError, statusByCode } from '../errors.ts'
import type { ErrorJson } from './presenters.ts'

/** The token of an invite or claim link, in the dashboard's page (`/invite/<token>`) and the API's (`/api/invites/<token>…`). */
const inviteToken = /^(\/invite\/|\/api\/invites\/)[^/]+/

/**
 * A request's path for logs, without its secrets: not the query string (set-up tokens, OAuth
 * codes and states travel there) and not an invite or claim link's token (`:token` instead).
 */
export function loggedPath(request: FastifyRequest): string {
  return (request.url.split('?')[0] ?? '').replace(inviteToken, '$1:token')
}

type Issue = NonNullable<ErrorJson['error']['issues']>[number]

export function errorJson(code: string, message: string, issues?: Issue[]): ErrorJson {
  return { error: { code, message, ...(issues && { issues }) } }
}

/** A Fastify error's own status (its `FST_…` errors carry one); 500 when it has none. */
function fastifyStatus(e: unknown): number {
  if (typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number') {
    return e.statusCode
  }
  return 500
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined
}

/**
 * Every error becomes an ErrorJson: AppErrors with their status, request validation with its
 * issues, Fastify's own client errors (body too large, malformed JSON) with theirs; anything
 * else is a bug, logged with its stack and answered 500 without its message.
 */
export function createErrorHandler(logger: Logger) {
  return function handleError(e: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (isAppError(e)) {
      return reply.status(statusByCode[e.code]).send(errorJson(e.code, e.message))
    }
    if (hasZodFastifySchemaValidationErrors(e)) {
      const context = 'validationContext' in e && typeof e.validationContext === 'string' ? e.validationContext : ''
      const issues = e.validation.map((v) => ({
        path: v.instancePath.split('/').filter(Boolean).join('.'),
        message: v.message ?? 'is invalid',
      }))
      const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
      return reply.status(400).send(errorJson('invalid_input', `invalid ${context || 'request'}: ${summary}`, issues))
    }
    const status = fastifyStatus(e)
    const code = errorCode(e)
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.status(413).send(errorJson('payload_too_large', 'the request body is too large'))
    }
    if (status === 429) {
      return reply.status(429).send(errorJson('rate_limited', 'too many requests; try again later'))
    }
    if (status >= 400 && status < 500) {
      // Malformed JSON, an unsupported content type, an empty JSON body: the client's mistake.
      const statusCode = status === 415 ? 415 : 400
      return reply.status(statusCode).send(errorJson('invalid_input', e.message))
    }
    logger.error({ err: e, method: request.method, path: loggedPath(request) }, 'request failed')
    return reply.status(500).send(errorJson('internal', 'internal error'))
  }
}
