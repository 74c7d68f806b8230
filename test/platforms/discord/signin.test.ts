import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sessionCookie } from '../../../src/server/auth/session.ts'
import type { FakeMember } from '../../fakes/discord/fake-discord.ts'
import { startDiscordApp, type DiscordTestApp } from '../../support/discord-app.ts'

/**
 * Sign in with Discord through the real app and the fake Discord's OAuth2 endpoints (`identify`):
 * offered on the sign-in page, the member of a connected guild signed in as their member (the one
 * the install linked), and a callback whose state is forged, or whose attempt is older than ten
 * minutes or from another browser, signs nobody in and asks Discord nothing.
 */
describe('Sign in with Discord (real app, fake Discord)', () => {
  let t: DiscordTestApp
  let ada: FakeMember

  before(async () => {
    t = await startDiscordApp()
    ;[ada] = t.people as [FakeMember]
    await t.installDiscord()
  })
  after(() => t.close())

  const inject = (url: string, cookies: Record<string, string> = {}) =>
    t.app.server.inject({ method: 'GET', url, cookies })

  /** Starts a sign-in; returns the attempt's cookie and where Discord sends `who` back after approving. */
  const approveAs = async (who: FakeMember) => {
    const start = await inject('/platforms/discord/signin')
    assert.equal(start.statusCode, 302, start.body)
    const toDiscord = new URL(String(start.headers.location))
    assert.equal(`${toDiscord.origin}${toDiscord.pathname}`, t.fake.authorizeUrl)
    assert.equal(toDiscord.searchParams.get('scope'), 'identify')
    const attempt = start.cookies.find((c) => c.name === 'pk_discord_signin')
    assert.ok(attempt)
    const back = new URL(t.fake.authorize(toDiscord.href, who.user))
    assert.equal(back.pathname, '/platforms/discord/signin/callback')
    return { cookies: { [attempt.name]: attempt.value }, back }
  }
  const tokenExchanges = () => t.fake.callsTo('POST', '/oauth2/token').length

  it('is offered on the sign-in page when Discord is configured', async () => {
    const providers = await inject('/api/auth/providers')
    assert.equal(providers.statusCode, 200)
    assert.deepEqual(
      (JSON.parse(providers.body) as Array<{ platform: string; url: string }>).find((p) => p.platform === 'discord'),
      { platform: 'discord', title: 'Discord', url: '/platforms/discord/signin' },
    )
  })

  it('signs a guild member in as the member the install linked to their account', async () => {
    const { cookies, back } = await approveAs(ada)
    const done = await inject(`${back.pathname}${back.search}`, cookies)
    assert.equal(done.statusCode, 302, done.body)
    assert.equal(done.headers.location, `/c/${t.communityId}`)
    const session = done.cookies.find((c) => c.name === sessionCookie)
    assert.ok(session, 'signed in')
    const me = await inject('/api/session', { [session.name]: session.value })
    assert.equal(me.statusCode, 200)
    const member = await t.app.store.members.findByAccount(t.communityId, 'discord', ada.user.id)
    assert.ok(member)
    assert.match(me.body, new RegExp(`"memberId":${member.id}\\b`))
  })

  it('refuses a forged state, an attempt from another browser and an expired one, asking Discord nothing', async () => {
    const before = tokenExchanges()
    const forged = await approveAs(ada)
    forged.back.searchParams.set('state', 'forged-state')
    const refused = await inject(`${forged.back.pathname}${forged.back.search}`, forged.cookies)
    assert.equal(refused.statusCode, 403)
    assert.equal(
      refused.cookies.find((c) => c.name === sessionCookie),
      undefined,
    )

    const elsewhere = await approveAs(ada)
    assert.equal((await inject(`${elsewhere.back.pathname}${elsewhere.back.search}`)).statusCode, 403)

    const stale = await approveAs(ada)
    await t.clock.advance(11 * 60_000)
    const late = await inject(`${stale.back.pathname}${stale.back.search}`, stale.cookies)
    assert.equal(late.statusCode, 403)
    assert.equal(
      late.cookies.find((c) => c.name === sessionCookie),
      undefined,
    )
    assert.equal(tokenExchanges(), before, 'no code was exchanged')
  })

  it('refuses someone in no connected guild', async () => {
    const eve = t.fake.addMember({ name: 'eve' })
    t.fake.guild.members.delete(eve.user.id)
    const { cookies, back } = await approveAs(eve)
    const refused = await inject(`${back.pathname}${back.search}`, cookies)
    assert.equal(refused.statusCode, 404, refused.body)
    assert.equal(await t.app.store.members.findByAccount(t.communityId, 'discord', eve.user.id), undefined)
  })
})
