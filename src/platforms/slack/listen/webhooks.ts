import { AppError } from '../../../errors.ts'
import { parseBoundedJson } from '../../../domain/json-depth.ts'
import { headerValue, verifyHmacRequest } from '../../kit/verify-request.ts'
import type { WebhookDef, WebhookRequest } from '../../platform.ts'
import { handleInteraction } from './interactivity.ts'
import { slackListener } from './listener.ts'
import { handleSlackEvent } from './events.ts'
import { handleLifecycleEvent, slackLifecycleEvents } from './lifecycle.ts'
import { interactionPayload, slackEnvelope } from './payloads.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackDeps } from '../slack-deps.ts'

/** Slack's window for a request's timestamp (older is a replay). */
const windowMs = 5 * 60_000

/**
 * Slack wants an answer within 3 s or it retries. Handling is normally milliseconds and is
 * awaited (an error then answers 500 and Slack's retry runs it again); past this, PolicyKit
 * answers and lets the handling finish on its own.
 */
const answerWithinMs = 2_500

/** Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the app's signing secret. */
function slackSigned(deps: SlackDeps) {
  return (request: WebhookRequest, now: number) =>
    verifyHmacRequest({
      secret: deps.options.signingSecret,
      signature: headerValue(request.headers, 'x-slack-signature'),
      timestamp: headerValue(request.headers, 'x-slack-request-timestamp'),
      body: request.body,
      now,
      windowMs,
      basestring: (timestamp, body) => `v0:${timestamp}:${body}`,
      prefix: 'v0=',
    })
}

/**
 * `POST /events` (Events API) and `POST /interactivity` (Block Kit), mounted under
 * `/platforms/slack`. Each request must carry Slack's v0 signature over its raw body, made within
 * five minutes: anything else is refused with 401 and changes nothing. The community is the one
 * connected to the signed payload's workspace (team id); other workspaces are ignored.
 * `app_uninstalled` and `tokens_revoked` are about the connection itself (`lifecycle.ts`).
 */
export function slackWebhooks(deps: SlackDeps): WebhookDef[] {
  const { logger } = deps.ports
  const verify = slackSigned(deps)
  const events: WebhookDef = {
    path: '/events',
    contentTypes: ['application/json'],
    answerWithinMs,
    verify,
    async receive(request) {
      const envelope = slackEnvelope.safeParse(parseBoundedJson(request.body, 'the body'))
      if (!envelope.success) {
        throw new AppError('invalid_input', 'not a Slack Events API payload')
      }
      const payload = envelope.data
      switch (payload.type) {
        case 'url_verification':
          return { answer: { challenge: payload.challenge } }
        case 'app_rate_limited':
          logger.warn(
            { platform: slackPlatformName, teamId: payload.team_id, minute: payload.minute_rate_limited },
            'slack: Slack is holding back events for this workspace (too many this minute)',
          )
          return {}
        case 'event_callback': {
          const { team_id: teamId, event_id: eventId, event } = payload
          if (slackLifecycleEvents.has(event.type)) {
            await handleLifecycleEvent(deps, teamId, eventId, event)
            return {}
          }
          const listener = await slackListener(deps, teamId)
          if (!listener) {
            logger.info(
              { platform: slackPlatformName, teamId, eventId },
              'slack: event from a workspace no community is connected to; ignored',
            )
            return {}
          }
          return {
            handle: () => handleSlackEvent(listener, eventId, event),
            context: { platform: slackPlatformName, communityId: listener.communityId, eventId },
          }
        }
      }
    },
  }
  const interactivity: WebhookDef = {
    path: '/interactivity',
    contentTypes: ['application/x-www-form-urlencoded'],
    answerWithinMs,
    verify,
    async receive(request) {
      const form = new URLSearchParams(request.body)
      const payload = interactionPayload.safeParse(parseBoundedJson(form.get('payload') ?? '', 'the payload'))
      if (!payload.success) {
        throw new AppError('invalid_input', 'not a Slack interaction payload')
      }
      return {
        handle: () => handleInteraction(deps, payload.data),
        context: { platform: slackPlatformName, interaction: payload.data.type },
      }
    },
  }
  return [events, interactivity]
}
