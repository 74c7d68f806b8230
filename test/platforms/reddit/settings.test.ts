import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../../../src/config.ts'

const app = {
  REDDIT_CLIENT_ID: 'abc123',
  REDDIT_CLIENT_SECRET: 'shh',
  REDDIT_USER_AGENT: 'web:policykit:1.0 (by /u/gardenmod)',
}

describe('configuration of Reddit', () => {
  it('leaves Reddit off without its variables (or with them empty)', () => {
    assert.equal(loadConfig({}).platforms['reddit'], null)
    assert.equal(
      loadConfig({ REDDIT_CLIENT_ID: '', REDDIT_CLIENT_SECRET: '', REDDIT_USER_AGENT: '' }).platforms['reddit'],
      null,
    )
  })

  it('turns Reddit on with all three, on reddit.com, polling every 10 s unless told', () => {
    assert.deepEqual(loadConfig(app).platforms['reddit'], {
      clientId: 'abc123',
      clientSecret: 'shh',
      userAgent: 'web:policykit:1.0 (by /u/gardenmod)',
      oauthUrl: 'https://www.reddit.com',
      apiUrl: 'https://oauth.reddit.com',
      pollIntervalMs: 10_000,
    })
    const local = loadConfig({
      ...app,
      REDDIT_OAUTH_URL: 'http://127.0.0.1:9/',
      REDDIT_API_URL: 'http://127.0.0.1:9',
      REDDIT_POLL_INTERVAL_MS: '250',
    }).platforms['reddit']
    assert.deepEqual(local, {
      ...(local as object),
      oauthUrl: 'http://127.0.0.1:9',
      apiUrl: 'http://127.0.0.1:9',
      pollIntervalMs: 250,
    })
  })

  it('names what is missing or wrong', () => {
    assert.throws(() => loadConfig({ REDDIT_CLIENT_ID: 'abc' }), /REDDIT_CLIENT_SECRET: is required/)
    assert.throws(
      () => loadConfig({ ...app, REDDIT_USER_AGENT: 'python-requests/2.0' }),
      /REDDIT_USER_AGENT: must be in Reddit’s form/,
    )
    assert.throws(() => loadConfig({ ...app, REDDIT_USER_AGENT: 'PolicyKit:v1.0 (by /u/x)' }), /REDDIT_USER_AGENT/)
    assert.throws(
      () => loadConfig({ ...app, REDDIT_POLL_INTERVAL_MS: '10' }),
      /REDDIT_POLL_INTERVAL_MS: must be between 50/,
    )
    assert.throws(() => loadConfig({ ...app, REDDIT_API_URL: 'ftp://x' }), /REDDIT_API_URL/)
  })
})
