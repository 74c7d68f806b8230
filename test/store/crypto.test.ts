import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { decryptJson, encryptJson, loadOrCreateSecretKey } from '../../src/store/crypto.ts'

describe('crypto', () => {
  const key = Buffer.alloc(32, 1)
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-crypto-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('round-trips a JSON object and uses a fresh IV each time', () => {
    const value = { token: 'xoxb-secret', nested: { n: 1, list: [true, null] } }
    const a = encryptJson(key, value)
    const b = encryptJson(key, value)
    assert.notEqual(a, b)
    assert.match(a, /^v1\./)
    assert.ok(!a.includes('xoxb-secret'))
    assert.deepEqual(decryptJson(key, a), value)
  })

  it('refuses a wrong key and altered text with a clear error', () => {
    const text = encryptJson(key, { token: 't' })
    assert.throws(() => decryptJson(Buffer.alloc(32, 2), text), /wrong secret key, or the encrypted value was altered/)
    const parts = text.split('.')
    const last = parts[3] ?? ''
    parts[3] = (last[0] === 'A' ? 'B' : 'A') + last.slice(1)
    assert.throws(() => decryptJson(key, parts.join('.')), /wrong secret key, or the encrypted value was altered/)
    assert.throws(() => decryptJson(key, 'plain text'), /not a v1 encrypted value/)
  })

  it('refuses a key of the wrong length', () => {
    assert.throws(() => encryptJson(Buffer.alloc(16), {}), /32 bytes/)
  })

  it('creates a key file once (mode 0600, parent created) and reads it afterwards', () => {
    const file = path.join(dir, 'nested', 'secret.key')
    const first = loadOrCreateSecretKey(file)
    assert.equal(first.length, 32)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/)
    assert.deepEqual(loadOrCreateSecretKey(file), first)
  })

  it('refuses a malformed key file instead of replacing it', () => {
    const file = path.join(dir, 'bad.key')
    writeFileSync(file, 'not hex')
    assert.throws(() => loadOrCreateSecretKey(file), /bad\.key is malformed: expected 64 hex characters/)
    assert.equal(readFileSync(file, 'utf8'), 'not hex')
  })
})
