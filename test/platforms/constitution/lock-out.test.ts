import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member, Role } from '../../../src/domain/member.ts'
import { isAppError } from '../../../src/errors.ts'
import { engineHarness, type EngineHarness } from '../../support/engine-harness.ts'
import { testDialects } from '../../support/test-store.ts'

const lockedOut = /would leave no member able to propose constitution\.changePolicy and constitution\.assignRole/

for (const dialect of testDialects()) {
  describe(`${dialect}: the constitution cannot lock the community out`, () => {
    let h: EngineHarness
    let admins: Role
    let members: Role
    let first: Member
    let second: Member

    before(async () => {
      h = await engineHarness(dialect)
      // Only admins may amend the constitution; everyone else may only act on the test platform.
      members = (await h.store.roles.getByName(h.community.id, 'Member')) ?? assert.fail('no default role')
      await h.store.roles.update(h.community.id, members.id, { permissions: ['propose:test.*'] })
      admins = await h.role('Admin', ['propose:*', 'vote'])
      first = await h.member('first', ['Admin'])
      await h.member('plain')
      await h.policy({
        name: 'admins decide by one vote',
        kind: 'constitution',
        blocks: { check: 'return proposal.getYesVotes().length >= 1 ? PASSED : PROPOSED' },
      })
    })
    after(() => h.close())

    it('refuses unassigning the last admin when proposed', async () => {
      await assert.rejects(
        h.constitution('unassignRole', { roleId: admins.id, memberId: first.id }, first.id),
        (e) =>
          isAppError(e, 'conflict') && lockedOut.test(e.message) && /taking the role Admin from first/.test(e.message),
      )
    })

    it('refuses removing the only role holding the powers, or taking the powers from it', async () => {
      await assert.rejects(
        h.constitution('removeRole', { roleId: admins.id }, first.id),
        (e) => isAppError(e, 'conflict') && lockedOut.test(e.message),
      )
      await assert.rejects(
        h.constitution(
          'changeRole',
          { roleId: admins.id, permissions: ['propose:constitution.changePolicy'] },
          first.id,
        ),
        (e) => isAppError(e, 'conflict') && lockedOut.test(e.message),
      )
      // Renaming keeps the powers.
      const rename = await h.constitution('changeRole', { roleId: admins.id, description: 'the stewards' }, first.id)
      assert.equal(rename.status, 'proposed')
    })

    it('allows it once another member holds the powers, through a role or the default role', async () => {
      second = await h.member('second', ['Admin'])
      const outcome = await h.constitution('unassignRole', { roleId: admins.id, memberId: first.id }, first.id)
      assert.equal(outcome.status, 'proposed')
      const onlyDefault = await h.constitution(
        'changeRole',
        { roleId: members.id, permissions: ['propose:constitution.*'] },
        first.id,
      )
      assert.equal(onlyDefault.status, 'proposed')
    })

    it('checks again when it executes: of two unassignments that each looked fine, the second is refused', async () => {
      const one = await h.constitution('unassignRole', { roleId: admins.id, memberId: first.id }, second.id)
      const two = await h.constitution('unassignRole', { roleId: admins.id, memberId: second.id }, first.id)
      assert.ok('proposal' in one && one.proposal && 'proposal' in two && two.proposal)
      await h.engine.castVote(h.community.id, one.proposal.id, second.id, { kind: 'boolean', value: true })
      assert.equal((await h.store.actions.get(h.community.id, one.action.id))?.executionState, 'executed')

      await h.engine.castVote(h.community.id, two.proposal.id, second.id, { kind: 'boolean', value: true })
      assert.equal((await h.store.proposals.get(h.community.id, two.proposal.id))?.status, 'passed')
      assert.equal((await h.store.actions.get(h.community.id, two.action.id))?.executionState, 'failed')
      const logs = await h.store.logs.list(h.community.id, { actionId: two.action.id })
      assert.ok(
        logs.some(
          (l) =>
            l.level === 'error' &&
            /could not execute constitution\.unassignRole/.test(l.message) &&
            lockedOut.test(l.message),
        ),
      )
      assert.deepEqual(
        (await h.store.roles.members(h.community.id, admins.id)).map((m) => m.username),
        ['second'],
        'the last admin keeps the role',
      )
    })

    it('refuses it also to a member who may execute constitution actions at once', async () => {
      await h.store.roles.update(h.community.id, admins.id, { permissions: ['propose:*', 'execute:constitution.*'] })
      await assert.rejects(
        h.constitution('removeRole', { roleId: admins.id }, second.id),
        (e) => isAppError(e, 'conflict') && lockedOut.test(e.message),
      )
      assert.ok(await h.store.roles.get(h.community.id, admins.id))
    })
  })
}
