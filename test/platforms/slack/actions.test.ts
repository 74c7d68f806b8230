import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Action } from '../../../src/domain/action.ts'
import type { JsonObject } from '../../../src/domain/json.ts'
import { isAppError } from '../../../src/errors.ts'
import type { ExecutionContext, PlatformContext } from '../../../src/platforms/platform.ts'
import { echoKey } from '../../../src/platforms/slack/echoes.ts'
import { startPlatformRig, type PlatformRig } from './platform-rig.ts'

describe('Slack actions against the fake Slack', () => {
  let rig: PlatformRig

  beforeEach(async () => {
    rig = await startPlatformRig()
  })
  afterEach(async () => {
    await rig.close()
  })

  async function execute(name: string, params: JsonObject, action?: Action): Promise<JsonObject | null> {
    const def = rig.action(name)
    if (!def.execute) {
      throw new Error(`slack.${name} has no execute`)
    }
    const parsed = def.params.parse(params)
    const row = action ?? (await rig.actionRow(`slack.${name}`, parsed))
    return (await def.execute(executionContext(await rig.context(), name, 'execute'), parsed, row)) ?? null
  }

  /** First attempts: what the engine hands execute and revert. */
  function executionContext(ctx: PlatformContext, name: string, op: string): ExecutionContext {
    return { ...ctx, idempotencyKey: `slack:${name}:${op}`, retry: false }
  }

  async function revert(name: string, params: JsonObject, result: JsonObject | null): Promise<void> {
    const def = rig.action(name)
    if (!def.revert) {
      throw new Error(`slack.${name} has no revert`)
    }
    const parsed = def.params.parse(params)
    await def.revert(
      executionContext(await rig.context(), name, 'revert'),
      parsed,
      result,
      await rig.actionRow(`slack.${name}`, parsed),
    )
  }

  /** The `ts` of a posted message as `execute` returned it. */
  const tsOf = (result: JsonObject | null): string => {
    const ts = result?.['ts']
    assert.ok(typeof ts === 'string', `no ts in ${JSON.stringify(result)}`)
    return ts
  }

  const rejects = (code: string) => (e: unknown) => {
    assert.ok(isAppError(e), `expected an AppError, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    return true
  }

  describe('postMessage', () => {
    it('reverts by deleting the member’s message with the admin’s token', async () => {
      const { message } = await rig.fake.as(rig.bob).postMessage(rig.channel, 'pull the weeds')
      const params = { channel: rig.channel.id, text: 'pull the weeds' }
      await revert('postMessage', params, { channel: rig.channel.id, ts: message.ts })
      assert.equal(rig.fake.workspace.message(rig.channel, message.ts), undefined)
      const [call] = rig.fake.callsTo('chat.delete')
      assert.ok(call?.token?.startsWith('xoxp-'), 'deleted with the user token')
    })

    it('re-posts as the bot under the author’s name and picture, returning the new message', async () => {
      const bob = await rig.member(rig.bob)
      const params = { channel: rig.channel.id, text: 'pull the weeds' }
      const action = await rig.actionRow('slack.postMessage', params, bob.id)
      const result = await execute('postMessage', params, action)
      assert.ok(result)
      assert.equal(result['channel'], rig.channel.id)
      const message = rig.fake.workspace.message(rig.channel, tsOf(result))
      assert.equal(message?.text, 'pull the weeds')
      assert.equal(message?.botId, rig.fake.bot.botId, 'posted by the bot: its echo is known by the bot id')
      const [call] = rig.fake.callsTo('chat.postMessage')
      assert.ok(call?.token?.startsWith('xoxb-'))
      assert.equal(call?.args['username'], 'bob')
      assert.match(String(call?.args['icon_url']), /^https:\/\//)
    })

    it('re-posts a thread reply in its thread', async () => {
      const { message: root } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'what to plant?')
      const params = { channel: rig.channel.id, text: 'tulips', threadTs: root.ts }
      const result = await execute('postMessage', params)
      assert.equal(rig.fake.workspace.message(rig.channel, tsOf(result))?.threadTs, root.ts)
    })

    it('re-posted, it can be deleted again by its revert', async () => {
      const params = { channel: rig.channel.id, text: 'again' }
      const result = await execute('postMessage', params)
      await revert('postMessage', params, result)
      assert.equal(rig.fake.workspace.message(rig.channel, tsOf(result)), undefined)
    })

    it('reverting a message already deleted is done, not an error', async () => {
      const { message } = await rig.fake.as(rig.bob).postMessage(rig.channel, 'oops')
      const result = { channel: rig.channel.id, ts: message.ts }
      await revert('postMessage', { channel: rig.channel.id, text: 'oops' }, result)
      await revert('postMessage', { channel: rig.channel.id, text: 'oops' }, result)
      assert.equal(rig.fake.callsTo('chat.delete').length, 2)
    })

    it('a 429 from Slack is platform_unavailable (the engine retries later); 5xx too after quick retries', async () => {
      rig.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 30 })
      const params = { channel: rig.channel.id, text: 'later' }
      await assert.rejects(execute('postMessage', params), rejects('platform_unavailable'))
      assert.equal(rig.fake.callsTo('chat.postMessage').length, 1, 'a 429 is not waited out in-process')

      rig.fake.failNext('chat.postMessage', { status: 500 }, 3)
      await assert.rejects(execute('postMessage', params), rejects('platform_unavailable'))
      assert.equal(rig.fake.callsTo('chat.postMessage').length, 4, 'the first try and two retries')

      const result = await execute('postMessage', params)
      assert.equal(rig.fake.workspace.message(rig.channel, tsOf(result))?.text, 'later')
    })
  })

  describe('renameConversation', () => {
    it('renames with the admin’s token, records the echo, and reverts to the name before', async () => {
      const params = { channel: rig.channel.id, name: 'flower-beds' }
      const result = await execute('renameConversation', params)
      assert.deepEqual(result, { previousName: 'garden' })
      assert.equal(rig.channel.name, 'flower-beds')
      assert.ok(rig.fake.callsTo('conversations.rename')[0]?.token?.startsWith('xoxp-'))
      assert.equal(await rig.takeEcho(echoKey.rename(rig.channel.id, 'flower-beds')), true)

      await revert('renameConversation', params, result)
      assert.equal(rig.channel.name, 'garden')
      assert.equal(await rig.takeEcho(echoKey.rename(rig.channel.id, 'garden')), true)
    })

    it('reverts a rename seen on Slack to the previous name it carries', async () => {
      await rig.fake.as(rig.ada).renameChannel(rig.channel, 'adas-garden')
      await revert('renameConversation', { channel: rig.channel.id, name: 'adas-garden', previousName: 'garden' }, null)
      assert.equal(rig.channel.name, 'garden')
    })

    it('a name Slack refuses is platform_rejected, and no echo is left behind', async () => {
      await assert.rejects(
        execute('renameConversation', { channel: rig.channel.id, name: 'general' }),
        rejects('platform_rejected'),
      )
      assert.equal(rig.channel.name, 'garden')
      assert.equal(await rig.takeEcho(echoKey.rename(rig.channel.id, 'general')), false)
    })

    it('refuses names Slack would refuse before anything is proposed', () => {
      const { params } = rig.action('renameConversation')
      assert.equal(params.safeParse({ channel: rig.channel.id, name: 'Flower Beds' }).success, false)
      assert.equal(params.safeParse({ channel: rig.channel.id, name: 'x'.repeat(81) }).success, false)
    })
  })

  describe('joinConversation', () => {
    it('invites the member, recording the echo, and reverts by removing them', async () => {
      const params = { channel: rig.channel.id, user: rig.carol.id }
      await execute('joinConversation', params)
      assert.ok(rig.channel.members.includes(rig.carol.id))
      assert.equal(await rig.takeEcho(echoKey.join(rig.channel.id, rig.carol.id)), true)

      await revert('joinConversation', params, null)
      assert.ok(!rig.channel.members.includes(rig.carol.id))
    })

    it('reverts a join seen on Slack', async () => {
      await rig.fake.as(rig.carol).joinChannel(rig.channel)
      await revert('joinConversation', { channel: rig.channel.id, user: rig.carol.id }, null)
      assert.ok(!rig.channel.members.includes(rig.carol.id))
    })

    it('inviting someone already in the channel is done, and expects no echo', async () => {
      await execute('joinConversation', { channel: rig.channel.id, user: rig.bob.id })
      assert.equal(await rig.takeEcho(echoKey.join(rig.channel.id, rig.bob.id)), false)
    })
  })

  describe('pinMessage', () => {
    it('pins with the bot, recording the echo, and reverts by unpinning', async () => {
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'rules of the garden')
      const params = { channel: rig.channel.id, ts: message.ts }
      await execute('pinMessage', params)
      assert.deepEqual(rig.channel.pins, [message.ts])
      assert.equal(await rig.takeEcho(echoKey.pin(rig.channel.id, message.ts)), true)

      await revert('pinMessage', params, { channel: rig.channel.id, ts: message.ts })
      assert.deepEqual(rig.channel.pins, [])
    })

    it('reverts a pin seen on Slack', async () => {
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'pin me')
      await rig.fake.as(rig.bob).pinMessage(rig.channel, message.ts)
      await revert('pinMessage', { channel: rig.channel.id, ts: message.ts }, null)
      assert.deepEqual(rig.channel.pins, [])
    })

    it('a 429 is platform_unavailable and takes back the echo it recorded', async () => {
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'pin me later')
      rig.fake.failNext('pins.add', { status: 429, retryAfterSeconds: 5 })
      await assert.rejects(
        execute('pinMessage', { channel: rig.channel.id, ts: message.ts }),
        rejects('platform_unavailable'),
      )
      assert.deepEqual(rig.channel.pins, [])
      assert.equal(await rig.takeEcho(echoKey.pin(rig.channel.id, message.ts)), false)
    })
  })

  describe('kickConversation', () => {
    it('removes the member with the admin’s token and reverts by inviting them back', async () => {
      const params = { channel: rig.channel.id, user: rig.bob.id }
      await execute('kickConversation', params)
      assert.ok(!rig.channel.members.includes(rig.bob.id))
      assert.ok(rig.fake.callsTo('conversations.kick')[0]?.token?.startsWith('xoxp-'))

      await revert('kickConversation', params, null)
      assert.ok(rig.channel.members.includes(rig.bob.id))
      assert.equal(await rig.takeEcho(echoKey.join(rig.channel.id, rig.bob.id)), true, 'the rejoin is PolicyKit’s')
    })
  })

  describe('scheduleMessage', () => {
    it('schedules the message and reverts by deleting the schedule', async () => {
      const postAt = Math.floor(rig.clock.now() / 1000) + 3600
      const params = { channel: rig.channel.id, text: 'water the roses', postAt }
      const result = await execute('scheduleMessage', params)
      const [scheduled] = rig.fake.workspace.scheduled
      assert.equal(scheduled?.text, 'water the roses')
      assert.equal(scheduled?.postAt, postAt)
      assert.deepEqual(result, { channel: rig.channel.id, scheduledMessageId: scheduled?.id })

      await revert('scheduleMessage', params, result)
      assert.deepEqual(rig.fake.workspace.scheduled, [])
    })

    it('refuses a time in the past when proposed', async () => {
      const def = rig.action('scheduleMessage')
      if (!def.validate) {
        throw new Error('slack.scheduleMessage has no validate')
      }
      const ctx = {
        ...(await rig.context()),
        initiatorId: null,
        knownTypes: { actions: new Set<string>(), triggers: new Set<string>() },
      }
      const params = { channel: rig.channel.id, text: 'too late', postAt: Math.floor(rig.clock.now() / 1000) - 60 }
      await assert.rejects(def.validate(ctx, def.params.parse(params)), rejects('invalid_input'))
    })
  })
})
