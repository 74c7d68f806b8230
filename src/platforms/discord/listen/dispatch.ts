import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import type { Integration } from '../../../domain/community.ts'
import type { JsonObject } from '../../../domain/json.ts'
import type { Member } from '../../../domain/member.ts'
import { isAppError, toError } from '../../../errors.ts'
import { noteLostAccess } from '../../kit/switch-off.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordEchoes } from '../echoes.ts'
import { discordPlatformName } from '../names.ts'
import { discordUser, ensureDiscordMember, type DiscordUser } from '../users.ts'
import { discordGatewayEvents, type DiscordGatewayEvent } from '../triggers.ts'
import { voteFromReaction } from '../voting/vote-message.ts'
import { castDiscordVote, proposalOfVoteMessage, withdrawDiscordVote } from '../voting/votes.ts'

const message = z.object({
  id: z.string(),
  channel_id: z.string(),
  guild_id: z.string().optional(),
  type: z.number(),
  content: z.string(),
  author: discordUser,
  webhook_id: z.string().optional(),
  message_reference: z.object({ message_id: z.string().optional() }).optional(),
})
const channel = z.object({
  id: z.string(),
  type: z.number(),
  name: z.string().nullable().optional(),
  guild_id: z.string().optional(),
})
const reaction = z.object({
  user_id: z.string(),
  channel_id: z.string(),
  message_id: z.string(),
  guild_id: z.string().optional(),
  emoji: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  member: z.object({ user: discordUser }).optional(),
})
const guildCreate = z.object({
  id: z.string(),
  channels: z.array(channel).optional(),
})
const guildDelete = z.object({ id: z.string(), unavailable: z.boolean().optional() })

/**
 * What one gateway connection knows besides the database: who the bot is (READY), and each
 * channel's name as last seen (GUILD_CREATE, CHANNEL_*), so that a rename can be reverted to it.
 */
export interface GatewayMemory {
  botUserId: string
  channelNames: Map<string, string>
}

export function gatewayMemory(botUserId: string): GatewayMemory {
  return { botUserId, channelNames: new Map() }
}

/** The event's guild: `guild_id`, or the guild itself for GUILD_* events that are about it. */
function guildIdOf(t: string, d: Record<string, unknown>): string | undefined {
  const id = t === 'GUILD_CREATE' || t === 'GUILD_UPDATE' || t === 'GUILD_DELETE' ? d.id : d.guild_id
  return typeof id === 'string' ? id : undefined
}

/**
 * One gateway dispatch, in the order Discord sent it: a member's message, rename, pin or new
 * channel becomes a governed action that already happened (undone at once, with a direct message
 * saying why, when they may not propose it); a reaction on a vote message votes; the bot's
 * removal from the guild switches the connection off; and every event of a connected guild
 * reaches trigger policies as `discord.<EVENT_NAME>`. What PolicyKit caused is left alone: the
 * bot's and webhooks' messages and reactions, its own renames and new channels (echo records).
 */
export async function handleDispatch(
  deps: DiscordDeps,
  memory: GatewayMemory,
  t: string,
  d: Record<string, unknown>,
): Promise<void> {
  if (t === 'READY') {
    const me = z.object({ user: z.object({ id: z.string() }) }).safeParse(d)
    if (me.success) {
      memory.botUserId = me.data.user.id
    }
    return
  }
  const guildId = guildIdOf(t, d)
  if (guildId === undefined) {
    return
  }
  const integration = await deps.ports.integrations.findByExternalId(guildId)
  if (t === 'GUILD_CREATE') {
    for (const c of guildCreate.safeParse(d).data?.channels ?? []) {
      if (typeof c.name === 'string') {
        memory.channelNames.set(c.id, c.name)
      }
    }
    return
  }
  if (integration === undefined || !integration.active) {
    return
  }
  const seen = new Dispatched(deps, memory, integration, t, d)
  await seen.handle()
}

class Dispatched {
  readonly deps: DiscordDeps
  readonly memory: GatewayMemory
  readonly integration: Integration
  readonly t: string
  readonly d: Record<string, unknown>
  readonly communityId: number
  constructor(
    deps: DiscordDeps,
    memory: GatewayMemory,
    integration: Integration,
    t: string,
    d: Record<string, unknown>,
  ) {
    this.deps = deps
    this.memory = memory
    this.integration = integration
    this.t = t
    this.d = d
    this.communityId = integration.communityId
  }

