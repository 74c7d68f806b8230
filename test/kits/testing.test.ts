import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'
import { addPolicy, policyNames, propose, statusOf, theCreator } from './kit-scenario.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: the testing kit`, () => {
    let h: EngineHarness
    let creator: Member
    let member: Member

    before(async () => {
      h = await engineHarness(dialect, { kit: 'testing' })
      creator = theCreator(h)
      member = await h.member('member')
    })
    after(() => h.close())

    it('passes and executes platform actions at once, whoever proposes them', async () => {
      const post = await propose(h, member, 'test.post', { text: 'hello' })
      assert.equal(post.status, 'passed')
      const rename = await propose(h, creator, 'test.rename', { channel: 'general', name: 'lobby' })
      assert.equal(rename.status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.type]),
        [
          ['execute', 'test.post'],
          ['execute', 'test.rename'],
        ],
      )
    })

    it('passes constitution actions at once: any member may change the policies', async () => {
      const proposal = await addPolicy(h, member, 'Renames pass')
      assert.equal(await statusOf(h, proposal), 'passed')
      assert.ok((await policyNames(h)).includes('Renames pass'))
    })
  })
}
