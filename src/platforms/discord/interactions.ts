import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { ensureMember } from '../kit/ensure-member.ts'
import { headerValue, verifyEd25519Request } from '../kit/verify-request.ts'
import type { WebhookDef, WebhookReceipt, WebhookRequest } from '../platform.ts'
import type { DiscordDeps } from './deps.ts'
import { discordPlatformName } from './names.ts'
import { voteRefusal } from '../kit/vote-tally.ts'
import { proposalTally } from '../kit/vote-tally.ts'
import { voteButtonPrefix, voteComponents, voteContent, voteFromButton } from './voting/vote-message.ts'
import { castDiscordVote, proposalOfVoteMessage } from './voting/votes.ts'
import { voteHeading } from '../kit/vote-heading.ts'

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
      user: z.object({
        id: z.string(),
        username: z.string(),
        global_name: z.string().nullable().optional(),
        bot: z.boolean().optional(),
      }),
    })
    .optional(),
  message: z.object({ id: z.string(), channel_id: z.string() }).optional(),
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

/** How long a click may take to be counted before Discord is answered with a deferred update instead. */
const clickWithinMs = 2_000

/** Type 6: acknowledged, the message will change (or not) without an answer now. */
const deferredUpdate: JsonObject = { type: 6 }

/**
 * A click on a vote button: cast through the engine (which re-checks the proposal) and answered
 * with the message as it now stands (type 7: its tally, or its outcome without buttons once
 * decided); a voter who may not vote, or a vote that has closed, is told privately. Each
 * interaction counts once, however often it is delivered. A cast that takes longer than Discord
 * waits is answered with a deferred update and finishes alone (the message is rewritten then).
 */
async function voteClick(deps: DiscordDeps, body: Interaction): Promise<JsonObject> {
  const { ports } = deps
  const integration = body.guild_id === undefined ? undefined : await ports.integrations.findByExternalId(body.guild_id)
  const user = body.member?.user
  const customId = body.data?.custom_id ?? ''
  if (integration === undefined || !integration.active || user === undefined || body.message === undefined) {
    return privately('This server is not connected to PolicyKit.')
  }
  const { communityId } = integration
  const proposal = await proposalOfVoteMessage(deps, communityId, body.message.channel_id, body.message.id)
  const vote = proposal === undefined ? null : voteFromButton(customId, proposal.voteOptions)
  if (proposal === undefined || vote === null) {
    return privately('This is not a vote PolicyKit knows.')
  }
  const deliveryId = `interaction:${body.id}`
  const work = (async (): Promise<JsonObject> => {
    if ((await ports.deliveries.claim(communityId, deliveryId)) !== 'claimed') {
      return deferredUpdate
    }
    try {
      const outcome = await castDiscordVote(
        deps,
        communityId,
        proposal,
        { id: user.id, username: user.username, globalName: user.global_name, bot: user.bot },
        vote,
      )
      await ports.deliveries.finish(communityId, deliveryId)
      if (outcome !== 'cast') {
        return privately(voteRefusal[outcome])
      }
      const current = (await ports.votes.proposal(communityId, proposal.id)) ?? proposal
      const tally = await proposalTally(ports.votes, communityId, current)
      return {
        type: 7,
        data: {
          content: voteContent({
            text: current.voteText ?? voteHeading(current),
            options: current.voteOptions,
            tally,
            status: current.status,
          }),
          components: voteComponents(current.voteOptions, current.status),
          allowed_mentions: { parse: [] },
        },
      }
    } catch (e) {
      await ports.deliveries.release(communityId, deliveryId)
      throw e
    }
  })()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), clickWithinMs)
  })
  try {
    const answered = await Promise.race([work, late])
    if (answered === 'late') {
      work.catch((e: unknown) => {
        ports.logger.error(
          { platform: discordPlatformName, communityId, interaction: body.id, err: String(e) },
          'discord: a late vote click failed',
        )
      })
      return deferredUpdate
    }
    return answered
  } finally {
    clearTimeout(timer)
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
        case 3:
          return body.data?.custom_id?.startsWith(voteButtonPrefix) === true
            ? { answer: await voteClick(deps, body) }
            : { answer: privately('PolicyKit does not know this button.') }
        default:
          return { answer: privately('PolicyKit does not handle this yet.') }
      }
    },
  }
}
