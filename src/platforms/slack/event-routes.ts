// Only the request check: importing all of Bolt would load its own HTTP stack (~30 MiB, ~150 ms).
import { isValidSlackRequest } from '@slack/bolt/dist/receivers/verify-request.js'
import type { FastifyRequest } from 'fastify'
import { AppError, toError } from '../../errors.ts'
import { parseBoundedJson } from '../../json-depth.ts'
import type { Clock } from '../../scheduler/clock.ts'
import type { PlatformHost, PlatformHttp } from '../platform-http.ts'
import { handleInteraction } from './interactivity.ts'
import { slackListener } from './listen-context.ts'
import type { SlackDeps } from './slack-deps.ts'
import { handleSlackEvent } from './listen-events.ts'
import { handleLifecycleEvent, slackLifecycleEvents } from './listen-lifecycle.ts'
import { interactionPayload, slackEnvelope } from './listen-payloads.ts'
import { slackPlatformName } from './members.ts'

/** Slack's window for a request's timestamp (older is a replay), as Bolt enforces it. */
const windowMs = 5 * 60_000

/**
 * Slack wants an answer within 3 s or it retries. Handling is normally milliseconds and is
 * awaited (an error then answers 500 and Slack's retry runs it again); past this, PolicyKit
 * answers and lets the handling finish on its own.
 */
const answerWithinMs = 2_500

/**
 * `POST /events` (Events API) and `POST /interactivity` (Block Kit), mounted under
 * `/platforms/slack`. Each request must carry Slack's v0 signature over its raw body, made within
 * the last five minutes: anything else is refused with 401 and changes nothing. The community is
 * the one connected to the signed payload's workspace (team id); other workspaces are ignored.
 * `app_uninstalled` and `tokens_revoked` are about the connection itself (`listen-lifecycle.ts`).
 */
export function slackEventRoutes(deps: SlackDeps): PlatformHttp {
  return async (app, host) => {
    // A context of its own: the signature covers the exact bytes Slack sent, so bodies stay text here.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser(
        ['application/json', 'application/x-www-form-urlencoded'],
        { parseAs: 'string' },
        (_request, body, done) => done(null, body),
      )

      scope.post('/events', async (request, reply) => {
        const envelope = slackEnvelope.safeParse(parseBoundedJson(signedBody(request, deps, host.clock), 'the body'))
        if (!envelope.success) {
          throw new AppError('invalid_input', 'not a Slack Events API payload')
        }
        const payload = envelope.data
        switch (payload.type) {
          case 'url_verification':
            return reply.send({ challenge: payload.challenge })
          case 'app_rate_limited':
            host.logger.warn(
              { platform: slackPlatformName, teamId: payload.team_id, minute: payload.minute_rate_limited },
              'slack: Slack is holding back events for this workspace (too many this minute)',
            )
            return reply.code(200).send()
          case 'event_callback': {
            if (slackLifecycleEvents.has(payload.event.type)) {
              await handleLifecycleEvent(deps, host, payload.team_id, payload.event_id, payload.event)
              return reply.code(200).send()
            }
            const listener = await slackListener(deps, host, payload.team_id)
            if (!listener) {
              host.logger.info(
                { platform: slackPlatformName, teamId: payload.team_id, eventId: payload.event_id },
                'slack: event from a workspace no community is connected to; ignored',
              )
              return reply.code(200).send()
            }
            await answerInTime(host, handleSlackEvent(listener, payload.event_id, payload.event), {
              communityId: listener.communityId,
              eventId: payload.event_id,
            })
            return reply.code(200).send()
          }
        }
      })

      scope.post('/interactivity', async (request, reply) => {
        const form = new URLSearchParams(signedBody(request, deps, host.clock))
        const payload = interactionPayload.safeParse(parseBoundedJson(form.get('payload') ?? '', 'the payload'))
        if (!payload.success) {
          throw new AppError('invalid_input', 'not a Slack interaction payload')
        }
        await answerInTime(host, handleInteraction(deps, host, payload.data), { interaction: payload.data.type })
        return reply.code(200).send()
      })
    })
  }
}

/** The raw body, when Slack signed it within the window; otherwise 401. */
function signedBody(request: FastifyRequest, deps: SlackDeps, clock: Clock): string {
  const signature = request.headers['x-slack-signature']
  const timestamp = Number(request.headers['x-slack-request-timestamp'])
  const body = request.body
  const now = clock.now()
  const valid =
    typeof signature === 'string' &&
    typeof body === 'string' &&
    Number.isInteger(timestamp) &&
    // Bolt refuses old timestamps; one from the future is no more trustworthy.
    timestamp * 1000 <= now + windowMs &&
    isValidSlackRequest({
      signingSecret: deps.options.signingSecret,
      body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: now,
    })
  if (!valid) {
    throw new AppError('unauthenticated', 'the request is not signed by Slack, or is too old')
  }
  return body
}

/**
 * Waits for `work` up to `answerWithinMs` (its failure then fails the request); past that, lets
 * it finish on its own and logs how it ends.
 */
async function answerInTime(host: PlatformHost, work: Promise<void>, context: object): Promise<void> {
  let timer: { cancel(): void } | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = host.clock.setTimer(answerWithinMs, () => resolve('late'))
  })
  try {
    if ((await Promise.race([work.then(() => 'done' as const), late])) === 'late') {
      work.catch((e: unknown) => {
        host.logger.error({ platform: slackPlatformName, ...context, err: toError(e) }, 'slack: handling failed')
      })
    }
  } finally {
    timer?.cancel()
  }
}
