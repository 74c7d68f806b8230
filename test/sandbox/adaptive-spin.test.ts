import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import { AdaptiveSpin } from '../../src/sandbox/worker-protocol.ts'

describe('waiting awake for another thread (AdaptiveSpin)', () => {
  it('polls until the answer comes, and keeps polling on the next wait', () => {
    const spin = new AdaptiveSpin()
    let polls = 0
    assert.equal(
      spin.wait(50, () => ++polls === 3),
      true,
    )
    assert.equal(polls, 3)
    assert.equal(
      spin.wait(50, () => true),
      true,
    )
  })

  it('skips waits after one that failed, more after each further failure, and tries again after a success', () => {
    const spin = new AdaptiveSpin()
    const never = () => false
    let asked = 0
    const counted = () => {
      asked += 1
      return true
    }
    assert.equal(spin.wait(0.2, never), false) // failed: the next wait is skipped
    assert.equal(spin.wait(0.2, counted), false)
    assert.equal(asked, 0)
    assert.equal(spin.wait(0.2, never), false) // failed again: the next two are skipped
    assert.equal(spin.wait(0.2, counted), false)
    assert.equal(spin.wait(0.2, counted), false)
    assert.equal(asked, 0)
    assert.equal(spin.wait(0.2, counted), true) // tried, and it worked: no more skipping
    assert.equal(spin.wait(0.2, counted), true)
    assert.equal(asked, 2)
  })

  it('never waits with no time to wait', () => {
    let asked = false
    assert.equal(
      new AdaptiveSpin().wait(0, () => (asked = true)),
      false,
    )
    assert.equal(asked, false)
  })

  it('runs blocks and host calls the same whether threads wait awake or not', async () => {
    for (const spinMs of [0, 5]) {
      const sandbox = await createQuickJsSandbox({ poolSize: 1, spinMs })
      try {
        for (let i = 0; i < 20; i++) {
          const result = await sandbox.run({
            block: 'check',
            code: 'return double(n) + later(n)',
            globals: { n: i },
            functions: {
              double: (x) => Number(x) * 2,
              later: async (x) => {
                await new Promise((resolve) => setTimeout(resolve, 1))
                return Number(x)
              },
            },
          })
          assert.deepEqual(result, { ok: true, value: 3 * i }, `spinMs ${spinMs}, run ${i}`)
        }
      } finally {
        await sandbox.close()
      }
    }
  })
})
