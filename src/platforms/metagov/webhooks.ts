import { createHash } from 'node:crypto'
import { z } from 'zod'
import { parseBoundedJson } from '../../domain/json-depth.ts'
import { AppError } from '../../errors.ts'
import { handleOnce } from '../kit/delivery-ledger.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { WebhookDef, WebhookRequest } from '../platform.ts'
import type { CallbackUrls } from './callback-urls.ts'
import { processRecord } from './client.ts'
import { metagovPlatformName } from './context.ts'

/** The gateway waits on PolicyKit while it handles a platform's webhook: answer quickly. */
const answerWithinMs = 5_000

/** An event as the gateway sends it to the driver (`send_event_to_driver`). */
const driverEvent = z.object({
  community: z.string().min(1).max(200),
  source: z.string().regex(/^[a-z0-9_-]{1,64}$/i),
  event_type: z.string().min(1).max(200),
  timestamp: z.union([z.string(), z.number()]).optional(),
  data: z.json().optional(),
  initiator: z
    .object({
      user_id: z.union([z.string(), z.number()]).nullable().optional(),
      user_name: z.string().nullable().optional(),
      provider: z.string().nullable().optional(),
      is_metagov_bot: z.boolean().nullable().optional(),
    })
    .nullable()
    .optional(),
})

/** What trigger policies see of a `metagov.event`. */
export const metagovEventData = z.object({
  eventType: z.string(),
  eventData: z.json(),
  initiator: z.object({ externalUsername: z.string().nullable(), provider: z.string().nullable() }),
})

function parseBody<T>(schema: z.ZodType<T>, request: WebhookRequest, what: string): T {
  const parsed = schema.safeParse(parseBoundedJson(request.body, what))
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new AppError('invalid_input', `${what}: ${issues.join('; ')}`)
  }
  return parsed.data
}

/** A body text that parses but is not an object (or does not parse) is refused as `invalid_input`. */
function requireObject(request: WebhookRequest, what: string): void {
  if (request.body.trim() === '') {
    throw new AppError('invalid_input', `${what}: empty body`)
  }
}

/**
 * The gateway's two callbacks. The gateway signs nothing, so each URL carries a secret PolicyKit
 * derived (wrong secret: 401, nothing changes). `POST /platforms/metagov/events/<secret>`: an
 * event from a plugin, posted as a JSON string without a JSON content type, reaches trigger
 * policies as `metagov.event` (the gateway's own bot's events are dropped).
 * `POST /platforms/metagov/process/<community>/<proposal>/<secret>`: the proposal's process
 * changed, so the proposal is re-checked at once.
 */
export function metagovWebhooks(urls: CallbackUrls, ports: PlatformPorts): WebhookDef[] {
  const events: WebhookDef = {
    path: '/events/:secret',
    contentTypes: ['*'],
    answerWithinMs,
    verify: (request) => urls.isEventSecret(request.params?.['secret']),
    async receive(request) {
      const what = 'the Metagov event'
      requireObject(request, what)
      const event = parseBody(driverEvent, request, what)
      const integration = await ports.integrations.findByExternalId(event.community)
      if (!integration?.active) {
        ports.logger.info(
          { platform: metagovPlatformName, community: event.community, eventType: event.event_type },
          'metagov: event for a gateway community no PolicyKit community has connected; ignored',
        )
        return {}
      }
      if (event.initiator?.is_metagov_bot === true) {
        return {}
      }
      const { communityId } = integration
      const deliveryId = `event:${createHash('sha256').update(request.body).digest('hex')}`
      const provider = event.initiator?.provider ?? event.source
      const userId = event.initiator?.user_id
      const externalUsername =
        event.initiator?.user_name ?? (userId === undefined || userId === null ? null : String(userId))
      return {
        context: { platform: metagovPlatformName, communityId, eventType: `${event.source}.${event.event_type}` },
        handle: async () => {
          await handleOnce(ports.deliveries, communityId, deliveryId, async () => {
            const member =
              userId === undefined || userId === null
                ? undefined
                : await ports.members.findByAccount(communityId, `${provider}:${String(userId)}`)
            const data = {
              eventType: `${event.source}.${event.event_type}`,
              eventData: event.data ?? null,
              initiator: { externalUsername, provider },
            } satisfies z.infer<typeof metagovEventData>
            await ports.trigger({
              communityId,
              type: `${metagovPlatformName}.event`,
              data,
              initiatorId: member?.id ?? null,
            })
          })
        },
      }
    },
  }

  const processes: WebhookDef = {
    path: '/process/:community/:proposal/:secret',
    contentTypes: ['*'],
    answerWithinMs,
    verify: (request) =>
      urls.isProcessSecret(request.params?.['community'], request.params?.['proposal'], request.params?.['secret']),
    async receive(request) {
      const what = 'the Metagov process callback'
      requireObject(request, what)
      const record = parseBody(processRecord, request, what)
      const communityId = Number(request.params?.['community'])
      const proposalId = Number(request.params?.['proposal'])
      const proposal = await ports.votes.proposal(communityId, proposalId)
      const location = `/api/internal/process/${record.name}/${record.id}`
      if (!proposal || proposal.votePlatform !== metagovPlatformName || proposal.votePostId !== location) {
        throw new AppError('invalid_input', `${what}: no proposal of this community runs ${record.name} ${record.id}`)
      }
      if (proposal.status !== 'proposed') {
        return {}
      }
      return {
        context: { platform: metagovPlatformName, communityId, proposalId, process: location },
        // The record itself is not trusted for the outcome: the re-check reads it from the gateway.
        handle: () => ports.votes.recheck(communityId, proposalId),
      }
    },
  }
  return [events, processes]
}
