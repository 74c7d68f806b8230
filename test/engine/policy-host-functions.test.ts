import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: host functions of policy blocks`, () => {
    let h: EngineHarness
    let sandbox: Sandbox
    let author: Member

    before(async () => {
      sandbox = await createQuickJsSandbox({ poolSize: 2 })
      h = await engineHarness(dialect, { sandbox })
      author = await h.member('author')
    })
    after(async () => {
      await h.close()
      await sandbox.close()
    })

    async function propose(text: string): Promise<Proposal> {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: author.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal, JSON.stringify(outcome))
      return outcome.proposal
    }

    it('runs a block that makes a platform call once: one data write, one log line, one message', async () => {
      await h.policy({
        name: 'Counts its checks',
        actionTypes: ['test.post'],
        blocks: {
          filter: "return action.text === 'count'",
          check: `proposal.data.set('n', (proposal.data.get('n') ?? 0) + 1)
            logger.info('x')
            test.postMessage('checked')
            return PROPOSED`,
        },
      })
      const proposal = await propose('count')
      const stored = await h.store.proposals.get(h.community.id, proposal.id)
      assert.equal(stored?.data['n'], 1)
      const logs = await h.store.logs.list(h.community.id, { proposalId: proposal.id })
      assert.deepEqual(
        logs.filter((l) => l.message === 'x').map((l) => l.level),
        ['info'],
      )
      assert.deepEqual(
        h.world.messages.filter((m) => m.proposalId === proposal.id).map((m) => m.text),
        ['checked'],
      )
    })

    it('answers vote queries from the votes read before the first block', async () => {
      await h.policy({
        name: 'Reports votes',
        actionTypes: ['test.post'],
        blocks: {
          filter: "return action.text === 'votes'",
          check: `const count = (votes) => votes.length
            const ann = proposal.data.get('ann')
            proposal.data.set('counts', [
              count(proposal.getYesVotes()),
              count(proposal.getYesVotes(['ann'])),
              count(proposal.getYesVotes([{ username: 'ann' }, 'nobody'])),
              count(proposal.getYesVotes(ann)),
              count(proposal.getYesVotes({ id: ann })),
              count(proposal.getNoVotes()),
              count(proposal.getNoVotes('bob')),
              count(proposal.getChoiceVotes('red')),
              count(proposal.getChoiceVotes()),
              count(proposal.getNumberVotes(3)),
              count(proposal.getAllVotes()),
              count(proposal.getAllVotes([])),
            ])
            return PROPOSED`,
        },
      })
      const proposal = await propose('votes')
      await h.role('Voter', ['vote'])
      const ann = await h.member('ann', ['Voter'])
      const bob = await h.member('bob', ['Voter'])
      const cy = await h.member('cy', ['Voter'])
      await h.store.proposals.setData(h.community.id, proposal.id, { ann: ann.id })
      await h.engine.castVote(h.community.id, proposal.id, ann.id, { kind: 'boolean', value: true })
      await h.engine.castVote(h.community.id, proposal.id, bob.id, { kind: 'boolean', value: false })
      await h.engine.castVote(h.community.id, proposal.id, cy.id, { kind: 'choice', value: 'red' })
      const stored = await h.store.proposals.get(h.community.id, proposal.id)
      assert.deepEqual(stored?.data['counts'], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 3, 0])
      assert.equal(stored?.status, 'proposed')
    })
  })
}
