import assert from 'node:assert/strict'
import type { ErrorJson } from '../../../src/server/presenters.ts'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { EvaluationLog } from '../../../src/domain/community.ts'
import type { FakeUser } from '../../fakes/slack/fake-slack.ts'
import { signSlackRequest } from '../../fakes/slack/signing.ts'
import { setCookie } from '../../support/server-harness.ts'
import { startSlackApp, type SlackTestApp } from '../../support/slack-app.ts'

/**
 * The app uninstalled from the workspace, or its tokens revoked, in Slack: the real app (installed
 * through OAuth, testing kit) against the fake Slack, which revokes the tokens and delivers
 * `tokens_revoked` and `app_uninstalled` signed, as Slack does.
 */

async function integrationOf(t: SlackTestApp) {
  const integration = await t.app.store.integrations.findByExternalId('slack', t.fake.workspace.team.id)
  assert.ok(integration, 'the workspace was connected')
  return integration
}

async function warnings(t: SlackTestApp): Promise<EvaluationLog[]> {
  return (await t.app.store.logs.list(t.communityId)).filter((l) => l.level === 'warn')
}

async function slackActions(t: SlackTestApp) {
  return (await t.app.store.actions.list(t.communityId)).filter((a) => a.type === 'slack.postMessage')
}

/** Signs in with Slack as `user` from a fresh browser: the callback's response. */
async function signInWithSlack(t: SlackTestApp, user: FakeUser) {
  const start = await t.visit('/platforms/slack/signin')
  const cookie = setCookie(start.headers, 'pk_slack_signin')
  assert.ok(cookie, 'the sign-in sets its state cookie')
  const callback = t.authorize(String(start.headers['location']), user)
  return t.visit(callback, null, { cookie })
}

/** An Events API delivery for the workspace, signed with `secret` at `timestamp` (seconds). */
function eventRequest(t: SlackTestApp, event: object, options: { secret: string; timestamp?: number }) {
  const timestamp = options.timestamp ?? Math.floor(t.clock.now() / 1000)
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: t.fake.workspace.team.id,
    api_app_id: t.fake.workspace.appId,
    event_id: `Ev0DIRECT${timestamp}`,
    event_time: timestamp,
    event,
  })
  return t.app.server.inject({
    method: 'POST',
    url: '/platforms/slack/events',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(options.secret, timestamp, body),
    },
    payload: body,
  })
}

