import type { SlackEvent } from './events.ts'
import type { FakeState } from './fake-state.ts'
import type { TokenRecord } from './tokens.ts'
import type { FakeChannel, FakeMessage, FakeUser } from './workspace.ts'

/** A Web API method of the fake: the scopes it accepts (any one of them) and what it does. */
export interface SlackMethod {
  /** `null`: no token needed (OAuth exchanges); `[]`: any valid token. */
  scopes: string[] | null
  run(call: MethodCall): MethodResult
}

export type Args = Record<string, unknown>

export interface MethodCall {
  args: Args
  state: FakeState
  /** The token's holder; for methods with `scopes: null`, the bot (never used for permissions). */
  caller: FakeUser
  token: TokenRecord | null
}

export interface MethodResult {
  body: Record<string, unknown>
  /** Sent to our endpoints after the response, as Slack echoes what an app did. */
  events?: SlackEvent[]
}

/** `{ ok: false, error, ...extra }`, answered with HTTP 200 as Slack does. */
export class SlackError extends Error {
  readonly error: string
  readonly extra: Record<string, unknown>
  constructor(error: string, extra: Record<string, unknown> = {}) {
    super(error)
    this.error = error
    this.extra = extra
  }
}

export function str(args: Args, name: string): string | undefined {
  const value = args[name]
  if (typeof value === 'string') {
    return value === '' ? undefined : value
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
}

export function need(args: Args, name: string, error: string): string {
  const value = str(args, name)
  if (value === undefined) {
    throw new SlackError(error)
  }
  return value
}

export function flag(args: Args, name: string): boolean {
  const value = args[name]
  return value === true || value === 'true' || value === '1' || value === 1
}

/** Block Kit `blocks`: an array, or (form bodies, and what Metagov sends) a JSON string of one. */
export function blocksArg(args: Args): unknown[] | undefined {
  const raw = args.blocks
  if (raw === undefined || raw === null || raw === '') {
    return undefined
  }
  let blocks: unknown = raw
  if (typeof raw === 'string') {
    try {
      blocks = JSON.parse(raw)
    } catch {
      throw new SlackError('invalid_blocks_format')
    }
  }
  const list: unknown[] = Array.isArray(blocks) ? blocks : []
  if (!Array.isArray(blocks) || !list.every((b) => typeof b === 'object' && b !== null && 'type' in b)) {
    throw new SlackError('invalid_blocks')
  }
  return list
}

/** A conversation the caller can see: public channels, and others only as a member. */
export function channelArg(call: MethodCall, name = 'channel'): FakeChannel {
  const channel = call.state.ws.findChannel(need(call.args, name, 'channel_not_found'))
  if (!channel || (channel.isPrivate && !channel.members.includes(call.caller.id))) {
    throw new SlackError('channel_not_found')
  }
  return channel
}

export function messageArg(channel: FakeChannel, call: MethodCall, name: string): FakeMessage {
  const ts = need(call.args, name, 'message_not_found')
  const message = call.state.ws.message(channel, ts)
  if (!message) {
    throw new SlackError('message_not_found')
  }
  return message
}

export function userArg(call: MethodCall, id: string | undefined): FakeUser {
  const user = id === undefined ? undefined : call.state.ws.user(id)
  if (!user) {
    throw new SlackError('user_not_found')
  }
  return user
}

export function isPrivileged(call: MethodCall): boolean {
  return call.token?.kind === 'user' && (call.caller.isAdmin || call.caller.isOwner)
}

/** A page of `items` from `cursor` (an opaque offset, as Slack's base64 cursors are). */
export function page<T>(args: Args, items: T[], defaultLimit: number, maxPageSize: number) {
  const limit = Math.min(Number(str(args, 'limit') ?? defaultLimit) || defaultLimit, maxPageSize)
  const cursor = str(args, 'cursor')
  const start =
    cursor === undefined
      ? 0
      : Number(
          Buffer.from(cursor, 'base64')
            .toString()
            .replace(/^offset:/, ''),
        )
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new SlackError('invalid_cursor')
  }
  const end = start + limit
  const next = end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : ''
  return { items: items.slice(start, end), nextCursor: next }
}
