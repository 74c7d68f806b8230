import { randomBytes } from 'node:crypto'
import { messageEventBody } from './events.ts'
import type { SlackEvent } from './events.ts'
import type { FakeState } from './fake-state.ts'
import { deleteMessage, postEphemeral, postMessage, updateMessage } from './operations.ts'
import type { Args } from './slack-method.ts'
import { blocksArg, flag, str } from './slack-method.ts'
import type { FakeChannel, FakeMessage, FakeUser } from './workspace.ts'

/** Block Kit button clicks (`block_actions`) and the `response_url` the app answers them through. */
export interface Interactivity {
  buttonPayload(user: FakeUser, channel: FakeChannel, message: FakeMessage, actionId: string, value: string): Args
  /** `POST /actions/<id>`: replace or delete the original message, or reply in channel or ephemerally. */
  respond(id: string, body: Args): { status: number; body: string; events: SlackEvent[] }
}

interface ResponseUrl {
  channel: string
  messageTs: string
  userId: string
  uses: number
}

/** Slack accepts five uses of a response_url. */
const maxUses = 5

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The button with this action_id and value, in an `actions` block or as a section's accessory. */
function findButton(message: FakeMessage, actionId: string, value: string) {
  for (const block of message.blocks ?? []) {
    if (!isRecord(block)) {
      continue
    }
    const elements = Array.isArray(block.elements) ? block.elements : [block.accessory]
    for (const element of elements) {
      if (isRecord(element) && element.type === 'button' && element.action_id === actionId && element.value === value) {
        return { blockId: typeof block.block_id === 'string' ? block.block_id : 'fake', element }
      }
    }
  }
  return undefined
}

export function createInteractivity(state: FakeState): Interactivity {
  const urls = new Map<string, ResponseUrl>()

  return {
    buttonPayload(user, channel, message, actionId, value) {
      const { ws } = state
      const button = findButton(message, actionId, value)
      if (!button) {
        throw new Error(`fake Slack: message ${message.ts} has no button with action_id ${actionId} and value ${value}`)
      }
      const id = randomBytes(12).toString('hex')
      urls.set(id, { channel: channel.id, messageTs: message.ts, userId: user.id, uses: 0 })
      const { element } = button
      return {
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: ws.team.id },
        api_app_id: ws.appId,
        token: state.verificationToken,
        container: { type: 'message', message_ts: message.ts, channel_id: channel.id, is_ephemeral: false },
        trigger_id: `${Math.floor(ws.now() / 1000)}.${ws.ids.next('')}.${randomBytes(8).toString('hex')}`,
        team: { id: ws.team.id, domain: ws.team.domain },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channel.id, name: channel.name },
        message: messageEventBody(ws, message),
        state: { values: {} },
        response_url: `${state.baseUrl}/actions/${ws.team.id}/${id}`,
        actions: [
          {
            action_id: actionId,
            block_id: button.blockId,
            text: element.text,
            value,
            ...(typeof element.style === 'string' ? { style: element.style } : {}),
            type: 'button',
            action_ts: ws.ids.nextTs(),
          },
        ],
      }
    },

    respond(id, body) {
      const { ws } = state
      const target = urls.get(id)
      if (!target) {
        return { status: 404, body: JSON.stringify({ ok: false, error: 'expired_url' }), events: [] }
      }
      if (++target.uses > maxUses) {
        return { status: 404, body: JSON.stringify({ ok: false, error: 'used_url' }), events: [] }
      }
      const channel = ws.findChannel(target.channel)
      const message = channel && ws.message(channel, target.messageTs)
      const user = ws.user(target.userId)
      if (!channel || !user) {
        return { status: 404, body: JSON.stringify({ ok: false, error: 'channel_not_found' }), events: [] }
      }
      const ok = (events: SlackEvent[]) => ({ status: 200, body: JSON.stringify({ ok: true }), events })
      const text = str(body, 'text') ?? ''
      const blocks = blocksArg(body)
      if (flag(body, 'delete_original')) {
        return ok(message ? deleteMessage(ws, channel, message) : [])
      }
      if (flag(body, 'replace_original')) {
        return ok(message ? updateMessage(ws, channel, message, ws.bot, { text, blocks }) : [])
      }
      const threadTs = str(body, 'thread_ts')
      if (str(body, 'response_type') === 'in_channel') {
        return ok(postMessage(ws, channel, ws.bot, { text, blocks, threadTs, asBot: true }).events)
      }
      postEphemeral(ws, channel, ws.bot, user, { text, blocks, threadTs })
      return ok([])
    },
  }
}