describe('the Slack app uninstalled, or its tokens revoked, in Slack', () => {
  let t: SlackTestApp
  let bob: FakeUser

  beforeEach(async () => {
    t = await startSlackApp()
    await t.installSlack()
    bob = t.slackUsers[0] as FakeUser
  })
  afterEach(() => t.close())

  it('switches the integration off and says so in the log; nothing is governed, nobody signs in, until reconnected', async () => {
    await t.fake.as(bob).postMessage(t.fake.general, 'before')
    assert.equal((await slackActions(t)).length, 1, 'governed while connected')

    const deliveries = await t.fake.uninstall()
    assert.deepEqual(
      deliveries.map((d) => d.status),
      [200, 200],
    )
    assert.equal((await integrationOf(t)).active, false)
    // One line, whichever of the two events comes first.
    const [line, ...more] = await warnings(t)
    assert.deepEqual(more, [])
    assert.match(line?.message ?? '', /the app was uninstalled/)
    assert.match(line?.message ?? '', /Slack integration is switched off/)
    assert.match(line?.message ?? '', /Reconnecting Slack from Settings turns it back on/)

    // Slack's retry of the last event changes nothing, and writes nothing more.
    assert.equal((await t.fake.redeliverLast(1)).status, 200)
    assert.equal((await warnings(t)).length, 1)

    // Slack sends the uninstalled app nothing more; should a workspace event still come (the app
    // installed again in Slack, not reconnected in PolicyKit), it is answered and not governed.
    const [unsent] = (await t.fake.as(bob).postMessage(t.fake.general, 'after, unheard')).deliveries
    assert.equal(unsent?.status, 0)
    t.fake.install(t.slackAdmin)
    const [ignored] = (await t.fake.as(bob).postMessage(t.fake.general, 'after, not governed')).deliveries
    assert.equal(ignored?.status, 200)
    await t.clock.settle()
    assert.equal((await slackActions(t)).length, 1, 'no action after the uninstall')

    const signIn = await signInWithSlack(t, bob)
    assert.equal(signIn.status, 404)
    assert.match(JSON.stringify(signIn.json), /is not connected to a PolicyKit community/)

    // Activating the old connection is refused: Slack no longer takes its tokens.
    const { id: integrationId } = await integrationOf(t)
    const activate = await t.admin.post<ErrorJson>(`/api/communities/${t.communityId}/actions`, {
      type: 'constitution.addIntegration',
      params: { integrationId },
    })
    assert.equal(activate.status, 409)
    assert.match(activate.json.error.message, /Slack no longer accepts this connection .*reconnect Slack from Settings/)
    assert.equal((await integrationOf(t)).active, false)

    // Reconnecting from Settings turns it back on, with the new tokens.
    const { integration } = await t.installSlack()
    assert.equal(integration.active, true)
    await t.fake.as(bob).postMessage(t.fake.general, 'back again')
    assert.equal((await slackActions(t)).length, 2)
    assert.equal((await signInWithSlack(t, bob)).status, 302)
  })

  it('switches off on app_uninstalled when it comes before tokens_revoked, with one line still', async () => {
    const first = await eventRequest(t, { type: 'app_uninstalled' }, { secret: t.fake.signingSecret })
    assert.equal(first.statusCode, 200)
    assert.equal((await integrationOf(t)).active, false)
    await t.fake.uninstall()
    const [line, ...more] = await warnings(t)
    assert.deepEqual(more, [])
    assert.match(line?.message ?? '', /^The PolicyKit app was uninstalled from the Slack workspace Fake Workspace/)
    assert.match(line?.message ?? '', /Reconnecting Slack from Settings turns it back on/)
  })

  it('changes nothing for a forged or stale uninstall', async () => {
    const forged = await eventRequest(t, { type: 'app_uninstalled' }, { secret: 'not-the-signing-secret' })
    assert.equal(forged.statusCode, 401)
    const revoked = { type: 'tokens_revoked', tokens: { oauth: [t.slackAdmin.id], bot: [t.fake.bot.id] } }
    assert.equal((await eventRequest(t, revoked, { secret: 'not-the-signing-secret' })).statusCode, 401)
    const stale = Math.floor(t.clock.now() / 1000) - 6 * 60
    assert.equal(
      (await eventRequest(t, { type: 'app_uninstalled' }, { secret: t.fake.signingSecret, timestamp: stale }))
        .statusCode,
      401,
    )

    assert.equal((await integrationOf(t)).active, true)
    assert.deepEqual(await warnings(t), [])
    await t.fake.as(bob).postMessage(t.fake.general, 'still governed')
    assert.equal((await slackActions(t)).length, 1)
  })

  it('keeps the integration on when only the admin’s user token is revoked, warning that admin actions will fail', async () => {
    // Someone else's token (their Sign in with Slack) says nothing about the connection.
    assert.equal((await signInWithSlack(t, bob)).status, 302)
    assert.deepEqual(
      (await t.fake.revokeUserTokens(bob)).map((d) => d.status),
      [200],
    )
    assert.deepEqual(await warnings(t), [])

    assert.deepEqual(
      (await t.fake.revokeUserTokens(t.slackAdmin)).map((d) => d.status),
      [200],
    )
    assert.equal((await integrationOf(t)).active, true)
    const [warning, ...more] = await warnings(t)
    assert.deepEqual(more, [])
    assert.match(warning?.message ?? '', /revoked the user token of the admin who connected/)
    assert.match(warning?.message ?? '', /deleting members' messages, renaming channels and removing people/)
    assert.match(warning?.message ?? '', /until an admin reconnects Slack from Settings/)

    await t.fake.as(bob).postMessage(t.fake.general, 'still governed')
    assert.equal((await slackActions(t)).length, 1)
  })
})
