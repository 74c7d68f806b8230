import type { APIMessage } from 'discord-api-types/v10'
import type { Delivery, Tamper } from './deliveries.ts'
import type { FakeChannel, FakeMember, FakeMessage } from './guild.ts'
import { hasPermission, permissionBits } from './guild.ts'
import { buttonBody, slashCommandBody } from './interaction-bodies.ts'
import { channelJson, messageJson } from './shapes.ts'
import type { FakeState } from './state.ts'
import { addMessage } from './state.ts'

/** What a member does in the Discord client; each change is dispatched as the gateway would. */
export interface MemberDriver {
  post(channel: FakeChannel, content: string): FakeMessage
  rename(channel: FakeChannel, name: string): void
  pin(message: FakeMessage): void
  react(message: FakeMessage, emoji: string): void
  unreact(message: FakeMessage, emoji: string): void
  /** Types `/policykit <text>`: the interaction is delivered, signed, to the app. */
  slashCommand(channel: FakeChannel, text: string, tamper?: Tamper): Promise<Delivery>
  /** Clicks the button `customId` on `message`. */
  click(message: FakeMessage, customId: string, tamper?: Tamper): Promise<Delivery>
}

export interface DriverDeps {
  state: FakeState
  /** Delivers an interaction body, recording it for its callback and follow-ups. */
  deliver(
    body: { id: string; token: string; channel_id: string; message?: { id: string } },
    tamper: Tamper | null,
  ): Promise<Delivery>
}

export function driveMember(deps: DriverDeps, member: FakeMember): MemberDriver {
  const { state } = deps
  const user = member.user
  const need = (bit: bigint, what: string) => {
    if (!hasPermission(state.guild, user.id, bit)) {
      throw new Error(`fake Discord: ${user.username} may not ${what} (Discord's client would not offer it)`)
    }
  }
  const channelOfMessage = (message: FakeMessage): FakeChannel => {
    const channel = state.guild.channels.get(message.channelId)
    if (channel === undefined) {
      throw new Error('fake Discord: the message is in no channel')
    }
    return channel
  }
  const reaction = (message: FakeMessage, emoji: string, add: boolean) => {
    const users = message.reactions.get(emoji) ?? []
    if (users.includes(user.id) === add) {
      return
    }
    const next = add ? [...users, user.id] : users.filter((id) => id !== user.id)
    if (next.length === 0) {
      message.reactions.delete(emoji)
    } else {
      message.reactions.set(emoji, next)
    }
    state.dispatch(add ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', {
      user_id: user.id,
      channel_id: message.channelId,
      message_id: message.id,
      guild_id: state.guild.id,
      emoji: { id: null, name: emoji },
      ...(add ? { member: { user: { id: user.id, username: user.username }, roles: [...member.roleIds] } } : {}),
    })
  }
  return {
    post(channel, content) {
      need(permissionBits.sendMessages, 'post')
      const message = addMessage(state, channel, user, { content })
      state.dispatch('MESSAGE_CREATE', { ...messageJson(message, null), guild_id: state.guild.id })
      return message
    },
    rename(channel, name) {
      need(permissionBits.manageChannels, 'rename a channel')
      channel.name = name
      state.dispatch('CHANNEL_UPDATE', channelJson(channel))
    },
    pin(message) {
      need(permissionBits.manageMessages, 'pin')
      message.pinned = true
      state.dispatch('CHANNEL_PINS_UPDATE', {
        guild_id: state.guild.id,
        channel_id: message.channelId,
        last_pin_timestamp: new Date(state.now()).toISOString(),
      })
      // Discord posts a notice of the pin (type 6), by whoever pinned, referencing the message.
      const notice = addMessage(state, channelOfMessage(message), user, { content: '', replyTo: message.id, type: 6 })
      state.dispatch('MESSAGE_CREATE', { ...messageJson(notice, null), guild_id: state.guild.id })
    },
    react: (message, emoji) => reaction(message, emoji, true),
    unreact: (message, emoji) => reaction(message, emoji, false),
    slashCommand(channel, text, tamper) {
      const command = state.commands.get('policykit')
      if (command === undefined) {
        throw new Error('fake Discord: /policykit is not registered in the guild')
      }
      return deps.deliver(slashCommandBody(state, member, channel, command, text), tamper ?? null)
    },
    click(message, customId, tamper) {
      const channel = channelOfMessage(message)
      // messageJson is the REST shape the spec checks; the interaction carries the same message.
      const shown = messageJson(message, null) as unknown as APIMessage
      return deps.deliver(buttonBody(state, member, channel, shown, customId), tamper ?? null)
    },
  }
}
