import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt'
import { ErrorCode, WebClient } from '@slack/web-api'
import type { FakeChannel, FakeInstall, FakeSlack, FakeUser } from './fake-slack.ts'
import { startFakeSlack } from './fake-slack.ts'
import { validateSchema } from './json-schema.ts'
import type { Schema } from './json-schema.ts'
import { compareToSample } from './sample-shape.ts'

// Shapes from slackapi/slack-api-specs and java-slack-sdk's samples (see test/fixtures/slack/README.md).
const readJson = (path: string): Schema => {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`../../fixtures/slack/${path}`, import.meta.url), 'utf8'))
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
  return Object.fromEntries(Object.entries(parsed))
}
const webApiSpec = readJson('web-api-responses.json')
const eventWrapperSchema = readJson('event-wrapper-schema.json')
type SampleKind = 'api' | 'events' | 'interactivity'
const sample = (kind: SampleKind, name: string) => readJson(`samples/${kind}/${name}.json`)
const hasSample = (kind: SampleKind, name: string) =>
  existsSync(new URL(`../../fixtures/slack/samples/${kind}/${name}.json`, import.meta.url))

/**
 * Fields some SDK samples happen not to show although the specs have them (the Web API spec
 * requires `profile.fields` and auth.revoke's `revoked`, the event wrapper schema `authed_users`),
 * and the envelope's `context_*_id`, which Slack added for shared channels after the samples.
 */
const notInSampleButSpecified = [
  /\.profile\.fields: not in the sample$/,
  /\.parent_conversation: not in the sample$/,
  /^\$\.revoked: not in the sample$/,
  /^\$\.authed_users: not in the sample$/,
  /^\$\.context_(team|enterprise)_id: not in the sample$/,
  // The pin samples pin a bot's message; a person's carries client_msg_id (see MessagePayload.json).
  /^\$\.event\.item\.message\.client_msg_id: not in the sample$/,
  // An app's message carries its app_id, as PinAddedPayload's item.message shows; MessagePayload's does not.
  /^\$\.event(\.message|\.previous_message)?\.app_id: not in the sample$/,
  // The wrapper schema requires event_ts on every event; the app_uninstalled and tokens_revoked samples lack it.
  /^\$\.event\.event_ts: not in the sample$/,
]
const unexplained = (problems: string[]) => problems.filter((p) => !notInSampleButSpecified.some((f) => f.test(p)))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const record = (value: unknown): Record<string, unknown> => {
  assert.ok(isRecord(value), `expected an object, got ${JSON.stringify(value)}`)
  return value
}
const text = (value: unknown): string => {
  assert.equal(typeof value, 'string')
  return String(value)
}

/** What our app would be: an HTTP endpoint that records every request and answers 200. */
interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

