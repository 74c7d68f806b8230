import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { slackClient, slackClientCache } from '../../../src/platforms/slack/client.ts'
import { slackClients } from '../../../src/platforms/slack/slack-clients.ts'
import { startPlatformRig, type PlatformRig } from './platform-rig.ts'

describe('Slack Web API clients', () => {
  let rig: PlatformRig
  before(async () => {
    rig = await startPlatformRig()
  })
  after(() => rig.close())

  it('makes one client per token and API URL, reused by every event and call', async () => {
    const options = { apiUrl: rig.fake.apiUrl }
    const first = slackClients(await rig.context(), options)
    const again = slackClients(await rig.context(), options)
    assert.equal(again.bot, first.bot)
    assert.equal(again.admin, first.admin)
    assert.notEqual(first.bot, first.admin, 'the bot token and the admin token have clients of their own')
    assert.equal(slackClient(first.credentials.botToken, options), first.bot)
    assert.notEqual(slackClient(first.credentials.botToken, { apiUrl: 'http://127.0.0.1:1/api/' }), first.bot)
    // The shared client works for whoever asks next.
    assert.equal((await again.bot.auth.test()).user_id, rig.fake.bot.id)
  })

  it('keeps at most `limit` clients, letting the least recently used go first', () => {
    const cache = slackClientCache(2)
    const options = { apiUrl: 'http://127.0.0.1:1/api/' }
    const a = cache.client('xoxb-a', options)
    const b = cache.client('xoxb-b', options)
    assert.equal(cache.client('xoxb-a', options), a, 'a is now the most recently used')
    const c = cache.client('xoxb-c', options)
    assert.equal(cache.size, 2)
    assert.equal(cache.client('xoxb-a', options), a)
    assert.equal(cache.client('xoxb-c', options), c)
    assert.notEqual(cache.client('xoxb-b', options), b, 'b went first, and is made anew')
    assert.equal(cache.size, 2)
  })
})
