import type { FakeChannel, FakeMessage, FakeUser, Guild } from './guild.ts'
import type { Snowflakes } from './snowflakes.ts'

/** A gateway dispatch (op 0) the fake has produced: what a gateway connection would be sent. */
export interface Dispatch {
  /** The sequence number `s` it carries. */
  seq: number
  t: string
  d: Record<string, unknown>
}

/** What the fake's parts share: the model, the app's identity and what has happened. */
export interface FakeState {
  ids: Snowflakes
  now(): number
  guild: Guild
  applicationId: string
  bot: FakeUser
  botToken: string
  /** The application's public key (hex), as the portal and the application object show it. */
  publicKey: string
  /** OAuth access token → whose it is and what it may do. */
  accessTokens: Map<string, { userId: string; scopes: string[] }>
  dispatches: Dispatch[]
  dispatch(t: string, d: Record<string, unknown>): void
  /** Interactions delivered to the app, by id. */
  interactions: Map<string, InteractionRecord>
  /** The guild command registered by the app, by name. */
  commands: Map<string, { id: string; name: string; description: string; options: unknown[] }>
}

export function channelOf(state: FakeState, id: string): FakeChannel | undefined {
  return state.guild.channels.get(id)
}

/** Posts `content` in `channel` as `author`, as Discord stores it (the caller dispatches). */
export function addMessage(
  state: FakeState,
  channel: FakeChannel,
  author: FakeUser,
  input: {
    content: string
    components?: unknown[]
    replyTo?: string | null
    webhookId?: string | null
    type?: number
  },
): FakeMessage {
  const message: FakeMessage = {
    id: state.ids.next(),
    channelId: channel.id,
    author,
    content: input.content,
    timestamp: new Date(state.now()).toISOString(),
    pinned: false,
    webhookId: input.webhookId ?? null,
    components: input.components ?? [],
    replyTo: input.replyTo ?? null,
    reactions: new Map(),
    ...(input.type === undefined ? {} : { type: input.type }),
  }
  channel.messages.push(message)
  return message
}

/**
 * An interaction delivered to the app and what answered it: the callback (the delivery's HTTP
 * response, or a later `POST /interactions/…/callback`) and follow-up messages sent with its token.
 */
export interface InteractionRecord {
  id: string
  token: string
  channelId: string
  deliveredAt: number
  /** `type` 1 PONG, 4 message, 5 deferred, 6 deferred update, 7 update the message. */
  callback: { type: number; data?: Record<string, unknown> } | null
  followUps: Array<Record<string, unknown>>
  /** The message a component was clicked on (what a deferred update's `@original` edits); null for commands. */
  messageId: string | null
  /** Every `PATCH …/messages/@original` with the interaction's token, in order. */
  edits: Array<Record<string, unknown>>
  /** The answer's own message (a command's), once an edit gave it content: ephemeral ones are in no channel. */
  answerMessage: FakeMessage | null
  /**
   * Settles once the delivery's HTTP response has been taken as the callback: Discord reads the
   * answer before it lets the token's webhook routes act on it.
   */
  answered: Promise<void>
}
