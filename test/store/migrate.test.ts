import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open-store.ts'
import { slackPorts } from '../support/slack-records.ts'
import { seedPolicyAndAction } from './seed.ts'
import { openTestStore, testDialects, testSecretKey } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: migrate`, () => {
    it('applies nothing the second time', async () => {
      const store = await openTestStore(dialect)
      try {
        assert.deepEqual(await migrate(store), [])
        const community = await store.communities.create({
          name: 'still here',
          now: 1,
        })
        assert.deepEqual(await migrate(store), [])
        assert.equal((await store.communities.get(community.id))?.name, 'still here')
      } finally {
        await store.close()
      }
    })

    it("carries Slack's delivery receipts and echo records over to the kit's tables (0010)", async () => {
      const store = await openTestStore(dialect, { migrateUpTo: '0009-attempt-windows' })
      try {
        const { id } = await store.communities.create({ name: 'Gardeners', now: 1 })
        await sql`insert into slack_echoes (community_id, key, created_at) values (${id}, 'pin:C1:1.1', 1000), (${id}, 'pin:C1:1.1', 1001)`.execute(
          store.db,
        )
        await sql`insert into slack_event_receipts (community_id, event_id, received_at, state) values (${id}, 'EvDONE', 1000, 'done'), (${id}, 'EvBUSY', 1000, 'handling')`.execute(
          store.db,
        )
        assert.ok((await migrate(store)).includes('0010-platform-deliveries'))
        const slack = slackPorts(store, 2000)
        assert.equal(await slack.echoes.take(id, 'pin:C1:1.1'), true)
        assert.equal(await slack.echoes.take(id, 'pin:C1:1.1'), true, 'both records came over')
        assert.equal(await slack.echoes.take(id, 'pin:C1:1.1'), false)
        assert.equal(await slack.deliveries.claim(id, 'EvDONE'), 'done')
        assert.equal(await slack.deliveries.claim(id, 'EvBUSY'), 'busy', 'still being handled')
        assert.equal(await slackPorts(store, 2000).deliveries.claim(id, 'EvNEW'), 'claimed')
        const tables = await sql<{
          n: number
        }>`select count(*) as n from platform_deliveries where platform = 'slack'`.execute(store.db)
        assert.equal(Number(tables.rows[0]?.n), 3)
      } finally {
        await store.close()
      }
    })

    it("gives the log lines already there their action's platform (0011)", async () => {
      const store = await openTestStore(dialect, { migrateUpTo: '0010-platform-deliveries' })
      try {
        const { id } = await store.communities.create({ name: 'Gardeners', now: 1 })
        const action = await sql<{
          id: number
        }>`insert into actions (community_id, kind, type, platform, origin, params, created_at)
          values (${id}, 'platform', 'slack.postMessage', 'slack', 'slack', '{}', 1) returning id`.execute(store.db)
        const actionId = action.rows[0]?.id ?? 0
        await sql`insert into evaluation_logs (community_id, action_id, level, message, created_at)
          values (${id}, ${actionId}, 'info', 'about a message', 1), (${id}, ${null}, 'info', 'about nothing', 2)`.execute(
          store.db,
        )
        assert.equal((await migrate(store))[0], '0011-log-platform-invite-revocation')
        const logs = await store.logs.list(id)
        assert.deepEqual(
          logs.map((l) => [l.message, l.platform]),
          [
            ['about nothing', null],
            ['about a message', 'slack'],
          ],
        )
        assert.deepEqual(await store.logs.list(id, { platform: 'slack' }).then((l) => l.length), 1)
      } finally {
        await store.close()
      }
    })

    it('numbers the proposals already there per community, in id order (0020)', async () => {
      const store = await openTestStore(dialect, { migrateUpTo: '0019-community-cache-version' })
      try {
        const worlds = await Promise.all(
          ['Gardeners', 'Beekeepers'].map(async (name) => {
            const community = await store.communities.create({ name, now: 1 })
            return { community, ...(await seedPolicyAndAction(store, community.id, { now: 1 })) }
          }),
        )
        // Interleaved, so the global ids of each community's proposals have gaps.
        for (const round of [1, 2, 3]) {
          for (const { community, policy, action } of worlds) {
            await sql`insert into proposals (community_id, action_id, policy_id, policy_version_id, status, proposed_at, data, notified, outcome_ran, recheck_requested)
              values (${community.id}, ${action.id}, ${policy.id}, ${policy.versionId}, 'proposed', ${round}, '{}', 0, 0, 0)`.execute(
              store.db,
            )
          }
        }
        assert.ok((await migrate(store)).includes('0020-proposal-numbers-and-leaving'))
        for (const { community } of worlds) {
          const byId = (await store.proposals.list(community.id)).sort((a, b) => a.id - b.id)
          assert.deepEqual(
            byId.map((p) => p.number),
            [1, 2, 3],
          )
        }
        const [first] = worlds
        assert.ok(first)
        const next = await store.proposals.create(first.community.id, {
          actionId: first.action.id,
          policyId: first.policy.id,
          policyVersionId: first.policy.versionId,
          now: 5,
        })
        assert.equal(next.number, 4)
      } finally {
        await store.close()
      }
    })
  })
}

describe('sqlite: open a file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-store-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('creates the parent directory, uses WAL with foreign keys on, and reports what it applied', async () => {
    const file = path.join(dir, 'data', 'policykit.db')
    const store = await openStore({
      sqlitePath: file,
      secretKey: testSecretKey,
    })
    try {
      assert.deepEqual(await migrate(store), [
        '0001-initial',
        '0002-eligible-voters',
        '0003-accounts',
        '0004-vote-question',
        '0005-slack-listening',
        '0006-execution-claims',
        '0007-invite-claims',
        '0008-crash-safety',
        '0009-attempt-windows',
        '0010-platform-deliveries',
        '0011-log-platform-invite-revocation',
        '0012-listener-leases',
        '0015-platform-cursors',
        '0019-community-cache-version',
        '0020-proposal-numbers-and-leaving',
        '0021-listener-state',
        '0022-counted-recheck-requests',
        '0023-log-reference-indexes',
      ])
      const journal = await sql<{
        journal_mode: string
      }>`pragma journal_mode`.execute(store.db)
      assert.equal(journal.rows[0]?.journal_mode, 'wal')
      const fk = await sql<{
        foreign_keys: number
      }>`pragma foreign_keys`.execute(store.db)
      assert.equal(fk.rows[0]?.foreign_keys, 1)
    } finally {
      await store.close()
    }
    const reopened = await openStore({
      sqlitePath: file,
      secretKey: testSecretKey,
    })
    try {
      assert.deepEqual(await migrate(reopened), [])
    } finally {
      await reopened.close()
    }
  })
})
