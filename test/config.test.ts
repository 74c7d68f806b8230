import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../src/config.ts'

describe('configuration of the HTTP server', () => {
  it('listens on 127.0.0.1:3000 and is reached at localhost on that port by default', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.publicUrl, 'http://localhost:3000')
    assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080')
  })

  it('takes a public URL without its trailing slash, and refuses one that is not http(s)', () => {
    assert.equal(loadConfig({ POLICYKIT_PUBLIC_URL: 'https://pk.example.org/' }).publicUrl, 'https://pk.example.org')
    assert.throws(() => loadConfig({ POLICYKIT_PUBLIC_URL: 'pk.example.org' }), /POLICYKIT_PUBLIC_URL/)
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/)
  })
})
