import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../../src/domain/member.ts'
import type { Policy } from '../../../src/domain/policy.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { engineHarness, type EngineHarness } from '../../support/engine-harness.ts'
import { testDialects } from '../../support/test-store.ts'

const twoYesVotes = {
  name: 'Two yes votes',
  kind: 'constitution' as const,
  blocks: {
    notify: `constitution.initiateVote({ text: 'Approve ' + action.type + '?' })`,
    check: `
      if (proposal.getYesVotes().length >= 2) return PASSED
      if (proposal.getNoVotes().length >= 2) return FAILED
      return PROPOSED`,
  },
}

for (const dialect of testDialects()) {
  describe(`${dialect}: a community amending its constitution`, () => {
    let h: EngineHarness
    let ann: Member
    let bob: Member
    let cy: Member
    let base: Policy
    let pendingDocument: Proposal

    const yes = { kind: 'boolean', value: true } as const

    async function proposal(id: number): Promise<Proposal | undefined> {
      return h.store.proposals.get(h.community.id, id)
    }

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      ann = await h.member('ann', ['Voter'])
      bob = await h.member('bob', ['Voter'])
      cy = await h.member('cy', ['Voter'])
      base = await h.policy(twoYesVotes)
    })
    after(() => h.close())

    it('puts a constitution action to the vote the base policy asks for', async () => {
      const outcome = await h.constitution('addDocument', { name: 'Charter', text: 'We decide together.' }, bob.id)
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      pendingDocument = outcome.proposal
      assert.equal(pendingDocument.policyVersionId, base.versionId)
      assert.equal(pendingDocument.votePlatform, 'constitution')
      assert.equal(pendingDocument.votePostId, `proposal:${pendingDocument.id}`)
      assert.equal(pendingDocument.voteUrl, `/c/${h.community.id}/proposals/${pendingDocument.id}`)
      assert.equal(pendingDocument.voteText, 'Approve constitution.addDocument?')
      assert.equal(pendingDocument.voteOptions, null, 'a yes/no vote')
      assert.equal(pendingDocument.eligibleVoters, null, 'anyone may vote')
      const logs = await h.store.logs.list(h.community.id, { proposalId: pendingDocument.id })
      assert.ok(logs.some((l) => l.message === 'vote opened: Approve constitution.addDocument?'))
    })

    it('changes its own constitution policy through that vote', async () => {
      const outcome = await h.constitution(
        'changePolicy',
        { policyId: base.id, name: 'Pass at once', blocks: { check: 'return PASSED', notify: '' } },
        ann.id,
      )
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      const amendment = outcome.proposal

      await h.engine.castVote(h.community.id, amendment.id, bob.id, yes)
      assert.equal((await proposal(amendment.id))?.status, 'proposed')
      assert.equal((await h.store.policies.get(h.community.id, base.id))?.version, 1, 'not changed before it passes')

      await h.engine.castVote(h.community.id, amendment.id, cy.id, yes)
      assert.equal((await proposal(amendment.id))?.status, 'passed')
      const action = await h.store.actions.get(h.community.id, outcome.action.id)
      assert.equal(action?.executionState, 'executed')
      const changed = await h.store.policies.get(h.community.id, base.id)
      assert.equal(changed?.version, 2)
      assert.equal(changed?.name, 'Pass at once')
      assert.deepEqual(action?.result, { policyId: base.id, versionId: changed?.versionId, version: 2 })
    })

    it('lets the new policy govern the next change', async () => {
      const outcome = await h.constitution('addRole', { name: 'Stewards', permissions: ['vote'] }, ann.id)
      assert.equal(outcome.status, 'passed')
      assert.ok('proposal' in outcome && outcome.proposal)
      const current = await h.store.policies.get(h.community.id, base.id)
      assert.equal(outcome.proposal.policyVersionId, current?.versionId)
      assert.ok(await h.store.roles.getByName(h.community.id, 'Stewards'))
    })

    it('keeps a pending proposal on the version it started with', async () => {
      assert.equal(await h.engine.recheck(h.community.id, pendingDocument.id), 'checked')
      assert.equal((await proposal(pendingDocument.id))?.status, 'proposed', 'still needs two votes under version 1')
      assert.equal((await proposal(pendingDocument.id))?.policyVersionId, base.versionId)
      await h.engine.castVote(h.community.id, pendingDocument.id, ann.id, yes)
      await h.engine.castVote(h.community.id, pendingDocument.id, cy.id, yes)
      assert.equal((await proposal(pendingDocument.id))?.status, 'passed')
      const documents = await h.store.documents.list(h.community.id)
      assert.deepEqual(
        documents.map((d) => d.name),
        ['Charter'],
      )
    })

    it('removes a policy, keeping it and its versions readable', async () => {
      const outcome = await h.constitution('removePolicy', { policyId: base.id }, ann.id)
      assert.equal(outcome.status, 'passed')
      const removed = await h.store.policies.get(h.community.id, base.id)
      assert.equal(removed?.active, false)
      const versions = await h.store.policies.versions(h.community.id, base.id)
      assert.deepEqual(
        versions.map((v) => [v.version, v.name]),
        [
          [1, 'Two yes votes'],
          [2, 'Pass at once'],
        ],
      )
      assert.equal(
        (await h.store.policies.getVersion(h.community.id, base.versionId))?.blocks.check,
        twoYesVotes.blocks.check,
      )
      // With no active constitution policy, a constitution action is left ungoverned, not executed.
      const next = await h.constitution('addDocument', { name: 'Ignored', text: '' }, ann.id)
      assert.equal(next.status, 'ungoverned')
      assert.equal(next.action.executionState, 'none')
    })
  })
}