async function startReceiver() {
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() })
      response.end('')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  assert.ok(address !== null && typeof address !== 'string')
  return {
    received,
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const signingSecret = 'fake-signing-secret'

function verify(request: Received, secret = signingSecret): void {
  verifySlackRequest({
    signingSecret: secret,
    body: request.body,
    headers: {
      'x-slack-signature': String(request.headers['x-slack-signature']),
      'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
    },
  })
}

const isValid = (request: Received) =>
  isValidSlackRequest({
    signingSecret,
    body: request.body,
    headers: {
      'x-slack-signature': String(request.headers['x-slack-signature']),
      'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
    },
  })

/** The event_callback envelopes the receiver got, parsed. */
function envelopes(received: Received[]): Record<string, unknown>[] {
  return received.filter((r) => r.path === '/events').map((r) => record(JSON.parse(r.body)))
}

describe('fake Slack', () => {
  let fake: FakeSlack
  let app: Awaited<ReturnType<typeof startReceiver>>
  let alice: FakeUser
  let bob: FakeUser
  let carol: FakeUser
  let town: FakeChannel
  let installed: FakeInstall
  let bot: WebClient
  let user: WebClient

  before(async () => {
    fake = await startFakeSlack({ signingSecret, clientId: '111.222', clientSecret: 'shh', teamName: 'Cooperative' })
    app = await startReceiver()
    fake.setEndpoints({ eventsUrl: `${app.url}/events`, interactivityUrl: `${app.url}/interactivity` })
    alice = fake.addUser({ name: 'alice', realName: 'Alice Archer', admin: true })
    bob = fake.addUser({ name: 'bob', realName: 'Bob Baker' })
    carol = fake.addUser({ name: 'carol' })
    town = fake.addChannel({ name: 'town-square', members: [alice, bob] })
    installed = fake.install(alice)
    bot = new WebClient(installed.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } })
    user = new WebClient(installed.userToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } })
  })

  after(async () => {
    await fake.idle()
    await fake.close()
    await app.close()
  })

  /** The fake's last answer to `method`, against the published response schema and the SDK's sample. */
  function assertWireShape(method: string): Record<string, unknown> {
    const call = fake.callsTo(method).at(-1)
    assert.ok(call, `no call to ${method}`)
    const operations = record(record(webApiSpec.paths)[`/${method}`])
    const operation = record(Object.values(operations)[0])
    const schema = record(record(record(operation.responses)[call.response.ok === true ? '200' : 'default']).schema)
    assert.deepEqual(validateSchema(call.response, schema, webApiSpec), [], `${method} against the Web API spec`)
    // Not every method has an SDK sample.
    const known = hasSample('api', method) ? sample('api', method) : null
    if (known) {
      assert.deepEqual(unexplained(compareToSample(call.response, known)), [], `${method} against the SDK sample`)
    }
    return call.response
  }

  describe('Web API', () => {
    it('answers auth, team and user methods in Slack’s shapes', async () => {
      const me = await bot.auth.test()
      assert.equal(me.user_id, fake.bot.id)
      assert.equal(me.bot_id, fake.bot.botId)
      assert.equal(me.team_id, installed.teamId)
      assertWireShape('auth.test')
      assert.equal((await user.auth.test()).user_id, alice.id)
      assertWireShape('auth.test')

      const team = await bot.team.info()
      assert.equal(team.team?.name, 'Cooperative')
      assertWireShape('team.info')

      const info = await bot.users.info({ user: bob.id })
      assert.equal(info.user?.real_name, 'Bob Baker')
      assert.equal(info.user?.is_admin, false)
      assertWireShape('users.info')

      const list = await bot.users.list({})
      const names = (list.members ?? []).map((m) => m.name)
      assert.deepEqual(names, ['slackbot', 'policykit', 'alice', 'bob', 'carol'])
      assert.equal(list.members?.find((m) => m.id === alice.id)?.is_admin, true)
      assertWireShape('users.list')
    })

    it('pages list methods with cursors, as WebClient.paginate follows them', async () => {
      const ids: string[] = []
      for await (const page of bot.paginate('users.list', { limit: 2 })) {
        const members = record(page).members
        assert.ok(Array.isArray(members))
        ids.push(...members.map((member) => text(record(member).id)))
        assertWireShape('users.list')
      }
      assert.equal(ids.length, 5)
      assert.equal(fake.callsTo('users.list').filter((c) => c.args.limit === '2').length, 3)
    })

    it('answers conversations methods in Slack’s shapes', async () => {
      const listed = await bot.conversations.list({ types: 'public_channel,private_channel' })
      assert.deepEqual(
        listed.channels?.map((c) => c.name),
        ['general', 'town-square'],
      )
      assertWireShape('conversations.list')

      const info = await bot.conversations.info({ channel: town.id, include_num_members: true })
      assert.equal(info.channel?.num_members, 3)
      assertWireShape('conversations.info')

      const members = await bot.conversations.members({ channel: town.id })
      assert.deepEqual(members.members, [fake.bot.id, alice.id, bob.id])
      assertWireShape('conversations.members')

      const side = fake.addChannel({ name: 'side', members: [alice], withBot: false })
      await bot.conversations.join({ channel: side.id })
      assert.ok(side.members.includes(fake.bot.id))
      assertWireShape('conversations.join')

      await bot.conversations.invite({ channel: side.id, users: `${bob.id},${carol.id}` })
      assert.deepEqual(side.members, [alice.id, fake.bot.id, bob.id, carol.id])
      assertWireShape('conversations.invite')

      await bot.conversations.kick({ channel: side.id, user: carol.id })
      assert.ok(!side.members.includes(carol.id))
      assertWireShape('conversations.kick')

      const renamed = await bot.conversations.rename({ channel: side.id, name: 'side-room' })
      assert.equal(renamed.channel?.name, 'side-room')
      assert.deepEqual(renamed.channel?.previous_names, ['side'])
      assertWireShape('conversations.rename')

      const taken = await bot.conversations.rename({ channel: side.id, name: 'general' }).catch((e: unknown) => e)
      assert.equal(record(record(taken).data).error, 'name_taken')
      assertWireShape('conversations.rename')

      const im = await bot.conversations.open({ users: bob.id })
      assert.match(String(im.channel?.id), /^D/)
      assertWireShape('conversations.open')
    })

    it('answers chat methods in Slack’s shapes and keeps the messages', async () => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Vote?' } }]
      const posted = await bot.chat.postMessage({ channel: town.id, text: 'Vote?', blocks })
      assertWireShape('chat.postMessage')
      const ts = text(posted.ts)
      assert.equal(posted.channel, town.id)
      assert.equal(posted.message?.bot_id, fake.bot.botId)
      assert.deepEqual(fake.workspace.message(town, ts)?.blocks, blocks)

      const reply = await user.chat.postMessage({ channel: town.id, text: 'in thread', thread_ts: ts })
      assertWireShape('chat.postMessage')
      assert.equal(reply.message?.thread_ts, ts)
      assert.equal(reply.message?.user, alice.id)
      assert.equal(reply.message?.bot_id, undefined)

      await bot.chat.update({ channel: town.id, ts, text: 'Vote? (closed)' })
      assertWireShape('chat.update')
      assert.equal(fake.workspace.message(town, ts)?.text, 'Vote? (closed)')

      const link = await bot.chat.getPermalink({ channel: town.id, message_ts: ts })
      assertWireShape('chat.getPermalink')
      assert.match(text(link.permalink), new RegExp(`/archives/${town.id}/p${ts.replace('.', '')}$`))

      await bot.chat.postEphemeral({ channel: town.id, user: bob.id, text: 'only you' })
      assertWireShape('chat.postEphemeral')
      assert.deepEqual(
        fake.workspace.ephemerals.map((e) => [e.user, e.text]),
        [[bob.id, 'only you']],
      )

      const postAt = Math.floor(Date.now() / 1000) + 3600
      const scheduled = await bot.chat.scheduleMessage({ channel: town.id, text: 'later', post_at: postAt })
      assertWireShape('chat.scheduleMessage')
      assert.equal(scheduled.post_at, postAt)
      await bot.chat.deleteScheduledMessage({
        channel: town.id,
        scheduled_message_id: text(scheduled.scheduled_message_id),
      })
      assertWireShape('chat.deleteScheduledMessage')
      assert.deepEqual(fake.workspace.scheduled, [])

      const byBob = (await fake.as(bob).postMessage(town, 'mine')).message
      const refused = await bot.chat.delete({ channel: town.id, ts: byBob.ts }).catch((e: unknown) => e)
      assert.equal(record(record(refused).data).error, 'cant_delete_message')
      assertWireShape('chat.delete')
      await user.chat.delete({ channel: town.id, ts: byBob.ts })
      assertWireShape('chat.delete')
      assert.equal(fake.workspace.message(town, byBob.ts), undefined)
      await fake.idle()
    })

    it('answers pins and reactions methods in Slack’s shapes', async () => {
      const { message } = await fake.as(alice).postMessage(town, 'pin me')
      await bot.pins.add({ channel: town.id, timestamp: message.ts })
      assertWireShape('pins.add')
      assert.deepEqual(town.pins, [message.ts])
      await bot.pins.remove({ channel: town.id, timestamp: message.ts })
      assertWireShape('pins.remove')
      assert.deepEqual(town.pins, [])

      await bot.reactions.add({ channel: town.id, timestamp: message.ts, name: 'thumbsup' })
      assertWireShape('reactions.add')
      const got = await bot.reactions.get({ channel: town.id, timestamp: message.ts })
      assertWireShape('reactions.get')
      assert.deepEqual(got.message?.reactions, [{ name: 'thumbsup', users: [fake.bot.id], count: 1 }])
      const twice = await bot.reactions
        .add({ channel: town.id, timestamp: message.ts, name: 'thumbsup' })
        .catch((e: unknown) => e)
      assert.equal(record(record(twice).data).error, 'already_reacted')
      await bot.reactions.remove({ channel: town.id, timestamp: message.ts, name: 'thumbsup' })
      assertWireShape('reactions.remove')
      assert.deepEqual(message.reactions, [])
      await fake.idle()
    })

    it('takes JSON bodies and a token parameter as well as form bodies with a bearer token', async () => {
      const viaJson = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${installed.botToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ channel: town.id, text: 'json', blocks: [{ type: 'divider' }] }),
      })
      const json = record(await viaJson.json())
      assert.equal(json.ok, true)
      assert.deepEqual(fake.workspace.message(town, text(json.ts))?.blocks, [{ type: 'divider' }])

      const viaQuery = await fetch(`${fake.apiUrl}auth.test?token=${installed.userToken}`)
      assert.equal(record(await viaQuery.json()).user_id, alice.id)
      await fake.idle()
    })

    it('answers bad, missing and revoked tokens, unknown methods and missing scopes as Slack does', async () => {
      const platformError = async (call: Promise<unknown>) => {
        const e = record(
          await call.then(
            () => assert.fail('expected a Slack error'),
            (e: unknown) => e,
          ),
        )
        assert.equal(e.code, ErrorCode.PlatformError)
        return record(e.data)
      }
      const forged = new WebClient('xoxb-not-a-token', { slackApiUrl: fake.apiUrl })
      assert.equal((await platformError(forged.auth.test())).error, 'invalid_auth')
      assertWireShape('auth.test')
      const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl })
      assert.equal(
        (await platformError(anonymous.chat.postMessage({ channel: town.id, text: 'x' }))).error,
        'not_authed',
      )
      assertWireShape('chat.postMessage')
      assert.equal((await platformError(bot.apiCall('nothing.here'))).error, 'unknown_method')

      // Carol installs asking only for chat:write on her own behalf (the bot's token keeps the scopes it has).
      const narrowGrant = fake.authorize(
        `${fake.authorizeUrl}?client_id=111.222&user_scope=chat:write&redirect_uri=${encodeURIComponent(app.url + '/cb')}`,
        carol,
      )
      const code = new URL(narrowGrant).searchParams.get('code') ?? ''
      const access = await new WebClient(undefined, { slackApiUrl: fake.apiUrl }).oauth.v2.access({
        client_id: '111.222',
        client_secret: 'shh',
        code,
        redirect_uri: `${app.url}/cb`,
      })
      assert.equal(access.access_token, undefined)
      const narrowUser = new WebClient(access.authed_user?.access_token, { slackApiUrl: fake.apiUrl })
      const missing = await platformError(narrowUser.pins.add({ channel: town.id, timestamp: '1.2' }))
      assert.equal(missing.error, 'missing_scope')
      assert.equal(missing.needed, 'pins:write')
      // The spec's error enums leave out the generic missing_scope; the SDK's sample has its fields.
      assert.deepEqual(compareToSample(fake.callsTo('pins.add').at(-1)?.response, sample('api', 'pins.add')), [])

      const spare = new WebClient(fake.install(carol).userToken, { slackApiUrl: fake.apiUrl })
      await spare.auth.revoke()
      assertWireShape('auth.revoke')
      assert.equal((await platformError(spare.auth.test())).error, 'token_revoked')
    })

    it('fails the next calls on demand: 429 with Retry-After, 500, or a Slack error', async () => {
      fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 })
      const strict = new WebClient(installed.botToken, {
        slackApiUrl: fake.apiUrl,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      })
      const limited = record(await strict.chat.postMessage({ channel: town.id, text: 'x' }).catch((e: unknown) => e))
      assert.equal(limited.code, ErrorCode.RateLimitedError)
      assert.equal(limited.retryAfter, 7)

      fake.failNext('chat.postMessage', { status: 500 }, 2)
      const retrying = new WebClient(installed.botToken, {
        slackApiUrl: fake.apiUrl,
        retryConfig: { retries: 2, factor: 1, minTimeout: 1, maxTimeout: 1 },
      })
      const before = town.messages.length
      const posted = await retrying.chat.postMessage({ channel: town.id, text: 'third time lucky' })
      assert.equal(posted.ok, true)
      assert.deepEqual(
        fake
          .callsTo('chat.postMessage')
          .slice(-3)
          .map((c) => c.status),
        [500, 500, 200],
      )
      assert.equal(town.messages.length, before + 1)

      fake.failNext('conversations.rename', { error: 'ratelimited' })
      const failed = record(await bot.conversations.rename({ channel: town.id, name: 'x' }).catch((e: unknown) => e))
      assert.equal(record(failed.data).error, 'ratelimited')
      assert.equal(town.name, 'town-square')
      await fake.idle()
    })
  })

  describe('deliveries', () => {
    it('delivers what simulated users do as signed events in Slack’s shapes', async () => {
      const start = app.received.length
      const { message, deliveries } = await fake.as(bob).postMessage(town, 'hello everyone')
      assert.deepEqual(
        deliveries.map((d) => d.status),
        [200],
      )
      await fake.as(alice).postMessage(town, 'a reply', { threadTs: message.ts })
      await fake.as(alice).renameChannel(town, 'town-hall')
      await fake.as(carol).joinChannel(town)
      await fake.as(alice).pinMessage(town, message.ts)
      await fake.as(carol).react(town, message.ts, ':+1:')
      await fake.as(carol).unreact(town, message.ts, '+1')
      const posted = await bot.chat.postMessage({ channel: town.id, text: 'bot says' })
      await bot.chat.update({ channel: town.id, ts: text(posted.ts), text: 'bot said' })
      await bot.chat.delete({ channel: town.id, ts: text(posted.ts) })
      await bot.pins.remove({ channel: town.id, timestamp: message.ts })
      await bot.conversations.kick({ channel: town.id, user: carol.id })
      await fake.idle()

      const got = app.received.slice(start)
      for (const request of got) {
        verify(request)
        assert.equal(request.headers['content-type'], 'application/json')
      }
      const events = envelopes(got)
      const kinds = events.map((e) => {
        const event = record(e.event)
        return event.subtype === undefined ? text(event.type) : `${text(event.type)}/${text(event.subtype)}`
      })
      assert.deepEqual(kinds, [
        'message',
        'message',
        'channel_rename',
        'message/channel_name',
        'member_joined_channel',
        'message/channel_join',
        'pin_added',
        'reaction_added',
        'reaction_removed',
        'message',
        'message/message_changed',
        'message/message_deleted',
        'pin_removed',
        'member_left_channel',
      ])
      const samples: Record<string, string> = {
        message: 'MessagePayload',
        'message/channel_name': 'MessageChannelNamePayload',
        'message/message_changed': 'MessageChangedPayload',
        'message/message_deleted': 'MessageDeletedPayload',
        channel_rename: 'ChannelRenamePayload',
        member_joined_channel: 'MemberJoinedChannelPayload',
        member_left_channel: 'MemberLeftChannelPayload',
        pin_added: 'PinAddedPayload',
        pin_removed: 'PinRemovedPayload',
        reaction_added: 'ReactionAddedPayload',
        reaction_removed: 'ReactionRemovedPayload',
      }
      events.forEach((envelope, i) => {
        const kind = kinds[i] ?? ''
        assert.deepEqual(validateSchema(envelope, eventWrapperSchema), [], `${kind}: the event wrapper schema`)
        const name = samples[kind]
        if (name !== undefined) {
          assert.deepEqual(
            unexplained(compareToSample(envelope, sample('events', name))),
            [],
            `${kind}: the SDK sample`,
          )
        }
        assert.equal(envelope.team_id, installed.teamId)
        assert.equal(envelope.api_app_id, installed.appId)
        assert.equal(envelope.token, fake.verificationToken)
      })
      assert.equal(new Set(events.map((e) => e.event_id)).size, events.length)

      const first = record(events[0]?.event)
      assert.equal(first.user, bob.id)
      assert.equal(first.text, 'hello everyone')
      assert.equal(first.channel, town.id)
      assert.equal(first.channel_type, 'channel')
      assert.equal(typeof first.client_msg_id, 'string')
      assert.equal(record(events[1]?.event).thread_ts, message.ts)
      assert.equal(record(events[2]?.event).type, 'channel_rename')
      assert.equal(record(record(events[2]?.event).channel).name, 'town-hall')
      assert.equal(record(record(events[7]?.event).item).ts, message.ts)
      assert.equal(record(events[7]?.event).reaction, '+1')
      const echo = record(events[9]?.event)
      assert.equal(echo.bot_id, fake.bot.botId)
      assert.equal(echo.app_id, installed.appId)
      assert.equal(echo.ts, posted.ts)
    })

    it('sends the echo of an API call after answering the call', async () => {
      const start = fake.deliveries.length
      const posted = await bot.chat.postMessage({ channel: town.id, text: 'echo me' })
      const call = fake.callsTo('chat.postMessage').at(-1)
      assert.equal(call?.status, 200)
      await fake.idle()
      const echoes = fake.deliveries.slice(start)
      assert.equal(echoes.length, 1)
      assert.equal(record(record(JSON.parse(echoes[0]?.requestBody ?? '{}')).event).ts, posted.ts)
    })

    it('sends no events from a channel the bot is not in, nor before the app is installed', async () => {
      const quiet = fake.addChannel({ name: 'quiet', members: [alice], withBot: false })
      const [skipped] = (await fake.as(alice).postMessage(quiet, 'unheard')).deliveries
      assert.equal(skipped?.status, 0)
      assert.equal(fake.deliveries.at(-1)?.skipped, `the bot is not a member of ${quiet.id}`)

      const other = await startFakeSlack({ signingSecret })
      try {
        other.setEndpoints({ eventsUrl: `${app.url}/events`, interactivityUrl: null })
        const dave = other.addUser({ name: 'dave' })
        const [before] = (await other.as(dave).postMessage(other.general, 'hi')).deliveries
        assert.equal(before?.status, 0)
        other.install(dave)
        const [afterInstall] = (await other.as(dave).postMessage(other.general, 'hi')).deliveries
        assert.equal(afterInstall?.status, 200)
      } finally {
        await other.close()
      }
    })

    it('uninstalls the app: tokens revoked, then tokens_revoked and app_uninstalled, signed, in Slack’s shapes', async () => {
      const other = await startFakeSlack({ signingSecret })
      try {
        other.setEndpoints({ eventsUrl: `${app.url}/events`, interactivityUrl: null })
        const dave = other.addUser({ name: 'dave', admin: true })
        const erin = other.addUser({ name: 'erin' })
        const install = other.install(dave)
        const erinToken = other.install(erin).userToken
        const call = async (token: string) => {
          const e = await new WebClient(token, { slackApiUrl: other.apiUrl, retryConfig: { retries: 0 } }).auth
            .test()
            .then(
              () => null,
              (e: unknown) => record(record(e).data).error,
            )
          return e ?? 'ok'
        }
        const start = app.received.length

        // Erin takes back her token: the bot keeps its own.
        assert.deepEqual(
          (await other.revokeUserTokens(erin)).map((d) => d.status),
          [200],
        )
        assert.equal(await call(erinToken), 'token_revoked')
        assert.equal(await call(install.botToken), 'ok')
        assert.deepEqual(await other.revokeUserTokens(erin), [], 'nothing left to revoke, nothing sent')

        const deliveries = await other.uninstall()
        assert.deepEqual(
          deliveries.map((d) => d.status),
          [200, 200],
        )
        assert.equal(await call(install.botToken), 'token_revoked')
        assert.equal(await call(install.userToken), 'token_revoked')

        const got = app.received.slice(start)
        got.forEach((request) => verify(request))
        const events = envelopes(got)
        assert.deepEqual(
          events.map((e) => {
            const { event_ts: ts, ...event } = record(e.event)
            assert.match(text(ts), /^\d+\.\d{6}$/)
            return event
          }),
          [
            { type: 'tokens_revoked', tokens: { oauth: [erin.id], bot: [] } },
            { type: 'tokens_revoked', tokens: { oauth: [dave.id], bot: [other.bot.id] } },
            { type: 'app_uninstalled' },
          ],
        )
        const names = ['TokensRevokedPayload', 'TokensRevokedPayload', 'AppUninstalledPayload']
        events.forEach((envelope, i) => {
          assert.deepEqual(validateSchema(envelope, eventWrapperSchema), [], `${i}: the event wrapper schema`)
          assert.deepEqual(unexplained(compareToSample(envelope, sample('events', names[i] ?? ''))), [])
          assert.equal(envelope.team_id, install.teamId)
        })

        // Uninstalled: the workspace's events no longer reach the app, until it is installed again.
        const [after] = (await other.as(dave).postMessage(other.general, 'anyone there?')).deliveries
        assert.equal(after?.status, 0)
        assert.equal(other.deliveries.at(-1)?.skipped, 'the app is not installed')
        const again = other.install(dave)
        assert.notEqual(again.botToken, install.botToken)
        assert.equal(await call(again.botToken), 'ok')
      } finally {
        await other.close()
      }
    })

    it('tampers with the next delivery on demand: bad signature, stale timestamp, retry headers', async () => {
      const last = () => app.received.at(-1) ?? assert.fail('nothing received')

      fake.tamperNext({ signature: 'bad' })
      await fake.as(alice).postMessage(town, 'forged')
      assert.throws(() => verify(last()), /signature mismatch/)
      assert.equal(isValid(last()), false)

      fake.tamperNext({ stale: true })
      await fake.as(alice).postMessage(town, 'stale')
      assert.throws(() => verify(last()), /stale/)

      await fake.as(alice).postMessage(town, 'genuine')
      const original = last()
      verify(original)
      assert.equal(original.headers['x-slack-retry-num'], undefined)
      const again = await fake.redeliverLast(1)
      assert.equal(again.status, 200)
      const retried = last()
      verify(retried)
      assert.equal(retried.body, original.body)
      assert.equal(retried.headers['x-slack-retry-num'], '1')
      assert.equal(retried.headers['x-slack-retry-reason'], 'http_timeout')

      fake.tamperNext({ retryNum: 2, retryReason: 'http_error' })
      await fake.as(alice).postMessage(town, 'retried')
      assert.equal(last().headers['x-slack-retry-num'], '2')
      assert.equal(last().headers['x-slack-retry-reason'], 'http_error')
      verify(last())
    })

    it('answers url_verification with a signed challenge', async () => {
      const delivery = await fake.verifyEventsUrl('abc123')
      assert.equal(delivery.status, 200)
      const request = app.received.at(-1) ?? assert.fail('nothing received')
      verify(request)
      assert.deepEqual(JSON.parse(request.body), {
        token: fake.verificationToken,
        challenge: 'abc123',
        type: 'url_verification',
      })
    })
  })

  describe('interactivity', () => {
    it('posts a button click as a signed payload= form, and takes answers on its response_url', async () => {
      const blocks = [
        {
          type: 'actions',
          block_id: 'vote',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Yes' }, action_id: 'policykit_vote', value: 'yes' },
            { type: 'button', text: { type: 'plain_text', text: 'No' }, action_id: 'policykit_vote', value: 'no' },
          ],
        },
      ]
      const posted = await bot.chat.postMessage({ channel: town.id, text: 'Vote', blocks })
      const ts = text(posted.ts)
      await fake.idle()

      const delivery = await fake.as(bob).clickButton(town, ts, 'policykit_vote', 'no')
      assert.equal(delivery.status, 200)
      const request = app.received.at(-1) ?? assert.fail('nothing received')
      assert.equal(request.path, '/interactivity')
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
      verify(request)
      const payload = record(JSON.parse(new URLSearchParams(request.body).get('payload') ?? ''))
      assert.deepEqual(compareToSample(payload, sample('interactivity', 'BlockActionPayload')), [])
      assert.equal(payload.type, 'block_actions')
      assert.equal(record(payload.user).id, bob.id)
      assert.equal(record(payload.container).message_ts, ts)
      assert.equal(record(payload.channel).id, town.id)
      assert.ok(Array.isArray(payload.actions) && payload.actions.length === 1)
      const action = record(payload.actions[0])
      assert.equal(action.action_id, 'policykit_vote')
      assert.equal(action.value, 'no')
      assert.equal(action.block_id, 'vote')

      await assert.rejects(fake.as(bob).clickButton(town, ts, 'policykit_vote', 'maybe'), /no button/)

      const responseUrl = text(payload.response_url)
      const start = fake.deliveries.length
      const answered = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ replace_original: true, text: 'Vote (1 no)', blocks }),
      })
      assert.equal(answered.status, 200)
      assert.equal(fake.workspace.message(town, ts)?.text, 'Vote (1 no)')
      const ephemeral = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text: 'you voted no' }),
      })
      assert.equal(ephemeral.status, 200)
      const told = fake.workspace.ephemerals.at(-1)
      assert.deepEqual(
        [told?.channel, told?.user, told?.from, told?.text],
        [town.id, bob.id, fake.bot.id, 'you voted no'],
      )
      await fake.idle()
      const echoed = fake.deliveries.slice(start).map((d) => d.eventType)
      assert.deepEqual(echoed, ['message'])
      const changed = record(JSON.parse(fake.deliveries.at(-1)?.requestBody ?? '{}'))
      assert.equal(record(changed.event).subtype, 'message_changed')
    })
  })

  describe('OAuth and Sign in with Slack', () => {
    it('installs through the authorize page and oauth.v2.access', async () => {
      const redirectUri = `${app.url}/platforms/slack/oauth/callback`
      const query = new URLSearchParams({
        client_id: fake.clientId,
        scope: 'chat:write,channels:read',
        user_scope: 'channels:write',
        redirect_uri: redirectUri,
        state: 'state-1',
      })
      const authorizeUrl = `${fake.authorizeUrl}?${query.toString()}`

      // What a browser sees: a page with one Allow button per person, posting back to itself.
      const page = await fetch(authorizeUrl)
      assert.equal(page.status, 200)
      const html = await page.text()
      assert.match(html, /Allow as Alice Archer/)
      const approved = await fetch(authorizeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([...query, ['fake_user_id', alice.id]]).toString(),
        redirect: 'manual',
      })
      assert.equal(approved.status, 302)
      const viaPage = new URL(approved.headers.get('location') ?? '')
      assert.equal(`${viaPage.origin}${viaPage.pathname}`, redirectUri)
      assert.equal(viaPage.searchParams.get('state'), 'state-1')

      const redirect = new URL(fake.authorize(authorizeUrl, alice))
      assert.equal(redirect.searchParams.get('state'), 'state-1')
      const code = redirect.searchParams.get('code') ?? ''
      const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl })
      const wrongSecret = record(
        await anonymous.oauth.v2
          .access({ client_id: fake.clientId, client_secret: 'nope', code, redirect_uri: redirectUri })
          .catch((e: unknown) => e),
      )
      assert.equal(record(wrongSecret.data).error, 'bad_client_secret')
      assertWireShape('oauth.v2.access')

      const access = await anonymous.oauth.v2.access({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        code,
        redirect_uri: redirectUri,
      })
      assertWireShape('oauth.v2.access')
      assert.equal(access.team?.id, installed.teamId)
      assert.equal(access.bot_user_id, fake.bot.id)
      assert.equal(access.app_id, installed.appId)
      assert.equal(access.authed_user?.id, alice.id)
      assert.match(text(access.access_token), /^xoxb-/)
      assert.match(text(access.authed_user?.access_token), /^xoxp-/)
      const asBot = new WebClient(access.access_token, { slackApiUrl: fake.apiUrl })
      assert.equal((await asBot.auth.test()).user_id, fake.bot.id)
      const asAlice = new WebClient(access.authed_user?.access_token, { slackApiUrl: fake.apiUrl })
      assert.equal((await asAlice.auth.test()).user_id, alice.id)

      const reused = record(
        await anonymous.oauth.v2
          .access({ client_id: fake.clientId, client_secret: fake.clientSecret, code, redirect_uri: redirectUri })
          .catch((e: unknown) => e),
      )
      assert.equal(record(reused.data).error, 'invalid_code')
    })

    it('signs in through OpenID Connect: token exchange and userInfo', async () => {
      const redirectUri = `${app.url}/platforms/slack/signin/callback`
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: fake.clientId,
        scope: 'openid profile email',
        redirect_uri: redirectUri,
        state: 'signin-state',
        nonce: 'n-1',
      })
      const redirect = new URL(fake.authorize(`${fake.oidcAuthorizeUrl}?${query.toString()}`, bob))
      assert.equal(redirect.searchParams.get('state'), 'signin-state')
      const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl })
      const token = await anonymous.openid.connect.token({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        code: redirect.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
      })
      assert.equal(token.ok, true)
      assert.equal(token.token_type, 'Bearer')
      const [, claimsPart] = text(token.id_token).split('.')
      const claims = record(JSON.parse(Buffer.from(claimsPart ?? '', 'base64url').toString()))
      assert.equal(claims.sub, bob.id)
      assert.equal(claims.aud, fake.clientId)
      assert.equal(claims.nonce, 'n-1')
      assert.equal(claims['https://slack.com/team_id'], installed.teamId)

      const info = await new WebClient(token.access_token, { slackApiUrl: fake.apiUrl }).openid.connect.userInfo()
      assert.equal(info.sub, bob.id)
      assert.equal(info['https://slack.com/user_id'], bob.id)
      assert.equal(info.name, 'Bob Baker')
      assert.equal(info.email, bob.email)
      assert.equal(info.email_verified, true)

      const signInToken = new WebClient(token.access_token, { slackApiUrl: fake.apiUrl })
      const refused = record(
        await signInToken.chat.postMessage({ channel: town.id, text: 'x' }).catch((e: unknown) => e),
      )
      assert.equal(record(refused.data).error, 'missing_scope')
    })
  })

  describe('the driver', () => {
    it('refuses what the Slack client would not let a person do', async () => {
      const secret = fake.addChannel({ name: 'secret', members: [alice], private: true })
      await assert.rejects(fake.as(bob).postMessage(secret, 'let me in'), /not a member/)
      await assert.rejects(fake.as(bob).joinChannel(secret), /not a public channel/)
      await assert.rejects(fake.as(bob).renameChannel(fake.general, 'lobby'), /admins only/)
      await assert.rejects(fake.as(alice).renameChannel(secret, 'Not Valid!'), /channel-name rules/)
      await assert.rejects(fake.as(alice).pinMessage(secret, '1.000001'), /no message/)
      assert.equal(secret.messages.length, 0)
      assert.equal(fake.general.name, 'general')
    })
  })
})
