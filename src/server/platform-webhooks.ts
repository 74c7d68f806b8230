import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.ts'
import { answerInTime, logWhenFailed } from '../platforms/kit/answer-in-time.ts'
import type { PlatformDef } from '../platforms/platform.ts'
import type { PlatformHost } from '../platforms/platform-http.ts'

/** The path's parameters as strings (Fastify gives them as an object of strings). */
function pathParams(params: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof params === 'object' && params !== null) {
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'string') {
        out[key] = value
      }
    }
  }
  return out
}

/**
 * A platform's webhooks, in a context of their own under `/platforms/<name>`: bodies stay text
 * (the signature covers the exact bytes sent), a request the platform's `verify` refuses gets
 * 401 and changes nothing, and the delivery's handling is awaited up to the platform's deadline.
 */
export async function mountWebhooks(app: FastifyInstance, platform: PlatformDef, host: PlatformHost): Promise<void> {
  const webhooks = platform.webhooks ?? []
  if (webhooks.length === 0) {
    return
  }
  const title = platform.links?.title ?? platform.name
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      [...new Set(webhooks.flatMap((w) => w.contentTypes))],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    )
    for (const webhook of webhooks) {
      scope.post(webhook.path, { schema: { hide: true } }, async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : undefined
        const raw = { headers: request.headers, body: body ?? '', params: pathParams(request.params) }
        // No body at all is checked as an empty one: the signature (or URL secret) decides.
        if (!webhook.verify(raw, host.now())) {
          throw new AppError('unauthenticated', `the request is not signed by ${title}, or is too old`)
        }
        const receipt = await webhook.receive(raw)
        if (receipt.handle) {
          await answerInTime(host, host.logger, webhook.answerWithinMs, receipt.handle(), receipt.context ?? {})
        }
        const sent = receipt.answer === undefined ? reply.code(200).send() : reply.send(receipt.answer)
        const { afterAnswer } = receipt
        if (afterAnswer) {
          // A FastifyReply settles once the response is out: the promised work starts then.
          const after = new Promise<void>((resolve) => {
            sent.then(resolve, () => resolve())
          }).then(afterAnswer)
          logWhenFailed(host.logger, after, receipt.context ?? {})
        }
        return sent
      })
    }
  })
}
