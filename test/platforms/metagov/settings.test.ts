import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../../../src/config.ts'

describe('Metagov settings', () => {
  it('is off without METAGOV_URL, and on with the gateway URL (trailing slash dropped)', () => {
    assert.equal(loadConfig({}).platforms['metagov'], null)
    assert.equal(loadConfig({ METAGOV_URL: '' }).platforms['metagov'], null)
    assert.deepEqual(loadConfig({ METAGOV_URL: 'http://127.0.0.1:8000/' }).platforms['metagov'], {
      url: 'http://127.0.0.1:8000',
    })
  })

  it('refuses a METAGOV_URL that is not an http(s) URL, naming the variable', () => {
    assert.throws(() => loadConfig({ METAGOV_URL: 'gateway:8000' }), /METAGOV_URL: must be an http/)
  })
})
