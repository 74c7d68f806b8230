import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery } from 'kysely'
import { isAppError } from '../../src/errors.ts'
import { insertActionText } from '../../src/store/action-repo.ts'
import { insertProposalOfAction, insertProposalOfNewAction } from '../../src/store/proposal-repo.ts'
import type { NewIds, Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedCommunity, seedProposal } from './seed.ts'

const ten = <T>(fn: () => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: 10 }, fn))

for (const dialect of testDialects()) {
  describe(`${dialect}: proposals`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('round-trips a proposal, its vote post and data', async () => {
      const { community, policy, proposal } = await seedProposal(store)
      assert.deepEqual(proposal, {
        id: proposal.id,
        communityId: community.id,
        number: 1,
        actionId: proposal.actionId,
        policyId: policy.id,
        policyVersionId: policy.versionId,
        status: 'proposed',
        proposedAt: 1000,
        decidedAt: null,
        votePostId: null,
        voteUrl: null,
        votePlatform: null,
        eligibleVoters: null,
        voteText: null,
        voteOptions: null,
        data: {},
        notified: false,
      })
      assert.deepEqual(await store.proposals.get(community.id, proposal.id), proposal)
      await store.proposals.setVotePost(community.id, proposal.id, {
        platform: 'slack',
        postId: '123.45',
        url: null,
      })
      await store.proposals.setData(community.id, proposal.id, {
        yes: 2,
        who: ['ada'],
      })
      const found = await store.proposals.findByVotePost(community.id, 'slack', '123.45')
      assert.deepEqual(found, {
        ...proposal,
        votePlatform: 'slack',
        votePostId: '123.45',
        data: { yes: 2, who: ['ada'] },
      })
      assert.equal(await store.proposals.findByVotePost(community.id, 'discord', '123.45'), undefined)
    })

    it("keeps a hosted vote's question and options, and replaces them when the vote is opened again", async () => {
      const { community, proposal } = await seedProposal(store)
      await store.proposals.setVotePost(community.id, proposal.id, {
        platform: 'constitution',
        postId: `proposal:${proposal.id}`,
        url: `/c/${community.id}/proposals/${proposal.id}`,
        text: 'Which colour?',
        options: ['red', 'green', 'blue, or "none"'],
      })
      const choice = await store.proposals.get(community.id, proposal.id)
      assert.equal(choice?.voteText, 'Which colour?')
      assert.deepEqual(choice.voteOptions, ['red', 'green', 'blue, or "none"'])
      assert.equal(choice.voteUrl, `/c/${community.id}/proposals/${proposal.id}`)

      await store.proposals.setVotePost(community.id, proposal.id, {
        platform: 'constitution',
        postId: `proposal:${proposal.id}`,
        url: null,
        text: 'Yes or no?',
      })
      const yesNo = await store.proposals.get(community.id, proposal.id)
      assert.equal(yesNo?.voteText, 'Yes or no?')
      assert.equal(yesNo.voteOptions, null)

      await store.proposals.setVotePost(community.id, proposal.id, { platform: 'slack', postId: '1.2', url: null })
      const elsewhere = await store.proposals.get(community.id, proposal.id)
      assert.equal(elsewhere?.voteText, null, 'a platform that records no question leaves none')
      assert.equal(elsewhere.voteOptions, null)
    })

    it("numbers each community's proposals 1, 2, 3… without gaps, also when they are made at once", async () => {
      const one = await seedProposal(store)
      const two = await seedProposal(store)
      const another = (world: typeof one) => () =>
        store.proposals.create(world.community.id, {
          actionId: world.proposal.actionId,
          policyId: world.policy.id,
          policyVersionId: world.policy.versionId,
          now: 2000,
        })
      // Interleaved, on as many connections as the store has (PostgreSQL runs them side by side).
      await Promise.all([ten(another(one)), ten(another(two))])
      await assert.rejects(
        store.proposals.create(one.community.id, {
          actionId: two.proposal.actionId,
          policyId: two.policy.id,
          policyVersionId: two.policy.versionId,
          now: 3000,
        }),
        (e) => isAppError(e) && e.code === 'not_found',
        "another community's action makes no proposal",
      )
      const last = await another(one)()
      const numbers = async (world: typeof one) =>
        (await store.proposals.list(world.community.id)).map((p) => p.number).sort((a, b) => a - b)
      assert.deepEqual(
        await numbers(one),
        Array.from({ length: 12 }, (_, i) => i + 1),
      )
      assert.deepEqual(
        await numbers(two),
        Array.from({ length: 11 }, (_, i) => i + 1),
      )
      assert.equal(last.number, 12, 'the refused one left no gap')
      assert.equal((await store.proposals.get(one.community.id, last.id))?.number, 12)
    })

    it('keeps who may vote: some members, or everyone again', async () => {
      const { community, proposal } = await seedProposal(store)
      await store.proposals.setEligibleVoters(community.id, proposal.id, [3, 1])
      assert.deepEqual((await store.proposals.get(community.id, proposal.id))?.eligibleVoters, [3, 1])
      await store.proposals.setEligibleVoters(community.id, proposal.id, [])
      assert.deepEqual((await store.proposals.get(community.id, proposal.id))?.eligibleVoters, [])
      await store.proposals.setEligibleVoters(community.id, proposal.id, null)
      assert.equal((await store.proposals.get(community.id, proposal.id))?.eligibleVoters, null)
    })

    it('lists by status and action, newest first, and pages pending proposals system-wide', async () => {
      const one = await seedProposal(store)
      const two = await seedProposal(store)
      const extra = await store.proposals.create(one.community.id, {
        actionId: one.proposal.actionId,
        policyId: one.policy.id,
        policyVersionId: one.policy.versionId,
        now: 2000,
      })
      await store.proposals.decide(one.community.id, one.proposal.id, 'errored', 2000)
      const list = await store.proposals.list(one.community.id, {
        actionId: one.proposal.actionId,
      })
      assert.deepEqual(
        list.map((p) => p.id),
        [extra.id, one.proposal.id],
      )
      assert.deepEqual(
        (await store.proposals.list(one.community.id, { status: 'errored' })).map((p) => p.id),
        [one.proposal.id],
      )
      assert.deepEqual(
        (await store.proposals.list(one.community.id, { limit: 1 })).map((p) => p.id),
        [extra.id],
      )
      assert.deepEqual(
        (await store.proposals.list(one.community.id, { beforeId: extra.id })).map((p) => p.id),
        [one.proposal.id],
      )

      const pending = await store.proposals.pendingPage(0, 1000)
      assert.ok(pending.some((p) => p.id === extra.id && p.communityId === one.community.id))
      assert.ok(pending.some((p) => p.id === two.proposal.id && p.communityId === two.community.id))
      assert.ok(!pending.some((p) => p.id === one.proposal.id))
      const page = await store.proposals.pendingPage(two.proposal.id, 1)
      assert.deepEqual(page, [{ id: extra.id, communityId: one.community.id }])
    })

    it('lists recent decisions and counts them per UTC day', async () => {
      const day = 86_400_000
      const t0 = Date.UTC(2026, 2, 10)
      const { community, policy, proposal: first } = await seedProposal(store)
      const more = async () =>
        store.proposals.create(community.id, {
          actionId: first.actionId,
          policyId: policy.id,
          policyVersionId: policy.versionId,
          now: 1000,
        })
      const [a, b, c, d, e] = [first, await more(), await more(), await more(), await more()]
      await store.proposals.decide(community.id, a.id, 'passed', t0 - 1) // the day before
      await store.proposals.decide(community.id, b.id, 'passed', t0 + 5)
      await store.proposals.decide(community.id, c.id, 'failed', t0 + day - 1)
      await store.proposals.decide(community.id, d.id, 'passed', t0 + 2 * day + 7)
      await store.proposals.decide(community.id, e.id, 'errored', t0 + 2 * day + 8)
      // A decision of another community counts there only.
      const other = await seedProposal(store, 'other')
      await store.proposals.decide(other.community.id, other.proposal.id, 'passed', t0 + 5)

      assert.deepEqual(await store.proposals.decisionCountsByDay(community.id, t0), [
        { day: '2026-03-10', passed: 1, failed: 1 },
        { day: '2026-03-12', passed: 1, failed: 0 },
      ])
      assert.deepEqual(await store.proposals.decisionCountsByDay(community.id, t0 - day), [
        { day: '2026-03-09', passed: 1, failed: 0 },
        { day: '2026-03-10', passed: 1, failed: 1 },
        { day: '2026-03-12', passed: 1, failed: 0 },
      ])
      assert.deepEqual(
        (await store.proposals.recentlyDecided(community.id, 3)).map((p) => p.id),
        [d.id, c.id, b.id],
        'by decision time, errored ones left out',
      )
    })

    it('decides, notifies and runs the outcome exactly once under concurrent calls', async () => {
      const { community, proposal } = await seedProposal(store)
      const decided = await ten(() => store.proposals.decide(community.id, proposal.id, 'passed', 5000))
      assert.equal(decided.filter(Boolean).length, 1)
      assert.equal(await store.proposals.decide(community.id, proposal.id, 'failed', 6000), false)
      const after = await store.proposals.get(community.id, proposal.id)
      assert.equal(after?.status, 'passed')
      assert.equal(after?.decidedAt, 5000)

      const notified = await ten(() => store.proposals.markNotified(community.id, proposal.id))
      assert.equal(notified.filter(Boolean).length, 1)
      const ran = await ten(() => store.proposals.markOutcomeRan(community.id, proposal.id))
      assert.equal(ran.filter(Boolean).length, 1)
    })

    it("claims a decided proposal's outcome once, giving the proposal with it, and a pending one's never", async () => {
      const { community, proposal } = await seedProposal(store)
      assert.equal(await store.proposals.claimOutcome(community.id, proposal.id), undefined, 'pending')
      await store.proposals.decide(community.id, proposal.id, 'failed', 7000)
      await store.proposals.setData(community.id, proposal.id, { reason: 'two no votes' })
      const elsewhere = await seedCommunity(store, 'elsewhere')
      assert.equal(await store.proposals.claimOutcome(elsewhere.id, proposal.id), undefined, 'not by another community')
      const claims = await ten(() => store.proposals.claimOutcome(community.id, proposal.id))
      const [claimed, ...others] = claims.filter((claim) => claim !== undefined)
      assert.equal(others.length, 0, 'one claim wins')
      assert.equal(claimed?.status, 'failed')
      assert.equal(claimed?.decidedAt, 7000)
      assert.deepEqual(claimed?.data, { reason: 'two no votes' })
      assert.equal(await store.proposals.markOutcomeRan(community.id, proposal.id), false, 'the flag it set')
    })

    it("asks a first evaluation's lease holder to re-check while its lease lasts, and lets an expired lease be broken", async () => {
      const { community, proposal } = await seedProposal(store, 'c', { token: 'first', owner: 'test', until: 2000 })
      assert.deepEqual((await store.proposals.readForRecheck(community.id, proposal.id))?.lease, {
        token: 'first',
        until: 2000,
      })
      // Ten re-checks at once: each is counted, none takes the lease.
      const asked = await ten(() => store.proposals.askLeaseHolder(community.id, proposal.id, 1500))
      assert.deepEqual(
        asked,
        Array.from({ length: 10 }, () => true),
      )
      assert.equal((await store.proposals.readForRecheck(community.id, proposal.id))?.requested, 10)
      // A loser's token does not release anything.
      assert.deepEqual(await store.proposals.releaseLease(community.id, proposal.id, 'nobody'), { recheck: false })
      // The holder keeps the lease once more (the requests answered), then lets go.
      assert.deepEqual(await store.proposals.releaseLease(community.id, proposal.id, 'first'), { recheck: true })
      assert.equal((await store.proposals.readForRecheck(community.id, proposal.id))?.requested, 0)
      assert.deepEqual(await store.proposals.releaseLease(community.id, proposal.id, 'first'), { recheck: false })
      assert.equal((await store.proposals.readForRecheck(community.id, proposal.id))?.lease, null)
      assert.equal(await store.proposals.askLeaseHolder(community.id, proposal.id, 1500), false, 'no lease to ask')

      const slow = await seedProposal(store, 'slow', { token: 'slow', owner: 'test', until: 2000 })
      assert.equal(await store.proposals.askLeaseHolder(slow.community.id, slow.proposal.id, 2001), false, 'expired')
      assert.equal(await store.proposals.breakLease(slow.community.id, slow.proposal.id, 'other'), false)
      assert.equal(await store.proposals.breakLease(slow.community.id, slow.proposal.id, 'slow'), true)
      assert.equal((await store.proposals.readForRecheck(slow.community.id, slow.proposal.id))?.lease, null)
      // The slow holder comes back: it lets go of nothing and hears of no request.
      assert.deepEqual(await store.proposals.releaseLease(slow.community.id, slow.proposal.id, 'slow'), {
        recheck: false,
      })
    })

    it('counts requested re-checks, and clears only the ones a re-check answered', async () => {
      const { community, proposal } = await seedProposal(store)
      const requested = async () => (await store.proposals.readForRecheck(community.id, proposal.id))?.requested
      assert.equal(await store.proposals.recheckRequested(community.id, proposal.id), false)
      await store.proposals.requestRecheck(community.id, proposal.id)
      await store.proposals.requestRecheck(community.id, proposal.id)
      assert.equal(await requested(), 2)
      assert.equal(await store.proposals.recheckRequested(community.id, proposal.id), true)
      // Another came after the re-check read two: it stays, and the re-check runs again.
      await store.proposals.requestRecheck(community.id, proposal.id)
      const more = await store.proposals.finishStep(community.id, proposal.id, { logs: [], answered: 2 })
      assert.equal(more?.recheck, true)
      assert.equal(await requested(), 3)
      const done = await store.proposals.finishStep(community.id, proposal.id, {
        logs: [],
        data: { n: 1 },
        answered: 3,
      })
      assert.deepEqual(done, { recheck: false, proposal: { ...proposal, data: { n: 1 } } })
      assert.equal(await requested(), 0)
      // A decided proposal takes no request, and none is reported.
      await store.proposals.requestRecheck(community.id, proposal.id)
      assert.equal(await store.proposals.decide(community.id, proposal.id, 'passed', 2000), true)
      await store.proposals.requestRecheck(community.id, proposal.id)
      assert.equal(await requested(), 1)
      assert.equal(await store.proposals.recheckRequested(community.id, proposal.id), false)
      assert.equal(
        (await store.proposals.finishStep(community.id, proposal.id, { logs: [], answered: 0 }))?.recheck,
        false,
      )
    })

    it("writes a step's log lines, data and notified flag with the lease's release, on its own or in a transaction", async () => {
      for (const inTransaction of [false, true]) {
        const { community, policy, proposal } = await seedProposal(store, `step-${inTransaction}`, {
          token: 'step',
          owner: 'test',
          until: 2000,
        })
        // A vote came in meanwhile: the holder keeps the lease, to re-check.
        assert.equal(await store.proposals.askLeaseHolder(community.id, proposal.id, 1000), true)
        const line = (message: string) => ({
          proposalId: proposal.id,
          actionId: proposal.actionId,
          policyId: policy.id,
          level: 'info' as const,
          message,
          now: 1500,
        })
        const finish = (writes: Parameters<Store['proposals']['finishStep']>[2]) =>
          inTransaction
            ? store.transaction((trx) => trx.proposals.finishStep(community.id, proposal.id, writes))
            : store.proposals.finishStep(community.id, proposal.id, writes)

        // Without a token: the writes only, no answer.
        assert.equal(await finish({ logs: [line('first')], data: { n: 1 } }), undefined)
        const kept = await finish({ logs: [line('second'), line('third')], notified: true, releaseToken: 'step' })
        assert.deepEqual(kept, {
          recheck: true,
          proposal: { ...proposal, data: { n: 1 }, notified: true },
        })
        // Another's token lets nothing go, and leaves the data as it is when given none.
        assert.equal((await finish({ logs: [], releaseToken: 'nobody' }))?.recheck, false)
        assert.deepEqual((await store.proposals.get(community.id, proposal.id))?.data, { n: 1 })
        const released = await finish({ logs: [], data: { n: 2 }, releaseToken: 'step' })
        assert.deepEqual(released, { recheck: false, proposal: { ...proposal, data: { n: 2 }, notified: true } })
        // Let go: no one holds it.
        assert.equal((await store.proposals.readForRecheck(community.id, proposal.id))?.lease, null)
        const logs = await store.logs.list(community.id, { proposalId: proposal.id })
        assert.deepEqual(
          logs.map((l) => [l.message, l.platform]),
          [
            ['third', 'test'],
            ['second', 'test'],
            ['first', 'test'],
          ],
        )
      }
    })

    it('makes an action and its leased proposal together, once per delivery, and not under a version of another community', async () => {
      const { community, member, policy } = await seedProposal(store)
      const other = await seedProposal(store, 'other')
      const action = (text: string, externalId: string | null = null) => ({
        kind: 'platform' as const,
        type: 'test.post',
        origin: 'platform' as const,
        initiatorId: member.id,
        params: { text },
        externalId,
        now: 2000,
      })
      const lease = { token: 'held', owner: 'me', until: 9000 }
      const under = { policyId: policy.id, policyVersionId: policy.versionId, now: 2000, lease }

      const made = await store.proposals.createWithAction(community.id, action('first', 'm1'), under)
      assert.equal(made.created, true)
      assert.equal(made.action.externalId, 'm1')
      assert.deepEqual(made.action.params, { text: 'first' })
      assert.ok(made.proposal)
      assert.equal(made.proposal.actionId, made.action.id)
      assert.equal(made.proposal.number, 2) // after seedProposal's
      assert.equal(made.proposal.status, 'proposed')
      // Born leased: a re-check asks its holder.
      assert.deepEqual((await store.proposals.readForRecheck(community.id, made.proposal.id))?.lease, {
        token: 'held',
        until: 9000,
      })

      // The same delivery again: the first action, nothing new.
      const again = await store.proposals.createWithAction(community.id, action('again', 'm1'), under)
      assert.deepEqual(again, { action: made.action, created: false, proposal: undefined })
      assert.equal((await store.proposals.list(community.id, { actionId: made.action.id })).length, 1)

      // Another community's policy version: the action is made, no proposal.
      const elsewhere = { ...under, policyId: other.policy.id, policyVersionId: other.policy.versionId }
      const lone = await store.proposals.createWithAction(community.id, action('lone'), elsewhere)
      assert.equal(lone.created, true)
      assert.equal(lone.proposal, undefined)
      assert.deepEqual(await store.actions.get(community.id, lone.action.id), lone.action)
      assert.deepEqual(await store.proposals.list(community.id, { actionId: lone.action.id }), [])

      // In a transaction, both go with it.
      await assert.rejects(
        store.transaction(async (trx) => {
          const inside = await trx.proposals.createWithAction(community.id, action('rolled back', 'm2'), under)
          assert.ok(inside.proposal)
          throw new Error('roll back')
        }),
        /roll back/,
      )
      const kept = await store.proposals.createWithAction(community.id, action('after', 'm2'), under)
      assert.equal(kept.created, true)
      assert.equal(kept.proposal?.number, 3)
    })

    it('makes an action and its proposal after a first evaluation in one go, on the ids it expected, or not at all', async () => {
      const { community, member, policy } = await seedProposal(store)
      const action = (text: string, externalId: string | null = null) => ({
        kind: 'platform' as const,
        type: 'test.post',
        origin: 'policykit' as const,
        initiatorId: member.id,
        params: { text },
        externalId,
        now: 3000,
      })
      const evaluated = (ids: NewIds) => {
        const line = (message: string) => ({
          proposalId: ids.proposalId,
          actionId: ids.actionId,
          policyId: policy.id,
          level: 'debug' as const,
          message,
          details: null,
          now: 3000,
        })
        return {
          policyId: policy.id,
          policyVersionId: policy.versionId,
          now: 3000,
          expected: ids,
          writes: { data: { opened: true }, logs: [line('opened'), line('check returned proposed')] },
        }
      }
      const rows = async () =>
        Promise.all(
          (['actions', 'proposals', 'evaluation_logs'] as const).map(async (table) =>
            Number(
              (
                await store.db
                  .selectFrom(table)
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            ),
          ),
        )

      // Someone proposed meanwhile: nothing is written.
      const expected = await store.proposals.nextIds(community.id)
      assert.equal(expected.number, 2) // after seedProposal's
      await store.proposals.createWithAction(community.id, action('meanwhile'), {
        policyId: policy.id,
        policyVersionId: policy.versionId,
        now: 3000,
      })
      const other = await seedProposal(store, 'other')
      const before = await rows()
      assert.equal(
        await store.proposals.createEvaluated(community.id, action('late', 'e1'), evaluated(expected)),
        undefined,
      )
      // Nor under a number that was taken, nor under a version of another community.
      const taken = { ...(await store.proposals.nextIds(community.id)), number: 1 }
      assert.equal(
        await store.proposals.createEvaluated(community.id, action('late', 'e1'), evaluated(taken)),
        undefined,
      )
      const elsewhere = await store.proposals.nextIds(community.id)
      const underOther = { ...evaluated(elsewhere), policyId: other.policy.id, policyVersionId: other.policy.versionId }
      assert.equal(await store.proposals.createEvaluated(community.id, action('late', 'e1'), underOther), undefined)
      assert.deepEqual(await rows(), before, 'nothing was written')

      const ids = await store.proposals.nextIds(community.id)
      const made = await store.proposals.createEvaluated(community.id, action('first', 'e1'), evaluated(ids))
      assert.ok(made?.created && made.proposal)
      assert.equal(made.action.id, ids.actionId)
      assert.deepEqual(made.action.params, { text: 'first' })
      assert.equal(made.proposal.id, ids.proposalId)
      assert.equal(made.proposal.number, 3)
      assert.deepEqual(made.proposal.data, { opened: true })
      assert.equal(made.proposal.notified, true)
      assert.deepEqual(await store.proposals.get(community.id, made.proposal.id), made.proposal)
      // Not leased: a re-check may take it at once.
      assert.deepEqual((await store.proposals.readForRecheck(community.id, made.proposal.id))?.lease, null)
      const lines = await store.logs.list(community.id, { proposalId: made.proposal.id })
      assert.deepEqual(lines.map((l) => [l.message, l.actionId, l.platform]).sort(), [
        ['check returned proposed', ids.actionId, 'test'],
        ['opened', ids.actionId, 'test'],
      ])

      // The same delivery again: the first action, nothing new.
      const again = await store.proposals.createEvaluated(
        community.id,
        action('again', 'e1'),
        evaluated(await store.proposals.nextIds(community.id)),
      )
      assert.deepEqual(again, { action: made.action, created: false, proposal: undefined })

      // A proposal made where this store does not see it (a transaction here; another process on
      // the same database) takes the number expected: nothing is written, and the next ids are right.
      const stale = await store.proposals.nextIds(community.id)
      const elsewhereMade = await store.transaction((trx) =>
        trx.proposals.createWithAction(community.id, action('in a transaction'), {
          policyId: policy.id,
          policyVersionId: policy.versionId,
          now: 3000,
        }),
      )
      assert.equal(elsewhereMade.proposal?.number, stale.number)
      const counted = await rows()
      assert.equal(await store.proposals.createEvaluated(community.id, action('late'), evaluated(stale)), undefined)
      assert.deepEqual(await rows(), counted, 'nothing was written')
      const fresh = await store.proposals.nextIds(community.id)
      assert.equal(fresh.number, stale.number + 1)
      const after = await store.proposals.createEvaluated(community.id, action('late'), evaluated(fresh))
      assert.equal(after?.proposal?.number, fresh.number)
      assert.equal((await store.proposals.nextIds(community.id)).number, fresh.number + 1)

      // A version a proposal was made under is still checked for another community.
      const intruder = { ...action('intruder'), initiatorId: other.member.id }
      const underMine = evaluated(await store.proposals.nextIds(other.community.id))
      assert.equal(await store.proposals.createEvaluated(other.community.id, intruder, underMine), undefined)
      const lone = await store.proposals.createWithAction(other.community.id, intruder, underMine)
      assert.equal(lone.proposal, undefined)
    })

    // SQLite checks the foreign keys of an INSERT … RETURNING in the tables that refer to its rows.
    if (dialect === 'sqlite') {
      it('inserts an action and a proposal without reading a table whole', async () => {
        for (const text of [
          insertActionText,
          ...insertProposalOfAction.sqlite,
          ...insertProposalOfNewAction(false, true),
        ]) {
          const sqliteText = text.replace(/\$\d+/g, '?')
          const params = Array.from(sqliteText.matchAll(/\?/g), () => 1)
          const plan = await store.db.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${sqliteText}`, params),
          )
          const scans = plan.rows.map((row) => row.detail).filter((detail) => /^SCAN (?!CONSTANT ROW)/.test(detail))
          assert.deepEqual(scans, [], text)
        }
      })
    }

    it('keeps another community out', async () => {
      const a = await seedProposal(store, 'a')
      const b = await seedProposal(store, 'b')
      const id = a.proposal.id
      assert.equal(await store.proposals.get(b.community.id, id), undefined)
      assert.ok(!(await store.proposals.list(b.community.id)).some((p) => p.id === id))
      assert.equal(await store.proposals.decide(b.community.id, id, 'failed', 1), false)
      assert.equal(await store.proposals.markNotified(b.community.id, id), false)
      assert.equal(await store.proposals.markOutcomeRan(b.community.id, id), false)
      assert.equal(await store.proposals.readForRecheck(b.community.id, id), undefined)
      await store.proposals.requestRecheck(b.community.id, id)
      assert.equal(await store.proposals.recheckRequested(a.community.id, id), false)
      await assert.rejects(store.proposals.setData(b.community.id, id, { x: 1 }), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.proposals.setEligibleVoters(b.community.id, id, [1]), (e) =>
        isAppError(e, 'not_found'),
      )
      await assert.rejects(
        store.proposals.setVotePost(b.community.id, id, {
          platform: 'slack',
          postId: '1',
          url: null,
        }),
        (e) => isAppError(e, 'not_found'),
      )
      // Nor may a proposal be made from another community's action or policy version.
      await assert.rejects(
        store.proposals.create(b.community.id, {
          actionId: a.proposal.actionId,
          policyId: b.policy.id,
          policyVersionId: b.policy.versionId,
          now: 1,
        }),
        (e) => isAppError(e, 'not_found'),
      )
      await assert.rejects(
        store.proposals.create(b.community.id, {
          actionId: b.proposal.actionId,
          policyId: a.policy.id,
          policyVersionId: a.policy.versionId,
          now: 1,
        }),
        (e) => isAppError(e, 'not_found'),
      )
      assert.deepEqual(await store.proposals.get(a.community.id, id), a.proposal)
      assert.deepEqual((await store.proposals.readForRecheck(a.community.id, id))?.proposal, a.proposal)
    })

    it('names the row of corrupted data', async () => {
      const { community, proposal } = await seedProposal(store)
      await store.db.updateTable('proposals').set({ data: 'null' }).where('id', '=', proposal.id).execute()
      await assert.rejects(
        store.proposals.get(community.id, proposal.id),
        new RegExp(`proposals ${proposal.id}, column data`),
      )
    })
  })
}
