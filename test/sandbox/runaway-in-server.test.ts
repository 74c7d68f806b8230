import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { emptyBlocks } from '../../src/domain/policy.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'

const join = "return new Array(2 ** 32 - 1).join('x').length"

/**
 * The real server, listening: a community's constitution policy whose filter never ends inside
 * QuickJS's C code (the interrupt handler is never polled there). Before the sandbox moved to
 * worker threads this froze the process for minutes; now `/healthz` keeps answering over HTTP
 * while the filter runs, the filter is stopped at its wall-clock limit, and the action goes on
 * to the next policy.
 */
describe('a runaway policy block in the running server', () => {
  let server: TestServer
  let origin: string

  before(async () => {
    server = await startTestServer({ kit: 'testing' })
    await server.store.policies.create(
      server.communityId,
      {
        name: 'Runaway filter',
        description: '',
        kind: 'constitution',
        actionTypes: ['constitution.addDocument'],
        priority: 100,
        variables: [],
        blocks: { ...emptyBlocks(), filter: join },
      },
      Date.now(),
    )
    await server.app.listen({ host: '127.0.0.1', port: 0 })
    const address = server.app.server.address()
    assert.ok(address !== null && typeof address === 'object')
    origin = `http://127.0.0.1:${address.port}`
  })
  after(() => server.close())

  it('keeps answering /healthz while the block runs, then decides the action', async () => {
    let settled = false
    const proposing = server.admin
      .post<{ action: { id: number } }>(`/api/communities/${server.communityId}/actions`, {
        type: 'constitution.addDocument',
        params: { name: 'Charter', text: 'The charter.' },
      })
      .finally(() => (settled = true))
    const latencies: number[] = []
    while (!settled) {
      const started = performance.now()
      const res = await fetch(`${origin}/healthz`)
      assert.equal(res.status, 200)
      await res.arrayBuffer()
      if (!settled) {
        latencies.push(performance.now() - started)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const proposed = await proposing
    assert.equal(proposed.status, 201, JSON.stringify(proposed.json))
    // Answered many times during the ~1 s the filter ran; a blocked main thread answers none.
    assert.ok(latencies.length >= 10, `only ${latencies.length} answers during the run`)
    assert.ok(Math.max(...latencies) < 500, `slowest /healthz took ${Math.max(...latencies).toFixed(0)} ms`)

    const logs = await server.store.logs.list(server.communityId, { actionId: proposed.json.action.id })
    assert.ok(
      logs.some((l) => /timeout error in filter: exceeded 1000 ms of wall-clock time/.test(l.message)),
      JSON.stringify(logs.map((l) => l.message)),
    )
    const documents = await server.store.documents.list(server.communityId)
    assert.deepEqual(
      documents.map((d) => d.name),
      ['Charter'],
    )
  })
})
