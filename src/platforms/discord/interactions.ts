import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { ensureMember } from '../kit/ensure-member.ts'
import { headerValue, verifyEd25519Request } from '../kit/verify-request.ts'
import type { WebhookDef, WebhookReceipt, WebhookRequest } from '../platform.ts'
import type { DiscordDeps } from './deps.ts'
import { discordPlatformName } from './names.ts'

/** The window for an interaction's timestamp (older is a replay, newer is not Discord's). */
const windowMs = 5 * 60_000

/** Discord waits 3 s for the answer; handling is awaited up to this, then the answer goes anyway. */
const answerWithinMs = 2_500

/** The parts of an interaction PolicyKit reads (discord-api-types' `APIInteraction` has them all). */
const interaction = z.object({
  id: z.string(),
  application_id: z.string(),
  type: z.number().int(),
  token: z.string(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  member: z
    .object({
      user: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullable().optional() }),
    })
    .optional(),
  data: z
    .object({
      name: z.string().optional(),
      custom_id: z.string().optional(),
      options: z.array(z.object({ name: z.string(), value: z.unknown().optional() })).optional(),
    })
    .optional(),
})
type Interaction = z.infer<typeof interaction>

/** An answer only the member who acted sees (`flags` 64: ephemeral), type 4: a message. */
const privately = (content: string): JsonObject => ({ type: 4, data: { content, flags: 64 } })

function parse(body: string): Interaction {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new AppError('invalid_input', 'the body is not JSON')
  }
  const parsed = interaction.safeParse(json)
  if (!parsed.success) {
    throw new AppError('invalid_input', 'not a Discord interaction')
  }
  return parsed.data
}

/** `/policykit <text>`: the text option's value. */
function commandText(data: Interaction['data']): string {
  const option = data?.options?.find((o) => o.name === 'text')
  return typeof option?.value === 'string' ? option.value : ''
}

async function slashCommand(deps: DiscordDeps, body: Interaction): Promise<WebhookReceipt> {
  const { ports } = deps
  const integration = body.guild_id === undefined ? undefined : await ports.integrations.findByExternalId(body.guild_id)
  const user = body.member?.user
  if (integration === undefined || !integration.active || user === undefined || body.channel_id === undefined) {
    return { answer: privately('This server is not connected to PolicyKit.') }
  }
  const { communityId } = integration
  const deliveryId = `interaction:${body.id}`
  const channel = body.channel_id
  return {
    answer: privately('Sent to PolicyKit.'),
    context: { platform: discordPlatformName, communityId, interaction: body.id },
    async handle() {
      if ((await ports.deliveries.claim(communityId, deliveryId)) !== 'claimed') {
        return
      }
      try {
        const member = await ensureMember(ports.members, communityId, {
          externalId: user.id,
          name: user.username,
          displayName: user.global_name ?? undefined,
        })
        await ports.trigger({
          communityId,
          type: `${discordPlatformName}.slashCommand`,
          data: { text: commandText(body.data), channel, user: user.id, interaction: body.id },
          initiatorId: member.id,
        })
        await ports.deliveries.finish(communityId, deliveryId)
      } catch (e) {
        await ports.deliveries.release(communityId, deliveryId)
        throw e
      }
    },
  }
}

/**
 * `POST /platforms/discord/interactions`, the application's Interactions Endpoint URL. Each
 * request must carry Discord's Ed25519 signature over timestamp + raw body by the application's
 * key, made within five minutes: anything else is refused with 401 (Discord checks that when the
 * URL is saved). PING is answered PONG; `/policykit <text>` reaches trigger policies
 * (`discord.slashCommand`) once per interaction, whatever is delivered again.
 */
export function discordInteractions(deps: DiscordDeps): WebhookDef {
  return {
    path: '/interactions',
    contentTypes: ['application/json'],
    answerWithinMs,
    verify: (request: WebhookRequest, now: number) =>
      verifyEd25519Request({
        publicKeyHex: deps.options.publicKey,
        signature: headerValue(request.headers, 'x-signature-ed25519'),
        timestamp: headerValue(request.headers, 'x-signature-timestamp'),
        body: request.body,
        now,
        windowMs,
      }),
    async receive(request) {
      const body = parse(request.body)
      if (body.application_id !== deps.options.clientId) {
        throw new AppError('invalid_input', 'the interaction is for another application')
      }
      switch (body.type) {
        case 1:
          return { answer: { type: 1 } }
        case 2:
          return body.data?.name === 'policykit'
            ? slashCommand(deps, body)
            : { answer: privately('PolicyKit does not know this command.') }
        default:
          return { answer: privately('PolicyKit does not handle this yet.') }
      }
    },
  }
}
