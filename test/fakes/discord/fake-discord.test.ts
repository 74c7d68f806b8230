import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { DiscordAPIError, REST } from '@discordjs/rest'
import { Routes } from 'discord-api-types/v10'
import { verifyEd25519Request } from '../../../src/platforms/kit/verify-request.ts'
import { permissionBits, startFakeDiscord } from './fake-discord.ts'
import type { FakeDiscord, FakeMember } from './fake-discord.ts'
import { specProblems } from './spec-check.ts'

/**
 * The fake Discord speaks Discord's wire format: @discordjs/rest (the client the platform uses)
 * talks to it, every answer is checked against the REST v10 spec, errors and 429s come as
 * Discord sends them, OAuth hands out codes and tokens, and interactions arrive signed with a
 * real Ed25519 key that the kit's verifier accepts.
 */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const record = (value: unknown): Record<string, unknown> => {
  assert.ok(isRecord(value), `expected an object, got ${JSON.stringify(value)}`)
  return value
}
const matchesSpec = (path: string, method: string, status: number, body: unknown) =>
  assert.deepEqual(specProblems(path, method, status, body), [], `${method} ${path} ${status}`)

/** A stand-in for our app's Interactions Endpoint: verifies with the kit, answers as told. */
interface Endpoint {
  url: string
  received: Array<Record<string, unknown>>
  close(): Promise<void>
}

