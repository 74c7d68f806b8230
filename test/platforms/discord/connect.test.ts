import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  discordInstallPermissions,
  discordPermissionBits as bits,
} from '../../../src/platforms/discord/connect/permissions.ts'
import { permissionBits } from '../../fakes/discord/fake-discord.ts'
import { startDiscordApp, type DiscordTestApp } from '../../support/discord-app.ts'
import { otherCommunity } from '../../support/server-harness.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

describe('connecting Discord (OAuth2 install with the bot, testing kit)', () => {
  let t: DiscordTestApp
  before(async () => {
    t = await startDiscordApp()
  })
  after(() => t.close())

  it('asks for exactly the permissions the governed actions need', () => {
    const expected =
      bits.manageMessages |
      bits.manageChannels |
      bits.sendMessages |
      bits.readMessageHistory |
      bits.addReactions |
      bits.manageWebhooks |
      bits.viewChannel |
      bits.kickMembers |
      bits.manageRoles
    assert.equal(discordInstallPermissions(), expected)
    assert.equal(discordInstallPermissions() & (bits.administrator | bits.manageGuild), 0n, 'no admin rights asked')
  })

  it('sends the admin to Discord with the scopes, the permissions, the redirect URL and a state', async () => {
    const res = await t.startInstall(t.admin)
    assert.equal(res.status, 302)
    const url = new URL(String(res.headers['location']))
    assert.equal(url.origin + url.pathname, t.fake.authorizeUrl)
    assert.equal(url.searchParams.get('client_id'), t.fake.clientId)
    assert.deepEqual(url.searchParams.get('scope')?.split(' '), ['bot', 'applications.commands', 'identify'])
    assert.equal(url.searchParams.get('permissions'), discordInstallPermissions().toString())
    assert.equal(url.searchParams.get('redirect_uri'), `${t.baseUrl}/platforms/discord/install/callback`)
    assert.ok((url.searchParams.get('state') ?? '').length > 20)
  })

  it('refuses to start without a session, with a page for a browser', async () => {
    const res = await t.visit(`/platforms/discord/install?community=${t.communityId}`, null, { accept: 'text/html' })
    assert.equal(res.status, 401)
    assert.match(res.text, /Sign in to PolicyKit first/)
  })

  it('refuses an installer who does not manage the guild (checked with Discord), storing nothing', async () => {
    const [ada] = t.people
    assert.ok(ada)
    // Ada cannot add the bot (Discord's page refuses), so she tries an identify-only grant and
    // names the guild herself in the callback: PolicyKit asks Discord what she may do there.
    const start = await t.startInstall(t.admin)
    const authorize = new URL(String(start.headers['location']))
    authorize.searchParams.set('scope', 'identify')
    const callback = new URL(t.fake.authorize(authorize.href, ada.user))
    callback.searchParams.set('guild_id', t.fake.guild.id)
    const res = await t.visit(callback.href, t.admin)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /Administrator or Manage Server/)
    assert.deepEqual(await t.app.store.integrations.list(t.communityId), [])
    assert.equal((await t.app.store.members.list(t.communityId)).length, 1, 'nobody imported')
    assert.equal(t.fake.callsTo('POST', '/applications/:application/guilds/:guild/commands').length, 0)
  })

  it('refuses a forged or missing state', async () => {
    const start = await t.startInstall(t.admin)
    const callback = new URL(t.fake.authorize(String(start.headers['location']), t.fake.owner.user))
    callback.searchParams.set('state', 'forged.state')
    const res = await t.visit(callback.href, t.admin)
    assert.equal(res.status, 403)
    assert.deepEqual(await t.app.store.integrations.list(t.communityId), [])
  })

  it('connects the guild: command registered, people imported, installer linked, addIntegration passed', async () => {
    const mod = t.fake.addRole({ name: 'Mods', permissions: permissionBits.manageGuild })
    const dana = t.fake.addMember({ name: 'dana', roles: [mod] })
    t.fake.addMember({ name: 'somebot', bot: true })
    const { integration, location } = await t.installDiscord({ installer: dana })
    assert.equal(integration.active, true, 'the testing kit passes constitution.addIntegration at once')
    assert.equal(integration.config['guildName'], t.fake.guild.name)
    assert.match(location, new RegExp(`^/c/${t.communityId}/settings\\?connected=discord&activation=active`))
    assert.deepEqual([...t.fake.guild.members.keys()].includes(t.fake.bot.id), true, 'the bot joined')
    const registered = t.fake.callsTo('POST', '/applications/:application/guilds/:guild/commands')
    assert.equal(registered.length, 1)
    assert.equal(registered[0]?.body['name'], 'policykit')

    const members = await t.app.store.members.list(t.communityId)
    // admin (now linked to dana's account), the owner, ada, bob, carol; no bots
    assert.deepEqual(members.map((m) => m.username).sort(), ['ada', 'admin', 'bob', 'carol', 'owner'])
    const admin = members.find((m) => m.username === 'admin')
    assert.ok(admin)
    const linked = await t.app.store.members.findByAccount(t.communityId, 'discord', dana.user.id)
    assert.equal(linked?.id, admin.id, 'the installer is linked to the member who installed')
    const ada = await t.app.store.members.findByAccount(t.communityId, 'discord', t.people[0]?.user.id ?? '')
    assert.equal(ada?.displayName, 'Ada Discord')
  })

  it('refuses a guild that is connected to another community, storing nothing', async () => {
    const { store } = t.app
    const { communityId, client: other } = await otherCommunity(t.app, t.clock.now(), '10.9.0.4')
    const start = await t.visit(`/platforms/discord/install?community=${communityId}`, other)
    assert.equal(start.status, 302)
    const res = await t.visit(t.fake.authorize(String(start.headers['location']), t.fake.owner.user), other)
    assert.equal(res.status, 409)
    assert.equal(
      (res.json as ErrorBody).error.message,
      `The Discord server ${t.fake.guild.name} is already connected to another PolicyKit community.`,
    )
    assert.deepEqual(await store.integrations.list(communityId), [])
    const [connected] = await store.integrations.list(t.communityId)
    assert.equal(connected?.active, true, 'the first community keeps its connection')
  })
})
