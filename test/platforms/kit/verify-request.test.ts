import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  constantTimeEqual,
  verifyEd25519Request,
  verifyHmacRequest,
} from '../../../src/platforms/kit/verify-request.ts'

const now = Date.UTC(2026, 0, 1)
const window = 5 * 60_000
const seconds = (ms: number) => String(Math.floor(ms / 1000))

describe('the kit: webhook signatures', () => {
  it('takes an HMAC-SHA256 signature over the timestamp and body within the window, and nothing else', () => {
    const secret = 'shh'
    const body = '{"event":1}'
    const signed = (at: number, text = body, key = secret) => ({
      secret,
      body,
      now,
      windowMs: window,
      basestring: (ts: string, b: string) => `v0:${ts}:${b}`,
      prefix: 'v0=',
      timestamp: seconds(at),
      signature: `v0=${createHmac('sha256', key)
        .update(`v0:${seconds(at)}:${text}`)
        .digest('hex')}`,
    })
    assert.equal(verifyHmacRequest(signed(now)), true)
    assert.equal(verifyHmacRequest(signed(now - window + 1000)), true, 'old, but within the window')
    assert.equal(verifyHmacRequest(signed(now - window - 1000)), false, 'stale: a replay')
    assert.equal(verifyHmacRequest(signed(now + window + 1000)), false, 'from the future')
    assert.equal(verifyHmacRequest(signed(now, '{"event":2}')), false, 'another body')
    assert.equal(verifyHmacRequest(signed(now, body, 'other secret')), false, 'another key')
    assert.equal(verifyHmacRequest({ ...signed(now), timestamp: `${seconds(now)}.5` }), false, 'a malformed timestamp')
    assert.equal(verifyHmacRequest({ ...signed(now), signature: undefined }), false, 'unsigned')
  })

  it('takes an Ed25519 signature over the timestamp and body by the platform’s public key, and nothing else', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex')
    const body = '{"type":1}'
    const signed = (at: number, text = body) => ({
      publicKeyHex,
      body,
      now,
      windowMs: window,
      timestamp: seconds(at),
      signature: sign(null, Buffer.from(`${seconds(at)}${text}`), privateKey).toString('hex'),
    })
    assert.equal(verifyEd25519Request(signed(now)), true)
    assert.equal(verifyEd25519Request(signed(now, '{"type":2}')), false, 'another body')
    assert.equal(verifyEd25519Request(signed(now - window - 1000)), false, 'stale')
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
    assert.equal(verifyEd25519Request({ ...signed(now), publicKeyHex: other.toString('hex') }), false, 'another key')
    assert.equal(verifyEd25519Request({ ...signed(now), signature: 'ab' }), false, 'a malformed signature')
  })

  it('compares secrets of any length without throwing', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true)
    assert.equal(constantTimeEqual('abc', 'abcd'), false)
    assert.equal(constantTimeEqual('', 'x'), false)
  })
})
