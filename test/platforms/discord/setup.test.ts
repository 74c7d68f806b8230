import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFakeDiscord, type FakeDiscord, type FakeMember } from '../../fakes/discord/fake-discord.ts'
import { permissionBits } from '../../fakes/discord/guild.ts'
import { discordEnv } from '../../support/discord-app.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { freePort } from '../../support/free-port.ts'
import { assertFounded, startFreshApp, type FreshApp } from '../../support/fresh-app.ts'
import { setCookie } from '../../support/server-harness.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const setupCookie = 'pk_discord_setup'

describe('setting PolicyKit up with Discord (first run, democracy kit)', () => {
  let t: FreshApp
  let fake: FakeDiscord
  let people: FakeMember[]
  let clock: FakeClock

  before(async () => {
    clock = fakeClock()
    const port = await freePort()
    fake = await startFakeDiscord({
      now: () => clock.now(),
      guildName: 'Gardeners',
      redirectUris: [`http://127.0.0.1:${port}/platforms/discord/install/callback`],
    })
    t = await startFreshApp({
      port,
      clock,
      env: discordEnv(fake),
    })
    people = ['ada', 'bob', 'carol'].map((name) => fake.addMember({ name, globalName: `${name} Discord` }))
    fake.addMember({ name: 'somebot', bot: true })
  })
  after(async () => {
    await t.close()
    await fake.close()
  })

  const start = (query: { token?: string; kit?: string }, accept?: string) =>
    t.visit(
      `/platforms/discord/install?${new URLSearchParams({ setup: query.token ?? t.setupToken, ...(query.kit !== undefined && { kit: query.kit }) })}`,
      null,
      accept === undefined ? {} : { accept },
    )

  async function started(kit: string): Promise<{ cookie: string; authorizeUrl: string }> {
    const res = await start({ kit })
    assert.equal(res.status, 302, res.text)
    const cookie = setCookie(res.headers, setupCookie)
    assert.ok(cookie, 'the set-up sets its cookie')
    return { cookie, authorizeUrl: String(res.headers['location']) }
  }

  it('offers Discord on the set-up status', async () => {
    assert.deepEqual((await t.setupStatus()).platforms, [
      {
        platform: 'discord',
        title: 'Discord',
        setupPath: '/platforms/discord/install',
        place: 'Discord server',
        who: 'someone with Administrator or Manage Server in the server',
        how: 'Add PolicyKit’s bot to your Discord server',
      },
    ])
  })

  it('refuses a wrong set-up token or an unknown kit before going to Discord', async () => {
    const page = await start({ token: 'guessed', kit: 'democracy' }, 'text/html')
    assert.equal(page.status, 403)
    assert.equal(page.headers['location'], undefined)
    assert.equal(setCookie(page.headers, setupCookie), undefined)
    assert.match(page.text, /PolicyKit could not be set up with Discord/)
    assert.match(page.text, /This set-up link is not valid/)
    const kit = await start({ kit: 'anarchy' })
    assert.equal(kit.status, 400)
    assert.match((kit.json as ErrorBody).error.message, /there is no kit 'anarchy'/)
    assert.deepEqual(fake.callsTo('POST', '/oauth2/token'), [])
  })

  it('sends the browser to Discord with a set-up state that does not carry the token', async () => {
    const { authorizeUrl } = await started('democracy')
    const url = new URL(authorizeUrl)
    assert.equal(url.origin + url.pathname, fake.authorizeUrl)
    assert.match(url.searchParams.get('state') ?? '', /^setup\./)
    assert.deepEqual(url.searchParams.get('scope')?.split(' '), ['bot', 'applications.commands', 'identify'])
    assert.ok(!authorizeUrl.includes(t.setupToken))
  })

  it('refuses a callback in another browser, and an installer who does not manage the guild', async () => {
    const { authorizeUrl } = await started('democracy')
    const callback = fake.authorize(authorizeUrl, fake.owner.user)
    const bare = await t.visit(callback)
    assert.equal(bare.status, 403)
    assert.match((bare.json as ErrorBody).error.message, /not started in this browser/)

    // Ada cannot add the bot (Discord's page refuses), so she tries an identify-only grant and
    // names the guild herself: PolicyKit asks Discord what she may do there.
    const [ada] = people
    assert.ok(ada)
    const other = await started('democracy')
    const identifyOnly = new URL(other.authorizeUrl)
    identifyOnly.searchParams.set('scope', 'identify')
    const forged = new URL(fake.authorize(identifyOnly.href, ada.user))
    forged.searchParams.set('guild_id', fake.guild.id)
    const res = await t.visit(forged.href, other.cookie)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /Administrator or Manage Server/)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
    assert.equal((await t.setupStatus()).needed, true)
  })

  it('refuses a set-up that took longer than 10 minutes', async () => {
    const { cookie, authorizeUrl } = await started('democracy')
    const callback = fake.authorize(authorizeUrl, fake.owner.user)
    await clock.advance(10 * 60_000 + 1)
    const res = await t.visit(callback, cookie)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /took longer than 10 minutes/)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
  })

  it('founds the community from the guild: kit, installer as admin, people imported, command registered', async () => {
    const mod = fake.addRole({ name: 'Mods', permissions: permissionBits.manageGuild })
    const dana = fake.addMember({ name: 'dana', globalName: 'Dana Mod', roles: [mod] })
    const { cookie, authorizeUrl } = await started('democracy')
    const late = await started('testing')

    const res = await t.visit(fake.authorize(authorizeUrl, dana.user), cookie)
    assert.equal(res.status, 302, res.text)
    const { community, founder } = await assertFounded(t, res, {
      name: 'Gardeners',
      kit: 'democracy',
      platform: 'discord',
      founderAccount: dana.user.id,
      externalId: fake.guild.id,
    })
    assert.equal(founder.username, 'dana')
    assert.equal(founder.displayName, 'Dana Mod')
    const { store } = t.app
    const [integration] = await store.integrations.list(community.id)
    assert.deepEqual(integration?.config, { guildName: 'Gardeners' })
    assert.deepEqual(await store.actions.list(community.id), [], 'no addIntegration proposal: founding connects')
    const registered = fake.callsTo('POST', '/applications/:application/guilds/:guild/commands')
    assert.equal(registered.at(-1)?.body['name'], 'policykit')

    // The guild's people are members; bots are not.
    const names = (await store.members.list(community.id)).map((m) => m.username).toSorted()
    assert.deepEqual(names, ['ada', 'bob', 'carol', 'dana', 'owner'])
    for (const person of people) {
      assert.ok(await store.members.findByAccount(community.id, 'discord', person.user.id))
    }

    // A second set-up, by another tab or by the link again, is refused.
    const lateRes = await t.visit(fake.authorize(late.authorizeUrl, fake.owner.user), late.cookie)
    assert.equal(lateRes.status, 403)
    assert.match((lateRes.json as ErrorBody).error.message, /already set up/)
    assert.equal((await start({ kit: 'democracy' })).status, 403)
    assert.equal((await store.communities.listAll()).length, 1)
  })
})
