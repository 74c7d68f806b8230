import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../../src/domain/member.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { isAppError } from '../../../src/errors.ts'
import { engineHarness, type EngineHarness } from '../../support/engine-harness.ts'
import { testDialects } from '../../support/test-store.ts'

const yes = { kind: 'boolean', value: true } as const

for (const dialect of testDialects()) {
  describe(`${dialect}: votes hosted by PolicyKit, and who may cast them`, () => {
    let h: EngineHarness
    let voter: Member
    let boardMember: Member
    let bystander: Member
    /** Each test's policy outranks the ones before it. */
    let rank = 0

    /** A constitution policy for addDocument whose vote is opened with `selector`. */
    async function proposeWithVote(selector: string): Promise<Proposal> {
      await h.policy({
        name: `vote among ${selector}`,
        kind: 'constitution',
        actionTypes: ['constitution.addDocument'],
        priority: ++rank,
        blocks: {
          notify: `constitution.initiateVote({ text: action.name, ${selector} })`,
          check: 'return proposal.getYesVotes().length >= 1 ? PASSED : PROPOSED',
        },
      })
      const outcome = await h.constitution('addDocument', { name: selector, text: '' }, bystander.id)
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      return outcome.proposal
    }

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['vote'])
      await h.role('Board', ['propose:*'])
      voter = await h.member('voter', ['Voter'])
      boardMember = await h.member('board', ['Board', 'Voter'])
      bystander = await h.member('bystander')
    })
    after(() => h.close())

    it("restricts the vote to members holding the 'vote' permission", async () => {
      const proposal = await proposeWithVote(`permission: 'vote'`)
      assert.deepEqual(proposal.eligibleVoters, [voter.id, boardMember.id])
      await assert.rejects(
        h.engine.castVote(h.community.id, proposal.id, bystander.id, yes),
        (e) =>
          isAppError(e, 'forbidden') && e.message === `member ${bystander.id} may not vote on proposal ${proposal.id}`,
      )
      assert.equal((await h.store.votes.list(h.community.id, proposal.id)).length, 0, 'the vote is not recorded')
      await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      assert.equal((await h.store.proposals.get(h.community.id, proposal.id))?.status, 'passed')
    })

    it('restricts it to a role, or to named members (by username or id)', async () => {
      const byRole = await proposeWithVote(`role: 'Board'`)
      assert.deepEqual(byRole.eligibleVoters, [boardMember.id])
      const byName = await proposeWithVote(`users: ['voter', ${bystander.id}]`)
      assert.deepEqual(byName.eligibleVoters, [voter.id, bystander.id])
      await assert.rejects(h.engine.castVote(h.community.id, byName.id, boardMember.id, yes), (e) =>
        isAppError(e, 'forbidden'),
      )
    })

    it('counts the default role for members without a role', async () => {
      const proposal = await proposeWithVote(`role: 'Member'`)
      assert.deepEqual(proposal.eligibleVoters, [bystander.id])
    })

    it('logs a vote among an unknown role as the policy error it is', async () => {
      await h.policy({
        name: 'typo',
        kind: 'constitution',
        actionTypes: ['constitution.addDocument'],
        priority: ++rank,
        blocks: { notify: `constitution.initiateVote({ role: 'Bored' })` },
      })
      const outcome = await h.constitution('addDocument', { name: 'typo', text: '' }, bystander.id)
      const logs = await h.store.logs.list(h.community.id, { actionId: outcome.action.id })
      assert.ok(logs.some((l) => l.level === 'error' && /no role named Bored/.test(l.message)))
    })

    it('lists members with their roles, by role or permission', async () => {
      await h.policy({
        name: 'who is who',
        kind: 'constitution',
        actionTypes: ['constitution.addDocument'],
        priority: ++rank,
        blocks: {
          initialize: `
            proposal.data.set('all', constitution.getMembers())
            proposal.data.set('voters', constitution.getMembers({ permission: 'vote' }).map((m) => m.username))
            proposal.data.set('board', constitution.getMembers({ role: 'Board' }).map((m) => m.username))`,
        },
      })
      const outcome = await h.constitution('addDocument', { name: 'census', text: '' }, bystander.id)
      assert.ok('proposal' in outcome && outcome.proposal)
      const data = (await h.store.proposals.get(h.community.id, outcome.proposal.id))?.data
      assert.deepEqual(data?.['all'], [
        { id: voter.id, username: 'voter', displayName: 'voter', roles: ['Voter'] },
        { id: boardMember.id, username: 'board', displayName: 'board', roles: ['Voter', 'Board'] },
        { id: bystander.id, username: 'bystander', displayName: 'bystander', roles: ['Member'] },
      ])
      assert.deepEqual(data?.['voters'], ['voter', 'board'])
      assert.deepEqual(data?.['board'], ['board'])
    })

    it('lets anyone holding vote vote when the vote names nobody', async () => {
      const proposal = await proposeWithVote(`options: ['yes', 'no']`)
      assert.equal(proposal.eligibleVoters, null)
      await assert.rejects(h.engine.castVote(h.community.id, proposal.id, bystander.id, yes), (e) =>
        isAppError(e, 'forbidden'),
      )
      await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      assert.equal((await h.store.proposals.get(h.community.id, proposal.id))?.status, 'passed')
    })
  })
}
