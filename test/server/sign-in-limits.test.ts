import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createServer } from '../../src/server/create-server.ts'
import { createTestApp, testPassword, testSetupToken, type TestApp } from '../support/server-harness.ts'
import { testDialects } from '../support/test-store.ts'

const minute = 60_000
const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5']

/** How many responses had each status, e.g. `{ 401: 10, 429: 40 }`. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const status of statuses) {
    counts[status] = (counts[status] ?? 0) + 1
  }
  return counts
}

for (const dialect of testDialects()) {
  describe(`${dialect}: sign-in limits shared by concurrent attempts and processes`, () => {
    let t: TestApp
    /** A second server on the same database: another process. */
    let other: FastifyInstance
    let fresh = 0

    beforeEach(async () => {
      t = await createTestApp({ dialect })
      other = await createServer(t.deps)
      const setup = await t.app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { token: testSetupToken, communityName: 'c', kit: 'testing', username: 'ada', password: testPassword },
      })
      assert.equal(setup.statusCode, 200, setup.body)
    })
    afterEach(async () => {
      await other.close()
      await t.close()
    })

    const signIn = (i: number, username: string, password: string, from: string) =>
      (i % 2 ? other : t.app).inject({
        method: 'POST',
        url: '/api/session',
        payload: { username, password },
        remoteAddress: from,
      })
    const freshAddress = () => `198.51.100.${++fresh}`

    it('checks 10 of 50 concurrent guesses at one username from 5 addresses, then not even the right password', async () => {
      const guesses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => signIn(i, 'ada', `wrong guess ${i}`, addresses[i % 5] ?? '')),
      )
      assert.deepEqual(tally(guesses.map((r) => r.statusCode)), { 401: 10, 429: 40 })
      const right = await signIn(0, 'ada', testPassword, freshAddress())
      assert.equal(right.statusCode, 429, right.body)
      assert.match(right.body, /too many failed sign-ins for this username/)

      await t.clock.advance(15 * minute)
      assert.equal((await signIn(1, 'ada', testPassword, freshAddress())).statusCode, 200)
    })

    it('checks 10 attempts per address a minute, across processes', async () => {
      const from = addresses[0] ?? ''
      const attempts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => signIn(i, `someone${i}`, 'wrong password', from)),
      )
      assert.deepEqual(tally(attempts.map((r) => r.statusCode)), { 401: 10, 429: 20 })
      const right = await signIn(0, 'ada', testPassword, from)
      assert.equal(right.statusCode, 429)
      assert.match(right.body, /too many attempts from this address/)
      assert.equal((await signIn(1, 'ada', testPassword, freshAddress())).statusCode, 200)
      await t.clock.advance(minute)
      assert.equal((await signIn(0, 'ada', testPassword, from)).statusCode, 200)
    })
  })

  describe(`${dialect}: one set-up at a time, across processes`, () => {
    it('makes one community of set-up requests sent to two processes at once', async () => {
      const t = await createTestApp({ dialect })
      const other = await createServer(t.deps)
      try {
        const setUp = (app: FastifyInstance, username: string) =>
          app.inject({
            method: 'POST',
            url: '/api/setup',
            payload: { token: testSetupToken, communityName: 'c', kit: 'testing', username, password: testPassword },
          })
        const results = await Promise.all([setUp(t.app, 'ada'), setUp(other, 'bob')])
        assert.deepEqual(results.map((r) => r.statusCode).toSorted(), [200, 409])
        assert.equal((await t.store.communities.listAll()).length, 1)
        assert.equal((await setUp(other, 'cy')).statusCode, 403, 'and none after it')
      } finally {
        await other.close()
        await t.close()
      }
    })
  })
}