async function startEndpoint(
  publicKeyHex: string,
  answer: (body: Record<string, unknown>) => unknown,
): Promise<Endpoint> {
  const received: Array<Record<string, unknown>> = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const signature = request.headers['x-signature-ed25519']
      const timestamp = request.headers['x-signature-timestamp']
      const verified = verifyEd25519Request({
        publicKeyHex,
        signature: typeof signature === 'string' ? signature : undefined,
        timestamp: typeof timestamp === 'string' ? timestamp : undefined,
        body,
        now: Date.now(),
        windowMs: 5 * 60_000,
      })
      if (!verified) {
        response.writeHead(401).end('invalid request signature')
        return
      }
      const parsed = record(JSON.parse(body))
      received.push(parsed)
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(parsed)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/platforms/discord/interactions`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

describe('the fake Discord', () => {
  let fake: FakeDiscord
  let rest: REST
  let ada: FakeMember
  let bob: FakeMember

  before(async () => {
    fake = await startFakeDiscord()
    const moderator = fake.addRole({
      name: 'moderator',
      permissions: permissionBits.manageChannels | permissionBits.manageMessages,
    })
    ada = fake.addMember({ name: 'ada', globalName: 'Ada Lovelace', roles: [moderator] })
    bob = fake.addMember({ name: 'bob' })
    fake.install(
      permissionBits.manageMessages |
        permissionBits.manageChannels |
        permissionBits.sendMessages |
        permissionBits.readMessageHistory |
        permissionBits.addReactions |
        permissionBits.manageWebhooks |
        permissionBits.kickMembers |
        permissionBits.manageRoles,
    )
    rest = new REST({ api: fake.apiUrl, version: '10', retries: 0 }).setToken(fake.botToken)
  })
  after(async () => {
    await fake.close()
  })

  it('answers the REST routes the platform uses as the spec describes them', async () => {
    const channelId = fake.general.id
    const posted = record(await rest.post(Routes.channelMessages(channelId), { body: { content: 'hello' } }))
    matchesSpec('/channels/{channel_id}/messages', 'post', 200, posted)
    assert.equal(posted.content, 'hello')
    const messageId = String(posted.id)

    const reply = await rest.post(Routes.channelMessages(channelId), {
      body: { content: 'a reply', message_reference: { message_id: messageId } },
    })
    matchesSpec('/channels/{channel_id}/messages', 'post', 200, reply)
    assert.equal(record(record(reply).message_reference).message_id, messageId)

    matchesSpec('/channels/{channel_id}/messages', 'get', 200, await rest.get(Routes.channelMessages(channelId)))
    matchesSpec('/channels/{channel_id}', 'get', 200, await rest.get(Routes.channel(channelId)))
    const renamed = record(await rest.patch(Routes.channel(channelId), { body: { name: 'lobby' } }))
    matchesSpec('/channels/{channel_id}', 'patch', 200, renamed)
    assert.equal(fake.general.name, 'lobby')

    await rest.put(Routes.channelPin(channelId, messageId))
    assert.equal(fake.general.messages[0]?.pinned, true)
    matchesSpec('/channels/{channel_id}/pins', 'get', 200, await rest.get(`/channels/${channelId}/pins`))
    await rest.delete(Routes.channelPin(channelId, messageId))
    assert.equal(fake.general.messages[0]?.pinned, false)

    await rest.put(Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent('👍')))
    const reacted = await rest.get(Routes.channelMessage(channelId, messageId))
    matchesSpec('/channels/{channel_id}/messages/{message_id}', 'get', 200, reacted)
    const users = await rest.get(Routes.channelMessageReaction(channelId, messageId, encodeURIComponent('👍')))
    matchesSpec('/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}', 'get', 200, users)
    assert.deepEqual(
      (users as unknown[]).map((u) => record(u).id),
      [fake.bot.id],
    )

    const created = record(
      await rest.post(Routes.guildChannels(fake.guild.id), { body: { name: 'seedlings', type: 0 } }),
    )
    matchesSpec('/guilds/{guild_id}/channels', 'post', 201, created)
    matchesSpec('/guilds/{guild_id}/channels', 'get', 200, await rest.get(Routes.guildChannels(fake.guild.id)))
    matchesSpec('/channels/{channel_id}', 'delete', 200, await rest.delete(Routes.channel(String(created.id))))
    assert.equal(fake.guild.channels.has(String(created.id)), false)

    await rest.delete(Routes.channelMessage(channelId, messageId))
    assert.equal(
      fake.general.messages.some((m) => m.id === messageId),
      false,
    )
    matchesSpec('/users/@me', 'get', 200, await rest.get(Routes.user('@me')))
    matchesSpec('/users/{user_id}', 'get', 200, await rest.get(Routes.user(ada.user.id)))
    matchesSpec('/guilds/{guild_id}', 'get', 200, await rest.get(Routes.guild(fake.guild.id)))
    matchesSpec('/guilds/{guild_id}/roles', 'get', 200, await rest.get(Routes.guildRoles(fake.guild.id)))
  })

  it('re-posts under a member name through a channel webhook, and sends direct messages', async () => {
    const hook = record(await rest.post(Routes.channelWebhooks(fake.general.id), { body: { name: 'PolicyKit' } }))
    matchesSpec('/channels/{channel_id}/webhooks', 'post', 200, hook)
    const sent = record(
      await rest.post(Routes.webhook(String(hook.id), String(hook.token)), {
        body: { content: 'as ada', username: 'Ada Lovelace' },
        query: new URLSearchParams({ wait: 'true' }),
        auth: false,
      }),
    )
    matchesSpec('/webhooks/{webhook_id}/{webhook_token}', 'post', 200, sent)
    assert.equal(sent.webhook_id, hook.id)
    assert.equal(record(sent.author).username, 'Ada Lovelace')
    const message = fake.dispatches.at(-1)
    assert.equal(message?.t, 'MESSAGE_CREATE')
    assert.equal(message?.d.webhook_id, hook.id, 'the gateway shows who really posted it: the webhook')

    const dm = record(await rest.post(Routes.userChannels(), { body: { recipient_id: bob.user.id } }))
    matchesSpec('/users/@me/channels', 'post', 200, dm)
    matchesSpec(
      '/channels/{channel_id}/messages',
      'post',
      200,
      await rest.post(Routes.channelMessages(String(dm.id)), { body: { content: 'psst' } }),
    )
  })

  it('pages guild members by snowflake, kicks, and adds and removes roles', async () => {
    for (const name of ['carol', 'dan', 'eve']) {
      fake.addMember({ name })
    }
    const all: string[] = []
    let cursor = '0'
    for (;;) {
      const page = (await rest.get(Routes.guildMembers(fake.guild.id), {
        query: new URLSearchParams({ limit: '2', after: cursor }),
      })) as unknown[]
      matchesSpec('/guilds/{guild_id}/members', 'get', 200, page)
      all.push(...page.map((m) => String(record(record(m).user).id)))
      if (page.length < 2) {
        break
      }
      cursor = all.at(-1) ?? '0'
    }
    assert.deepEqual(
      all,
      [...fake.guild.members.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    )

    const role = fake.addRole({ name: 'gardener', permissions: 0n })
    await rest.put(Routes.guildMemberRole(fake.guild.id, bob.user.id, role.id))
    assert.equal(bob.roleIds.has(role.id), true)
    await rest.delete(Routes.guildMemberRole(fake.guild.id, bob.user.id, role.id))
    assert.equal(bob.roleIds.has(role.id), false)
    matchesSpec(
      '/guilds/{guild_id}/members/{user_id}',
      'get',
      200,
      await rest.get(Routes.guildMember(fake.guild.id, bob.user.id)),
    )
    const eve = [...fake.guild.members.values()].find((m) => m.user.username === 'eve')
    assert.ok(eve)
    await rest.delete(Routes.guildMember(fake.guild.id, eve.user.id))
    assert.equal(fake.guild.members.has(eve.user.id), false)
    assert.equal(fake.dispatches.at(-1)?.t, 'GUILD_MEMBER_REMOVE')
  })

  it('refuses as Discord does: {code, message} with 401, 403, 404 and 400', async () => {
    const refused = async (call: Promise<unknown>, status: number, code: number) => {
      const error = await call.then(
        () => assert.fail('expected a refusal'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof DiscordAPIError, String(error))
      assert.equal(error.status, status)
      assert.equal(error.code, code)
    }
    await refused(rest.get(Routes.channel('1234')), 404, 10003)
    await refused(rest.delete(Routes.channelMessage(fake.general.id, '1234')), 404, 10008)
    await refused(rest.post(Routes.channelMessages(fake.general.id), { body: { content: '' } }), 400, 50035)
    const stranger = new REST({ api: fake.apiUrl, version: '10', retries: 0 }).setToken('not-the-token')
    await refused(stranger.get(Routes.user('@me')), 401, 0)
    // The bot holds no Administrator: it may not change the guild's owner's roles beyond its own.
    fake.guild.roles.forEach((r) => {
      if (r.name === 'PolicyKit') {
        r.permissions &= ~permissionBits.kickMembers
      }
    })
    await refused(rest.delete(Routes.guildMember(fake.guild.id, bob.user.id)), 403, 50013)

    const raw = await fetch(`${fake.apiUrl}/v10/channels/1234`, { headers: { authorization: `Bot ${fake.botToken}` } })
    assert.equal(raw.status, 404)
    const body: unknown = await raw.json()
    matchesSpec('/channels/{channel_id}', 'get', 404, body)
    assert.deepEqual(body, { code: 10003, message: 'Unknown Channel' })
    assert.ok(raw.headers.get('x-ratelimit-bucket'))
  })

  it('answers 429 with retry_after and the rate-limit headers, and @discordjs/rest waits and retries', async () => {
    fake.failNext('POST', '/channels/:channel/messages', { status: 429, retryAfterSeconds: 0.25 })
    const raw = await fetch(`${fake.apiUrl}/v10/channels/${fake.general.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${fake.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'too fast' }),
    })
    assert.equal(raw.status, 429)
    const body = record(await raw.json())
    matchesSpec('/channels/{channel_id}/messages', 'post', 429, body)
    assert.equal(body.retry_after, 0.25)
    assert.equal(raw.headers.get('retry-after'), '1')
    assert.equal(raw.headers.get('x-ratelimit-remaining'), '0')
    assert.equal(raw.headers.get('x-ratelimit-scope'), 'user')

    fake.failNext('POST', '/channels/:channel/messages', { status: 429, retryAfterSeconds: 0.25 })
    const before = fake.general.messages.length
    await rest.post(Routes.channelMessages(fake.general.id), { body: { content: 'after waiting' } })
    assert.equal(fake.general.messages.length, before + 1, 'posted once, after the wait')
    assert.deepEqual(
      fake
        .callsTo('POST', '/channels/:channel/messages')
        .slice(-2)
        .map((c) => c.status),
      [429, 200],
    )
  })

  it('installs by OAuth: the bot joins with the permissions asked for, only for someone who may manage the guild', async () => {
    const other = await startFakeDiscord({ redirectUris: ['http://127.0.0.1:9/callback'] })
    try {
      const authorizeUrl = new URL(other.authorizeUrl)
      authorizeUrl.search = new URLSearchParams({
        client_id: other.clientId,
        response_type: 'code',
        scope: 'bot applications.commands identify',
        permissions: String(permissionBits.sendMessages | permissionBits.manageMessages),
        redirect_uri: 'http://127.0.0.1:9/callback',
        state: 'xyz',
      }).toString()
      const member = other.addMember({ name: 'nobody' })
      const refused = new URL(other.authorize(authorizeUrl.toString(), member.user))
      assert.equal(refused.searchParams.get('error'), 'access_denied')
      assert.equal(other.guild.members.has(other.bot.id), false)

      const back = new URL(other.authorize(authorizeUrl.toString(), other.owner.user))
      assert.equal(back.searchParams.get('state'), 'xyz')
      assert.equal(back.searchParams.get('guild_id'), other.guild.id)
      assert.equal(other.guild.members.has(other.bot.id), true)
      const code = back.searchParams.get('code')
      assert.ok(code)
      const exchange = (form: Record<string, string>) =>
        fetch(other.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form),
        })
      const form = {
        client_id: other.clientId,
        client_secret: other.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:9/callback',
      }
      const token = record(await (await exchange(form)).json())
      assert.equal(token.token_type, 'Bearer')
      assert.equal(record(token.guild).id, other.guild.id)
      const again = await exchange(form)
      assert.equal(again.status, 400, 'a code is used once')
      assert.equal(record(await again.json()).error, 'invalid_grant')

      const user = new REST({ api: other.apiUrl, version: '10', authPrefix: 'Bearer' }).setToken(
        String(token.access_token),
      )
      const me = record(await user.get(Routes.user('@me')))
      matchesSpec('/users/@me', 'get', 200, me)
      assert.equal(me.id, other.owner.user.id)
      matchesSpec('/oauth2/@me', 'get', 200, await user.get(Routes.oauth2CurrentAuthorization()))
    } finally {
      await other.close()
    }
  })

  it('delivers interactions signed with Ed25519 over timestamp + body, and takes callbacks and follow-ups', async () => {
    const endpoint = await startEndpoint(fake.publicKey, (body) => (body.type === 1 ? { type: 1 } : { type: 5 }))
    try {
      fake.setInteractionsUrl(endpoint.url)
      const ping = await fake.ping()
      assert.equal(ping.status, 200)
      assert.deepEqual(ping.answer, { type: 1 })
      for (const tamper of ['badSignature', 'staleTimestamp', 'unsigned'] as const) {
        assert.equal((await fake.ping(tamper)).status, 401, tamper)
      }

      await rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guild.id), {
        body: [
          {
            name: 'policykit',
            description: 'Ask PolicyKit',
            options: [{ name: 'text', type: 3, description: 'what', required: true }],
          },
        ],
      })
      const command = await fake.as(ada).slashCommand(fake.general, 'propose a garden')
      assert.equal(command.status, 200)
      const received = endpoint.received.at(-1)
      assert.ok(received)
      assert.equal(received.type, 2)
      assert.deepEqual(record(received.data).options, [{ name: 'text', type: 3, value: 'propose a garden' }])
      assert.equal(record(record(received.member).user).id, ada.user.id)
      const interaction = fake.interactions.get(String(received.id))
      assert.deepEqual(interaction?.callback, { type: 5 })

      const followUp = await rest.post(Routes.webhook(fake.applicationId, String(received.token)), {
        body: { content: 'Proposed.' },
        auth: false,
      })
      matchesSpec('/webhooks/{webhook_id}/{webhook_token}', 'post', 200, followUp)
      assert.deepEqual(interaction?.followUps, [{ content: 'Proposed.', flags: 0 }])

      // The deferred answer itself, rewritten: a message of its own in the channel (not ephemeral here).
      const edited = await rest.patch(Routes.webhookMessage(fake.applicationId, String(received.token), '@original'), {
        body: { content: 'Sent.' },
        auth: false,
      })
      matchesSpec('/webhooks/{webhook_id}/{webhook_token}/messages/@original', 'patch', 200, edited)
      assert.deepEqual(interaction?.edits, [{ content: 'Sent.' }])
      assert.equal(fake.general.messages.at(-1)?.content, 'Sent.')
      await assert.rejects(
        rest.patch(Routes.webhookMessage(fake.applicationId, 'not-a-token', '@original'), {
          body: { content: 'forged' },
          auth: false,
        }),
        (e: unknown) => e instanceof DiscordAPIError && e.code === 10015,
      )

      const callbackAgain = await fetch(
        `${fake.apiUrl}/v10/interactions/${String(received.id)}/${String(received.token)}/callback`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 4, data: { content: 'twice' } }),
        },
      )
      assert.equal(callbackAgain.status, 400)
      assert.equal(record(await callbackAgain.json()).code, 40060)

      const vote = fake.as(ada).post(fake.general, 'vote here')
      vote.components = [{ type: 1, components: [{ type: 2, style: 1, label: 'Yes', custom_id: 'vote:yes' }] }]
      await fake.as(bob).click(vote, 'vote:yes')
      const click = endpoint.received.at(-1)
      assert.equal(click?.type, 3)
      assert.equal(record(click?.data).custom_id, 'vote:yes')
      assert.equal(record(click?.message).id, vote.id)

      const count = endpoint.received.length
      assert.equal((await fake.redeliverLast()).status, 200)
      assert.equal(endpoint.received.length, count + 1)
      assert.deepEqual(endpoint.received.at(-1), click, 'a redelivery is the same interaction')
    } finally {
      await endpoint.close()
    }
  })

  it('dispatches what members do as numbered gateway events, within what Discord lets them do', () => {
    const start = fake.dispatches.length
    const message = fake.as(ada).post(fake.general, 'look')
    fake.as(ada).rename(fake.general, 'garden')
    fake.as(ada).pin(message)
    fake.as(bob).react(message, '👍')
    fake.as(bob).react(message, '👍')
    fake.as(bob).unreact(message, '👍')
    const seen = fake.dispatches.slice(start)
    assert.deepEqual(
      seen.map((d) => d.t),
      [
        'MESSAGE_CREATE',
        'CHANNEL_UPDATE',
        'CHANNEL_PINS_UPDATE',
        // Discord's notice of the pin (type 6), by whoever pinned, referencing the message.
        'MESSAGE_CREATE',
        'MESSAGE_REACTION_ADD',
        'MESSAGE_REACTION_REMOVE',
      ],
    )
    assert.equal(seen[3]?.d.type, 6)
    assert.equal(record(seen[3]?.d.message_reference).message_id, message.id)
    assert.deepEqual(
      seen.map((d) => d.seq),
      seen.map((_, i) => (seen[0]?.seq ?? 0) + i),
    )
    assert.equal(seen[0]?.d.guild_id, fake.guild.id)
    assert.equal(record(seen[0]?.d.author).id, ada.user.id)
    assert.equal(seen[4]?.d.user_id, bob.user.id)
    assert.throws(() => fake.as(bob).rename(fake.general, 'mine'), /may not rename/)
  })
})
