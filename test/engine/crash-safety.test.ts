import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { sql } from 'kysely'
import type { Member } from '../../src/domain/member.ts'
import { defaultLeaseMs } from '../../src/engine/engine.ts'
import type { EngineRuntime } from '../../src/engine-runtime.ts'
import { engineHarness, startEngineRuntime, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'
import { until } from '../support/until.ts'

const minute = 60_000
const yes = { kind: 'boolean', value: true } as const
/** Within this a dead process's work is taken over: its lease, then the next heartbeat. */
const takeoverMs = defaultLeaseMs + Math.ceil(defaultLeaseMs / 3) + 1

const startProcess = (h: EngineHarness): Promise<EngineRuntime> =>
  startEngineRuntime(h, { sweepIntervalMs: 60 * minute, pollIntervalMs: 1000 })

for (const dialect of testDialects()) {
  describe(`${dialect}: crash safety`, () => {
    let h: EngineHarness
    let voters: Member[]
    let processes: EngineRuntime[]

    const proposal = (id: number) => h.store.proposals.get(h.community.id, id)
    const action = (id: number) => h.store.actions.get(h.community.id, id)

    beforeEach(async () => {
      h = await engineHarness(dialect)
      processes = []
      await h.role('Voter', ['propose:*', 'vote', 'execute:constitution.addDocument'])
      voters = [await h.member('ann', ['Voter']), await h.member('bob', ['Voter'])]
      await h.policy({
        name: 'two yes',
        actionTypes: ['test.post'],
        blocks: {
          check: 'return proposal.getYesVotes().length >= 2 ? PASSED : PROPOSED',
          pass: `test.postMessage('passed ' + proposal.id)`,
        },
      })
    })
    afterEach(async () => {
      h.world.hang = false
      for (const p of processes) {
        await p.stop()
      }
      await h.close()
    })

    const proposePost = (text: string, runtime: EngineRuntime) => h.post(text, runtime.engine)

    it('carries out a passed decision whose process died before executing it', async () => {
      const dying = await startProcess(h)
      const survivor = await startProcess(h)
      processes.push(survivor)
      const { id, actionId } = await proposePost('outbox', dying)
      await dying.engine.castVote(h.community.id, id, voters[0]?.id ?? 0, yes)
      // The deciding vote: the dying process decides, then freezes in the pass block for good.
      h.world.hang = true
      // Never settles while it hangs; whatever it does once the sandbox gives up on it, it does late.
      dying.engine.castVote(h.community.id, id, voters[1]?.id ?? 0, yes).catch(() => {})
      assert.ok(await until(() => h.world.hungCalls > 0), 'no call hung')
      await dying.stop() // its heartbeat stops: as far as the others can tell, it is dead
      h.world.hang = false
      assert.equal((await proposal(id))?.status, 'passed')
      assert.equal((await action(actionId))?.executionState, 'none')

      await h.clock.advance(takeoverMs)
      assert.equal((await action(actionId))?.executionState, 'executed')
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.params['text']]),
        [['execute', 'outbox']],
      )
      assert.deepEqual(h.world.messages, [], 'the pass block is not run a second time')
    })

    it('decides, within the takeover bound, a proposal whose evaluating process died', async () => {
      const survivor = await startProcess(h)
      processes.push(survivor)
      const { id } = await proposePost('leased', survivor)
      for (const voter of voters) {
        await h.store.votes.cast(h.community.id, { proposalId: id, memberId: voter.id, vote: yes, now: h.clock.now() })
      }
      // A dead process's lease, as a first evaluation leaves it when its process dies in it.
      const dead = { lease_token: 'dead', lease_owner: 'dead-process', lease_until: h.clock.now() + defaultLeaseMs }
      await h.store.db.updateTable('proposals').set(dead).where('id', '=', id).execute()
      assert.equal(await survivor.engine.recheck(h.community.id, id), 'busy')
      await h.clock.advance(defaultLeaseMs - 1000)
      assert.equal((await proposal(id))?.status, 'proposed', 'a lease is respected while it lasts')
      await h.clock.advance(takeoverMs - defaultLeaseMs + 1000)
      assert.equal((await proposal(id))?.status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['execute'],
      )
    })

    it('counts an acknowledged vote whose re-check died with its process', async () => {
      const survivor = await startProcess(h)
      processes.push(survivor)
      const { id } = await proposePost('voted', survivor)
      await survivor.engine.castVote(h.community.id, id, voters[0]?.id ?? 0, yes)
      // What castVote commits before its re-check, as one transaction: then the process died.
      await h.store.transaction(async (trx) => {
        await trx.votes.cast(h.community.id, { proposalId: id, memberId: voters[1]?.id ?? 0, vote: yes, now: 0 })
        await trx.proposals.requestRecheck(h.community.id, id)
      })
      await h.clock.advance(Math.ceil(defaultLeaseMs / 3) + 1)
      assert.equal((await proposal(id))?.status, 'passed', 'the next heartbeat re-checks it')
    })

    it('runs a first evaluation again, initialize and notify included, when its process died during it', async () => {
      const survivor = await startProcess(h)
      processes.push(survivor)
      const policy = await h.policy({
        name: 'vote among the voters',
        actionTypes: ['test.rename'],
        blocks: {
          initialize: `proposal.data.set('voters', 2)`,
          check: 'return proposal.data.get("voters") === 2 ? PROPOSED : FAILED',
          notify: `test.initiateVote({ text: 'rename?' })`,
        },
      })
      const { action: renamed } = await h.store.actions.create(h.community.id, {
        kind: 'platform',
        type: 'test.rename',
        origin: 'policykit',
        initiatorId: null,
        params: { channel: 'general', name: 'garden' },
        now: h.clock.now(),
      })
      // Born leased to a first evaluation whose process then died, before any block ran.
      const { id } = await h.store.proposals.create(h.community.id, {
        actionId: renamed.id,
        policyId: policy.id,
        policyVersionId: policy.versionId,
        now: h.clock.now(),
        lease: { token: 'dead', owner: 'dead-process', until: h.clock.now() + defaultLeaseMs },
      })
      await h.clock.advance(takeoverMs)
      assert.equal((await proposal(id))?.status, 'proposed', 'initialize ran, so check finds its data')
      assert.deepEqual((await proposal(id))?.data, { voters: 2 })
      assert.deepEqual(
        h.world.votePosts.map((v) => v.proposalId),
        [id],
      )
    })

    it('retries an interrupted execute with its idempotency key, marked as a retry', async () => {
      const dying = await startProcess(h)
      const survivor = await startProcess(h)
      processes.push(survivor)
      const { id, actionId } = await proposePost('keyed', dying)
      await dying.engine.castVote(h.community.id, id, voters[0]?.id ?? 0, yes)
      h.world.hang = false
      // The execute itself hangs this time (the pass block has run): the claim is left behind.
      await h.store.proposals.markOutcomeRan(h.community.id, id)
      h.world.hang = true
      // Never settles while it hangs; whatever it does once the sandbox gives up on it, it does late.
      dying.engine.castVote(h.community.id, id, voters[1]?.id ?? 0, yes).catch(() => {})
      assert.ok(await until(() => h.world.hungCalls > 0), 'no call hung')
      await dying.stop()
      h.world.hang = false
      assert.equal((await action(actionId))?.executionState, 'executing')

      await h.clock.advance(takeoverMs)
      assert.equal((await action(actionId))?.executionState, 'executed')
      assert.deepEqual(h.world.attempts, [{ key: `test:${actionId}:execute`, retry: true }])
    })

    it("commits a constitution action's effect only together with its executed state", async () => {
      const runtime = await startProcess(h)
      processes.push(runtime)
      // The crash, injected where it did harm: after the effect, as `executed` is written.
      if (dialect === 'sqlite') {
        await sql`create trigger crash_at_executed before update of execution_state on actions
          when new.execution_state = 'executed' begin select raise(abort, 'crash'); end`.execute(h.store.db)
      } else {
        await sql`create function crash_at_executed() returns trigger language plpgsql as $$
          begin raise exception 'crash'; end $$`.execute(h.store.db)
        await sql`create trigger crash_at_executed before update on actions for each row
          when (new.execution_state = 'executed') execute function crash_at_executed()`.execute(h.store.db)
      }
      const ann = voters[0]?.id ?? 0
      await assert.rejects(
        runtime.engine.propose({
          communityId: h.community.id,
          type: 'constitution.addDocument',
          params: { name: 'Charter', text: 'Be kind.' },
          initiatorId: ann,
          origin: 'policykit',
        }),
        /crash/,
      )
      assert.deepEqual(
        (await h.store.documents.list(h.community.id)).map((d) => d.name),
        [],
        'no effect without its executed: a retry could not apply it twice',
      )
      await sql`drop trigger crash_at_executed${sql.raw(dialect === 'postgres' ? ' on actions' : '')}`.execute(
        h.store.db,
      )
      const outcome = await runtime.engine.propose({
        communityId: h.community.id,
        type: 'constitution.addDocument',
        params: { name: 'Charter', text: 'Be kind.' },
        initiatorId: ann,
        origin: 'policykit',
      })
      assert.equal(outcome.status, 'executed')
      assert.equal((await action(outcome.action.id))?.executionState, 'executed')
      assert.deepEqual(
        (await h.store.documents.list(h.community.id)).map((d) => d.name),
        ['Charter'],
      )
    })
  })
}
