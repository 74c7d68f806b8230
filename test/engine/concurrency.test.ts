import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createEngine } from '../../src/engine/engine.ts'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: exactly once under concurrency`, () => {
    let h: EngineHarness
    let voters: Member[]

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      voters = []
      for (const name of ['a', 'b', 'c']) {
        voters.push(await h.member(name, ['Voter']))
      }
      await h.policy({
        name: 'three yes',
        blocks: {
          check: 'return proposal.getYesVotes().length >= 3 ? PASSED : PROPOSED',
          notify: `test.initiateVote({ text: 'vote' })`,
          pass: `test.postMessage('passed ' + proposal.id)`,
        },
      })
    })
    after(() => h.close())

    it('passes, runs the pass block and executes once when many re-checks race', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'race' },
        initiatorId: null,
        origin: 'platform',
        result: { postId: 'orig' },
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      const proposalId = outcome.proposal.id
      for (const voter of voters) {
        await h.store.votes.cast(h.community.id, {
          proposalId,
          memberId: voter.id,
          vote: { kind: 'boolean', value: true },
          now: h.clock.now(),
        })
      }
      // A second engine over the same store stands in for another worker process.
      const other = createEngine({ store: h.store, sandbox: h.sandbox, platforms: [h.platform], clock: h.clock })
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : h.engine).recheck(h.community.id, proposalId)),
      )
      assert.ok(results.includes('checked'))
      assert.equal((await h.store.proposals.get(h.community.id, proposalId))?.status, 'passed')
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        [`passed ${proposalId}`],
      )
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
      )
      assert.equal(h.world.votePosts.length, 1, 'notify ran once')
    })

    it('does not lose a vote that arrives while the proposal is being evaluated', async () => {
      const proposalId = (await h.post('late vote')).id
      const casts = voters.map((voter) =>
        h.engine.castVote(h.community.id, proposalId, voter.id, { kind: 'boolean', value: true }),
      )
      await Promise.all(casts)
      assert.equal((await h.store.proposals.get(h.community.id, proposalId))?.status, 'passed')
    })

    it('writes nothing for a re-check that changes nothing, and answers a vote with one write', async () => {
      const proposalId = (await h.post('quiet')).id
      // What a write leaves behind: SQLite counts the rows this connection changed; PostgreSQL
      // gives the proposal's row a new version (xmin) on every update.
      const written = async (): Promise<{ rows: number; version: string; logs: number }> => {
        const query =
          dialect === 'sqlite'
            ? sql<{ rows: number; version: string; logs: number }>`select total_changes() as rows, '' as version,
                0 as logs`
            : sql<{ rows: number; version: string; logs: number }>`select 0 as rows, xmin::text as version,
                (select count(*) from evaluation_logs) as logs from proposals where id = ${proposalId}`
        const row = (await query.execute(h.store.db)).rows[0]
        return { rows: Number(row?.rows), version: String(row?.version), logs: Number(row?.logs) }
      }
      const before = await written()
      assert.equal(await h.engine.recheck(h.community.id, proposalId), 'checked')
      assert.equal(await h.engine.recheck(h.community.id, proposalId), 'checked')
      assert.deepEqual(await written(), before, 'two re-checks wrote nothing')

      // A vote as castVote commits it (the vote and the request), then its re-check.
      await h.store.transaction(async (trx) => {
        await trx.votes.cast(h.community.id, {
          proposalId,
          memberId: voters[0]?.id ?? 0,
          vote: { kind: 'boolean', value: true },
          now: h.clock.now(),
        })
        await trx.proposals.requestRecheck(h.community.id, proposalId)
      })
      const voted = await written()
      assert.equal(await h.engine.recheck(h.community.id, proposalId), 'checked')
      const answered = await written()
      assert.equal((await h.store.proposals.readForRecheck(h.community.id, proposalId))?.requested, 0, 'answered')
      if (dialect === 'sqlite') {
        assert.equal(answered.rows - voted.rows, 1, 'one row written: the answered request')
      } else {
        assert.notEqual(answered.version, voted.version, 'the proposal row written once')
        assert.equal(answered.logs, voted.logs, 'no log line')
      }
      assert.equal(await h.engine.recheck(h.community.id, proposalId), 'checked')
      assert.deepEqual(await written(), answered, 'and nothing after that')
    })
  })
}
