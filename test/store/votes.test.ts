import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedProposal } from './seed.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: votes`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('keeps one vote per member, the latest replacing the earlier', async () => {
      const { community, member, proposal } = await seedProposal(store)
      const first = await store.votes.cast(community.id, {
        proposalId: proposal.id,
        memberId: member.id,
        vote: { kind: 'boolean', value: false },
        now: 10,
      })
      assert.deepEqual(first, {
        id: first.id,
        proposalId: proposal.id,
        memberId: member.id,
        kind: 'boolean',
        value: false,
        castAt: 10,
      })
      const second = await store.votes.cast(community.id, {
        proposalId: proposal.id,
        memberId: member.id,
        vote: { kind: 'choice', value: 'blue' },
        now: 20,
      })
      assert.deepEqual(await store.votes.list(community.id, proposal.id), [second])
      assert.equal(second.value, 'blue')
      assert.equal(second.castAt, 20)
      assert.equal(await store.votes.count(community.id, proposal.id), 1)

      const racing = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.votes.cast(community.id, {
            proposalId: proposal.id,
            memberId: member.id,
            vote: { kind: 'number', value: i },
            now: 30 + i,
          }),
        ),
      )
      assert.equal(racing.length, 10)
      assert.equal(await store.votes.count(community.id, proposal.id), 1)

      assert.equal(await store.votes.withdraw(community.id, proposal.id, member.id), true)
      assert.equal(await store.votes.withdraw(community.id, proposal.id, member.id), false)
      assert.deepEqual(await store.votes.list(community.id, proposal.id), [])
    })

    it('filters by kind, value and members', async () => {
      const { community, member: ada, proposal } = await seedProposal(store)
      const bob = await store.members.create(community.id, {
        username: 'bob',
        now: 1,
      })
      const cy = await store.members.create(community.id, {
        username: 'cy',
        now: 1,
      })
      const dee = await store.members.create(community.id, {
        username: 'dee',
        now: 1,
      })
      const cast = (memberId: number, vote: Parameters<Store['votes']['cast']>[1]['vote']) =>
        store.votes.cast(community.id, {
          proposalId: proposal.id,
          memberId,
          vote,
          now: 5,
        })
      await cast(ada.id, { kind: 'boolean', value: true })
      await cast(bob.id, { kind: 'boolean', value: false })
      await cast(cy.id, { kind: 'choice', value: 'true' })
      await cast(dee.id, { kind: 'number', value: 3 })

      const count = (filter: Parameters<Store['votes']['count']>[2]) =>
        store.votes.count(community.id, proposal.id, filter)
      assert.equal(await count({}), 4)
      assert.equal(await count({ kind: 'boolean' }), 2)
      assert.equal(await count({ value: true }), 1, 'the choice "true" is not a yes')
      assert.equal(await count({ kind: 'boolean', value: false }), 1)
      assert.equal(await count({ value: 'true' }), 1)
      assert.equal(await count({ value: 3 }), 1)
      assert.equal(await count({ memberIds: [ada.id, cy.id] }), 2)
      assert.equal(await count({ memberIds: [] }), 0)
      const yes = await store.votes.list(community.id, proposal.id, {
        kind: 'boolean',
        value: true,
        memberIds: [ada.id, bob.id],
      })
      assert.deepEqual(
        yes.map((v) => v.memberId),
        [ada.id],
      )
    })

    it('lists the votes with their voters in the order they were cast', async () => {
      const { community, member: ada, proposal } = await seedProposal(store, 'order')
      const bob = await store.members.create(community.id, { username: 'bob', now: 1 })
      const cy = await store.members.create(community.id, { username: 'cy', now: 1 })
      for (const [memberId, value] of [
        [cy.id, 'c'],
        [ada.id, 'a'],
        [bob.id, 'b'],
      ] as const) {
        await store.votes.cast(community.id, {
          proposalId: proposal.id,
          memberId,
          vote: { kind: 'choice', value },
          now: 1,
        })
      }
      // Cast again: the vote keeps its place.
      await store.votes.cast(community.id, {
        proposalId: proposal.id,
        memberId: ada.id,
        vote: { kind: 'choice', value: 'a2' },
        now: 2,
      })
      const listed = await store.votes.listWithVoters(community.id, proposal.id)
      assert.deepEqual(
        listed.map((v) => [v.username, v.value]),
        (await store.votes.list(community.id, proposal.id)).map((v) => [
          [cy, ada, bob].find((m) => m.id === v.memberId)?.username,
          v.value,
        ]),
      )
      assert.deepEqual(
        listed.map((v) => v.username),
        ['cy', 'ada', 'bob'],
      )
    })

    it('keeps another community out', async () => {
      const a = await seedProposal(store, 'a')
      const b = await seedProposal(store, 'b')
      await store.votes.cast(a.community.id, {
        proposalId: a.proposal.id,
        memberId: a.member.id,
        vote: { kind: 'boolean', value: true },
        now: 1,
      })
      assert.deepEqual(await store.votes.list(b.community.id, a.proposal.id), [])
      assert.deepEqual(await store.votes.listWithVoters(b.community.id, a.proposal.id), [])
      const [withVoter] = await store.votes.listWithVoters(a.community.id, a.proposal.id)
      assert.equal(withVoter?.username, a.member.username)
      assert.equal(withVoter?.displayName, a.member.displayName)
      assert.equal(withVoter?.memberId, a.member.id)
      assert.equal(await store.votes.count(b.community.id, a.proposal.id), 0)
      assert.equal(await store.votes.withdraw(b.community.id, a.proposal.id, a.member.id), false)
      await assert.rejects(
        store.votes.cast(b.community.id, {
          proposalId: a.proposal.id,
          memberId: b.member.id,
          vote: { kind: 'boolean', value: false },
          now: 2,
        }),
        (e) => isAppError(e, 'not_found'),
      )
      await assert.rejects(
        store.votes.cast(b.community.id, {
          proposalId: b.proposal.id,
          memberId: a.member.id,
          vote: { kind: 'boolean', value: false },
          now: 2,
        }),
        (e) => isAppError(e, 'not_found'),
      )
      assert.equal(await store.votes.count(a.community.id, a.proposal.id, { value: true }), 1)
    })

    it('names the row of a corrupted vote', async () => {
      const { community, member, proposal } = await seedProposal(store)
      const vote = await store.votes.cast(community.id, {
        proposalId: proposal.id,
        memberId: member.id,
        vote: { kind: 'number', value: 2 },
        now: 1,
      })
      await store.db.updateTable('votes').set({ value: '"two"' }).where('id', '=', vote.id).execute()
      await assert.rejects(
        store.votes.list(community.id, proposal.id),
        new RegExp(`votes ${vote.id}, value "two" is not a number vote`),
      )
    })
  })
}
