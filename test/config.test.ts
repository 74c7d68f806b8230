import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig, type Config } from '../src/config.ts'
import type { SlackOptions } from '../src/platforms/slack/options.ts'

describe('configuration of the HTTP server', () => {
  it('listens on 127.0.0.1:3000 and is reached at localhost on that port by default', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.publicUrl, 'http://localhost:3000')
    assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080')
    assert.equal(loadConfig({ PORT: '8080' }).publicUrlSource, 'PORT (POLICYKIT_PUBLIC_URL is unset)')
    assert.match(loadConfig({}).publicUrlSource, /default port/)
  })

  it('takes a public URL without its trailing slash, and refuses one that is not http(s)', () => {
    assert.equal(loadConfig({ POLICYKIT_PUBLIC_URL: 'https://pk.example.org/' }).publicUrl, 'https://pk.example.org')
    assert.throws(() => loadConfig({ POLICYKIT_PUBLIC_URL: 'pk.example.org' }), /POLICYKIT_PUBLIC_URL/)
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/)
  })
})

describe('configuration behind a reverse proxy', () => {
  it('believes no X-Forwarded-For by default, and takes true, hops or addresses', () => {
    assert.equal(loadConfig({}).trustProxy, false)
    assert.equal(loadConfig({ POLICYKIT_TRUST_PROXY: 'false' }).trustProxy, false)
    assert.equal(loadConfig({ POLICYKIT_TRUST_PROXY: 'true' }).trustProxy, true)
    assert.equal(loadConfig({ POLICYKIT_TRUST_PROXY: '1' }).trustProxy, 1)
    assert.deepEqual(loadConfig({ POLICYKIT_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy, [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
    ])
    assert.throws(
      () => loadConfig({ POLICYKIT_TRUST_PROXY: 'proxy.local' }),
      /POLICYKIT_TRUST_PROXY.*not: proxy\.local/,
    )
    assert.throws(() => loadConfig({ POLICYKIT_TRUST_PROXY: '10.0.0.0/33' }), /POLICYKIT_TRUST_PROXY/)
  })
})

/** Slack's settings as config read them (registered platforms' settings are typed by each platform). */
const slackOf = (config: Config) => config.platforms['slack'] as SlackOptions | null

describe('configuration of Slack', () => {
  const app = { SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'secret', SLACK_SIGNING_SECRET: 'signing' }

  it('leaves Slack off when none of its credentials is set (or they are empty)', () => {
    assert.equal(slackOf(loadConfig({})), null)
    assert.equal(slackOf(loadConfig({ SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: '', SLACK_SIGNING_SECRET: '' })), null)
  })

  it("turns Slack on with all three, with slack.com's URLs by default", () => {
    assert.deepEqual(slackOf(loadConfig(app)), {
      clientId: '1.2',
      clientSecret: 'secret',
      signingSecret: 'signing',
      apiUrl: 'https://slack.com/api/',
      authorizeUrl: 'https://slack.com/oauth/v2/authorize',
      oidcAuthorizeUrl: 'https://slack.com/openid/connect/authorize',
    })
    const local = slackOf(loadConfig({ ...app, SLACK_API_URL: 'http://127.0.0.1:9000/api' }))
    assert.equal(local?.apiUrl, 'http://127.0.0.1:9000/api/')
  })

  it('stops start-up on a partial set, naming what is missing', () => {
    assert.throws(
      () => loadConfig({ SLACK_CLIENT_ID: '1.2' }),
      (e: Error) =>
        /SLACK_CLIENT_SECRET: is required/.test(e.message) &&
        /SLACK_SIGNING_SECRET: is required/.test(e.message) &&
        !/SLACK_CLIENT_ID:/.test(e.message),
    )
    assert.throws(
      () => loadConfig({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'secret' }),
      /SLACK_SIGNING_SECRET: is required when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set/,
    )
    assert.throws(() => loadConfig({ ...app, SLACK_API_URL: 'slack.com/api' }), /SLACK_API_URL/)
  })
})
