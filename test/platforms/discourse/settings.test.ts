import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../../../src/config.ts'

describe('configuration of Discourse', () => {
  it('leaves Discourse off without DISCOURSE_WEBHOOK_KEY (or with it empty)', () => {
    assert.equal(loadConfig({}).platforms['discourse'], null)
    assert.equal(loadConfig({ DISCOURSE_WEBHOOK_KEY: '' }).platforms['discourse'], null)
  })

  it('turns Discourse on with a key, and refuses a short one naming the variable', () => {
    const key = 'k'.repeat(32)
    assert.deepEqual(loadConfig({ DISCOURSE_WEBHOOK_KEY: key }).platforms['discourse'], {
      webhookKey: key,
      pollIntervalMs: 30_000,
      privateAddresses: false,
    })
    assert.throws(() => loadConfig({ DISCOURSE_WEBHOOK_KEY: 'short' }), /DISCOURSE_WEBHOOK_KEY: must be at least 32/)
  })

  it('connects forums on private addresses only with DISCOURSE_PRIVATE_ADDRESSES=allow, and refuses other values naming it', () => {
    const key = 'k'.repeat(32)
    const allowed = loadConfig({ DISCOURSE_WEBHOOK_KEY: key, DISCOURSE_PRIVATE_ADDRESSES: 'allow' }).platforms[
      'discourse'
    ]
    assert.equal(allowed && Reflect.get(allowed, 'privateAddresses'), true)
    assert.throws(
      () => loadConfig({ DISCOURSE_WEBHOOK_KEY: key, DISCOURSE_PRIVATE_ADDRESSES: 'yes' }),
      /DISCOURSE_PRIVATE_ADDRESSES/,
    )
  })

  it('reads polls every DISCOURSE_POLL_SECONDS (fractions allowed) and refuses a nonsense interval naming it', () => {
    const key = 'k'.repeat(32)
    const options = loadConfig({ DISCOURSE_WEBHOOK_KEY: key, DISCOURSE_POLL_SECONDS: '0.1' }).platforms['discourse']
    assert.deepEqual(options, { webhookKey: key, pollIntervalMs: 100, privateAddresses: false })
    assert.throws(
      () => loadConfig({ DISCOURSE_WEBHOOK_KEY: key, DISCOURSE_POLL_SECONDS: 'often' }),
      /DISCOURSE_POLL_SECONDS: must be a number of seconds/,
    )
  })
})
