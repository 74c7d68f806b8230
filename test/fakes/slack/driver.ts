import type { Delivery, Deliverer } from './deliveries.ts'
import type { Interactivity } from './interactivity.ts'
import { addReaction, joinChannel, pinMessage, postMessage, removeReaction, renameChannel } from './operations.ts'
import type { FakeChannel, FakeMessage, FakeUser, Workspace } from './workspace.ts'

/**
 * A simulated person in the Slack client: each step changes the workspace as Slack would, then
 * delivers the resulting events (signed) to the app and resolves with its answers. What the
 * Slack client would not let the person do throws, so a test cannot drive an impossible state.
 */
export interface UserDriver {
  postMessage(
    channel: FakeChannel,
    text: string,
    options?: { threadTs?: string },
  ): Promise<{ message: FakeMessage; deliveries: Delivery[] }>
  renameChannel(channel: FakeChannel, name: string): Promise<Delivery[]>
  joinChannel(channel: FakeChannel): Promise<Delivery[]>
  pinMessage(channel: FakeChannel, ts: string): Promise<Delivery[]>
  react(channel: FakeChannel, ts: string, emoji: string): Promise<Delivery[]>
  unreact(channel: FakeChannel, ts: string, emoji: string): Promise<Delivery[]>
  clickButton(channel: FakeChannel, ts: string, actionId: string, value: string): Promise<Delivery>
}

export function driveUser(
  parts: { ws: Workspace; deliverer: Deliverer; interactivity: Interactivity },
  user: FakeUser,
): UserDriver {
  const { ws, deliverer, interactivity } = parts
  const refuse = (why: string): never => {
    throw new Error(`fake Slack: ${user.name} cannot ${why}`)
  }
  const member = (channel: FakeChannel, doing: string) => {
    if (!channel.members.includes(user.id)) {
      refuse(`${doing}: not a member of #${channel.name || channel.id}`)
    }
    if (channel.isArchived) {
      refuse(`${doing}: #${channel.name} is archived`)
    }
  }
  const message = (channel: FakeChannel, ts: string, doing: string): FakeMessage =>
    ws.message(channel, ts) ?? refuse(`${doing}: no message ${ts} in #${channel.name || channel.id}`)
  const emojiName = (emoji: string) => emoji.replace(/^:|:$/g, '')

  return {
    async postMessage(channel, text, options = {}) {
      member(channel, 'post')
      if (options.threadTs !== undefined) {
        message(channel, options.threadTs, 'reply')
      }
      const posted = postMessage(ws, channel, user, { text, threadTs: options.threadTs, asBot: false, typed: true })
      return { message: posted.message, deliveries: await deliverer.events(posted.events) }
    },

    async renameChannel(channel, name) {
      member(channel, 'rename')
      if (channel.kind !== 'channel') {
        refuse('rename a direct message')
      }
      if (channel.isGeneral && !user.isAdmin && !user.isOwner) {
        refuse('rename #general (admins only)')
      }
      if (!/^[\p{Ll}\p{Lo}\p{N}_-]{1,80}$/u.test(name)) {
        refuse(`rename to "${name}" (Slack's channel-name rules)`)
      }
      if (ws.channels.some((c) => c !== channel && c.name === name)) {
        refuse(`rename to "${name}" (name taken)`)
      }
      return deliverer.events(name === channel.name ? [] : renameChannel(ws, channel, name, user))
    },

    async joinChannel(channel) {
      if (channel.kind !== 'channel' || channel.isPrivate) {
        refuse(`join #${channel.name || channel.id} (not a public channel)`)
      }
      if (channel.members.includes(user.id)) {
        refuse(`join #${channel.name}: already a member`)
      }
      return deliverer.events(joinChannel(ws, channel, user))
    },

    async pinMessage(channel, ts) {
      member(channel, 'pin')
      const pinned = message(channel, ts, 'pin')
      if (channel.pins.includes(ts)) {
        refuse(`pin ${ts}: already pinned`)
      }
      return deliverer.events(pinMessage(ws, channel, pinned, user))
    },

    async react(channel, ts, emoji) {
      member(channel, 'react')
      const target = message(channel, ts, 'react')
      const name = emojiName(emoji)
      if (target.reactions.some((r) => r.name === name && r.users.includes(user.id))) {
        refuse(`react :${name}: twice`)
      }
      return deliverer.events(addReaction(ws, channel, target, user, name))
    },

    async unreact(channel, ts, emoji) {
      member(channel, 'unreact')
      const target = message(channel, ts, 'unreact')
      const name = emojiName(emoji)
      if (!target.reactions.some((r) => r.name === name && r.users.includes(user.id))) {
        refuse(`remove :${name}:, which they did not add`)
      }
      return deliverer.events(removeReaction(ws, channel, target, user, name))
    },

    async clickButton(channel, ts, actionId, value) {
      member(channel, 'click a button')
      const target = message(channel, ts, 'click a button')
      return deliverer.interaction(interactivity.buttonPayload(user, channel, target, actionId, value))
    },
  }
}
