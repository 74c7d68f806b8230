import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { headerValue, verifyEd25519Request } from '../kit/verify-request.ts'
import type { WebhookDef, WebhookReceipt, WebhookRequest } from '../platform.ts'
import type { DiscordDeps } from './deps.ts'
import { discordPlatformName } from './names.ts'
import { discordUser, ensureDiscordMember } from './users.ts'
import { realTimers, settleWithin } from '../kit/answer-in-time.ts'
import { voteRefusal } from '../kit/vote-tally.ts'
import { editOriginalAnswer, followUpAnswer } from './interaction-replies.ts'
import { voteButtonPrefix, voteFromButton } from './voting/vote-message.ts'
import { voteMessageBody } from './voting/voting.ts'
import { castDiscordVote, proposalOfVoteMessage } from './voting/votes.ts'

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
      user: discordUser,
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

/** Type 5 with `flags` 64: "PolicyKit is thinking…", shown to the invoker only, answered later. */
const deferredPrivately: JsonObject = { type: 5, data: { flags: 64 } }

/**
 * `/policykit <text>`: acknowledged at once with a deferred answer (trigger policies may take
 * longer than Discord's 3 s), then handed to them (`discord.slashCommand`) once per interaction,
 * and the deferred answer rewritten to say so.
 */
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
  const handOver = async (): Promise<void> => {
    if ((await ports.deliveries.claim(communityId, deliveryId)) !== 'claimed') {
      return
    }
    try {
      const member = await ensureDiscordMember(ports.members, communityId, user)
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
  }
  return {
    answer: deferredPrivately,
    context: { platform: discordPlatformName, communityId, interaction: body.id },
    async afterAnswer() {
      try {
        await handOver()
      } catch (e) {
        await editOriginalAnswer(deps, body.token, { content: 'PolicyKit could not take this: please try again.' })
        throw e
      }
      await editOriginalAnswer(deps, body.token, { content: 'Sent to PolicyKit.' })
    },
  }
}

/** How long a click may take to be counted before Discord is answered with a deferred update instead. */
const clickWithinMs = 2_000

/** Type 6: acknowledged, the message will change (or not) without an answer now. */
const deferredUpdate: JsonObject = { type: 6 }

/** What a click came to: the vote message as it now stands, a refusal for the voter, or nothing (a repeat). */
type ClickOutcome = { counted: JsonObject } | { refused: string } | 'repeat'

/** The click's outcome as the interaction's answer (type 7 rewrites the clicked message). */
function clickAnswer(outcome: ClickOutcome): JsonObject {
  if (outcome === 'repeat') {
    return deferredUpdate
  }
  return 'refused' in outcome ? privately(outcome.refused) : { type: 7, data: outcome.counted }
}

/** The click's outcome after a deferred update: the clicked message rewritten, or the voter told privately. */
async function answerClickLate(deps: DiscordDeps, token: string, outcome: ClickOutcome): Promise<void> {
  if (outcome === 'repeat') {
    return
  }
  if ('refused' in outcome) {
    await followUpAnswer(deps, token, { content: outcome.refused, flags: 64 })
    return
  }
  await editOriginalAnswer(deps, token, outcome.counted)
}

/**
 * A click on a vote button: cast through the engine (which re-checks the proposal) and answered
 * with the message as it now stands (type 7: its tally, or its outcome without buttons once
 * decided); a voter who may not vote, or a vote that has closed, is told privately. Each
 * interaction counts once, however often it is delivered. A cast that takes longer than Discord
 * waits is answered with a deferred update (type 6) and finishes alone: then the clicked message
 * is rewritten, or the voter told, through the interaction's webhook.
 */
async function voteClick(deps: DiscordDeps, body: Interaction): Promise<WebhookReceipt> {
  const { ports } = deps
  const integration = body.guild_id === undefined ? undefined : await ports.integrations.findByExternalId(body.guild_id)
  const user = body.member?.user
  const customId = body.data?.custom_id ?? ''
  if (integration === undefined || !integration.active || user === undefined || body.message === undefined) {
    return { answer: privately('This server is not connected to PolicyKit.') }
  }
  const { communityId } = integration
  const proposal = await proposalOfVoteMessage(deps, communityId, body.message.channel_id, body.message.id)
  const vote = proposal === undefined ? null : voteFromButton(customId, proposal.voteOptions)
  if (proposal === undefined || vote === null) {
    return { answer: privately('This is not a vote PolicyKit knows.') }
  }
  const deliveryId = `interaction:${body.id}`
  const work = (async (): Promise<ClickOutcome> => {
    if ((await ports.deliveries.claim(communityId, deliveryId)) !== 'claimed') {
      return 'repeat'
    }
    try {
      const outcome = await castDiscordVote(deps, communityId, proposal, user, vote)
      await ports.deliveries.finish(communityId, deliveryId)
      if (outcome !== 'cast') {
        return { refused: voteRefusal[outcome] }
      }
      const current = (await ports.votes.proposal(communityId, proposal.id)) ?? proposal
      return { counted: await voteMessageBody(deps, { communityId }, current) }
    } catch (e) {
      await ports.deliveries.release(communityId, deliveryId)
      throw e
    }
  })()
  const settled = await settleWithin(realTimers, clickWithinMs, work)
  if (settled.inTime) {
    return { answer: clickAnswer(settled.value) }
  }
  return {
    answer: deferredUpdate,
    context: { platform: discordPlatformName, communityId, interaction: body.id },
    afterAnswer: async () => answerClickLate(deps, body.token, await work),
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
            ? voteClick(deps, body)
            : { answer: privately('PolicyKit does not know this button.') }
        default:
          return { answer: privately('PolicyKit does not handle this yet.') }
      }
    },
  }
}