  async handle(): Promise<void> {
    const { t, d } = this
    switch (t) {
      case 'GUILD_DELETE': {
        const gone = guildDelete.parse(d)
        if (gone.unavailable !== true) {
          await noteLostAccess(this.deps.ports, this.integration, {
            switchOff: true,
            message: 'The PolicyKit bot was removed from the Discord server: the connection is switched off',
            details: { guild: gone.id },
          })
        }
        return
      }
      case 'MESSAGE_CREATE':
        return this.messageCreated(message.parse(d))
      case 'CHANNEL_CREATE':
        return this.channelCreated(channel.parse(d))
      case 'CHANNEL_UPDATE':
        return this.channelUpdated(channel.parse(d))
      case 'CHANNEL_DELETE': {
        const gone = channel.parse(d)
        this.memory.channelNames.delete(gone.id)
        if (await this.deps.ports.echoes.take(this.communityId, discordEchoes.deleteChannel(gone.id))) {
          return
        }
        return this.trigger(null)
      }
      case 'MESSAGE_DELETE':
        return this.unlessEcho(discordEchoes.deleteMessage(String(d.channel_id), String(d.id)))
      case 'CHANNEL_PINS_UPDATE':
        return this.unlessEcho(discordEchoes.pins(String(d.channel_id)))
      case 'GUILD_MEMBER_REMOVE':
        return this.unlessEcho(discordEchoes.memberRemoved(String(this.actorOf(d)?.id)))
      case 'GUILD_MEMBER_UPDATE':
        return this.unlessEcho(discordEchoes.memberRoles(String(this.actorOf(d)?.id)))
      case 'MESSAGE_UPDATE': {
        // PolicyKit's own edits (vote tallies, answers to interactions) are the bot's or a webhook's.
        const author = this.actorOf(d)
        if (author?.id === this.memory.botUserId || d.webhook_id !== undefined || author?.bot === true) {
          return
        }
        return this.trigger(await this.memberOf(author))
      }
      case 'MESSAGE_REACTION_ADD':
      case 'MESSAGE_REACTION_REMOVE':
        return this.reacted(reaction.parse(d), t === 'MESSAGE_REACTION_ADD')
      default:
        return this.trigger(await this.memberOf(this.actorOf(d)))
    }
  }

  /** An event PolicyKit's own call caused (its echo record) is left alone; any other reaches trigger policies. */
  async unlessEcho(echo: string): Promise<void> {
    if (await this.deps.ports.echoes.take(this.communityId, echo)) {
      return
    }
    await this.trigger(await this.memberOf(this.actorOf(this.d)))
  }

  /** Who did it, where the event says: a message's author, a member's user. */
  actorOf(d: Record<string, unknown>): DiscordUser | null {
    const candidate =
      d.author ?? (typeof d.member === 'object' && d.member !== null && 'user' in d.member ? d.member.user : d.user)
    const parsed = discordUser.safeParse(candidate)
    return parsed.success ? parsed.data : null
  }

  async memberOf(person: DiscordUser | null): Promise<Member | null> {
    if (person === null || person.bot === true) {
      return null
    }
    return ensureDiscordMember(this.deps.ports.members, this.communityId, person)
  }

  async trigger(initiator: Member | null): Promise<void> {
    if (!(this.t in discordGatewayEvents)) {
      return
    }
    const name: DiscordGatewayEvent = this.t as DiscordGatewayEvent
    await this.deps.ports.trigger({
      communityId: this.communityId,
      type: `${discordPlatformName}.${name}`,
      data: JSON.parse(JSON.stringify(this.d)) as JsonObject,
      initiatorId: initiator?.id ?? null,
    })
  }

  async messageCreated(m: z.infer<typeof message>): Promise<void> {
    // PolicyKit's own: the bot's messages (votes, notices, pins) and every webhook's (re-posts).
    if (m.author.id === this.memory.botUserId || m.webhook_id !== undefined || m.author.bot === true) {
      return
    }
    const member = await this.memberOf(m.author)
    await this.trigger(member)
    if (m.type === 6 && m.message_reference?.message_id !== undefined) {
      await this.govern(member, m.author.id, {
        type: 'discord.pinMessage',
        params: { channel: m.channel_id, message: m.message_reference.message_id },
        result: {},
        externalId: `message:${m.id}`,
        what: 'your pin',
      })
      return
    }
    if (m.type !== 0 && m.type !== 19) {
      return
    }
    const replyTo = m.type === 19 ? m.message_reference?.message_id : undefined
    await this.govern(member, m.author.id, {
      type: 'discord.postMessage',
      params: { channel: m.channel_id, text: m.content, ...(replyTo === undefined ? {} : { replyTo }) },
      result: { channel: m.channel_id, message: m.id },
      externalId: `message:${m.id}`,
      what: 'your message',
    })
  }

  async channelCreated(c: z.infer<typeof channel>): Promise<void> {
    const name = c.name ?? ''
    this.memory.channelNames.set(c.id, name)
    if (await this.deps.ports.echoes.take(this.communityId, discordEchoes.createChannel(name))) {
      return
    }
    await this.trigger(null)
    if (c.type !== 0) {
      return
    }
    // Discord does not say who made it: governed as an action without an initiator (the default role's permissions).
    await this.govern(null, null, {
      type: 'discord.createChannel',
      params: { name },
      result: { channel: c.id },
      externalId: `channel-create:${c.id}`,
      what: 'the new channel',
    })
  }

  async channelUpdated(c: z.infer<typeof channel>): Promise<void> {
    const name = c.name ?? ''
    const previousName = this.memory.channelNames.get(c.id)
    this.memory.channelNames.set(c.id, name)
    if (await this.deps.ports.echoes.take(this.communityId, discordEchoes.rename(c.id, name))) {
      return
    }
    await this.trigger(null)
    if (previousName === undefined || previousName === name || c.type !== 0) {
      return
    }
    await this.govern(null, null, {
      type: 'discord.renameChannel',
      params: { channel: c.id, name, previousName },
      result: { previousName },
      externalId: `rename:${c.id}:${previousName}:${name}`,
      what: 'the rename',
    })
  }

  async reacted(r: z.infer<typeof reaction>, added: boolean): Promise<void> {
    if (r.user_id === this.memory.botUserId) {
      return
    }
    const proposal = await proposalOfVoteMessage(this.deps, this.communityId, r.channel_id, r.message_id)
    const vote =
      proposal === undefined || r.emoji.name === null ? null : voteFromReaction(r.emoji.name, proposal.voteOptions)
    const person = r.member?.user ?? null
    await this.trigger(await this.memberOf(person))
    if (proposal === undefined || vote === null) {
      return
    }
    if (added) {
      if (person !== null) {
        await castDiscordVote(this.deps, this.communityId, proposal, person, vote)
      }
      return
    }
    await withdrawDiscordVote(this.deps, this.communityId, proposal, r.user_id, vote)
  }

  /**
   * A member's action that already happened, handed to the engine; one who may not propose it has
   * it undone at once and is told why by direct message.
   */
  async govern(
    member: Member | null,
    discordUserId: string | null,
    observed: { type: string; params: JsonObject; result: JsonObject; externalId: string; what: string },
  ): Promise<void> {
    const { ports } = this.deps
    try {
      const outcome = await ports.propose({
        communityId: this.communityId,
        type: observed.type,
        params: observed.params,
        result: observed.result,
        initiatorId: member?.id ?? null,
        origin: 'platform',
        externalId: observed.externalId,
      })
      if (outcome.status === 'forbidden' && discordUserId !== null) {
        await this.tellPrivately(discordUserId, `PolicyKit undid ${observed.what}: ${outcome.reason}.`)
      }
    } catch (e) {
      // An event PolicyKit cannot describe as its action (an empty message with only a file, a
      // name Discord allows but the action does not) is left alone.
      if (!isAppError(e, 'invalid_input')) {
        throw e
      }
      ports.logger.warn(
        { platform: discordPlatformName, communityId: this.communityId, type: observed.type, reason: e.message },
        'discord: event not governed',
      )
    }
  }

  async tellPrivately(discordUserId: string, text: string): Promise<void> {
    const rest = discordRest(this.deps.options)
    try {
      const dm = z
        .object({ id: z.string() })
        .parse(
          await callDiscord('open the direct message', () =>
            rest.post(Routes.userChannels(), { body: { recipient_id: discordUserId } }),
          ),
        )
      await callDiscord('send the direct message', () =>
        rest.post(Routes.channelMessages(dm.id), { body: { content: text, allowed_mentions: { parse: [] } } }),
      )
    } catch (e) {
      this.deps.ports.logger.warn(
        { platform: discordPlatformName, communityId: this.communityId, err: toError(e) },
        'discord: could not tell a member privately why their action was undone',
      )
    }
  }
}
