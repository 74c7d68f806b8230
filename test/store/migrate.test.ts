import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { sql } from 'kysely'
import type { Action } from '../../src/domain/action.ts'
import { emptyBlocks } from '../../src/domain/policy.ts'
import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open-store.ts'
import type { Store } from '../../src/store/store.ts'
import { slackPorts } from '../support/slack-records.ts'
import { openTestStore, testDialects, testSecretKey } from '../support/test-store.ts'

/**
 * A policy (head and version 1, as the store wrote them before 0024 gave policies a name key)
 * and a PolicyKit action, in a store migrated no further than that.
 */
async function seedBefore0024(
  store: Store,
  communityId: number,
): Promise<{ policy: { id: number; versionId: number }; action: Action }> {
  const head = await sql<{ id: number }>`insert into policies
      (community_id, name, kind, action_types, priority, active, current_version_id, version, updated_at)
    values (${communityId}, 'majority', 'platform', '[]', 0, 1, 0, 1, 1) returning id`.execute(store.db)
  const id = Number(head.rows[0]?.id)
  const version = await sql<{ id: number }>`insert into policy_versions
      (community_id, policy_id, version, name, description, kind, action_types, priority, variables, blocks, created_at)
    values (${communityId}, ${id}, 1, 'majority', '', 'platform', '[]', 0, '[]', ${JSON.stringify({ ...emptyBlocks(), check: 'return PASSED' })}, 1)
    returning id`.execute(store.db)
  const versionId = Number(version.rows[0]?.id)
  await sql`update policies set current_version_id = ${versionId} where id = ${id}`.execute(store.db)
  const { action } = await store.actions.create(communityId, {
    kind: 'platform',
    type: 'test.post',
    origin: 'policykit',
    initiatorId: null,
    params: {},
    now: 1,
  })
  return { policy: { id, versionId }, action }
}

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
            return { community, ...(await seedBefore0024(store, community.id)) }
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

    it('keys the names of the documents and policies already there, for the check that names differ (0024)', async () => {
      const store = await openTestStore(dialect, { migrateUpTo: '0023-log-reference-indexes' })
      try {
        const community = await store.communities.create({ name: 'Archivists', now: 1 })
        await sql`insert into documents (community_id, name, text, active, updated_at)
          values (${community.id}, ' Ｃharter', '', 1, 1), (${community.id}, 'Charter', '', 0, 1)`.execute(store.db)
        await sql`insert into policies (community_id, name, kind, action_types, priority, active, current_version_id, version, updated_at)
          values (${community.id}, 'Majority Vote', 'platform', '[]', 0, 1, 0, 1, 1)`.execute(store.db)
        assert.ok((await migrate(store)).includes('0024-name-keys'))
        assert.deepEqual(
          (await store.documents.activeNamed(community.id, 'charter')).map((d) => d.name),
          [' Ｃharter'],
          'the active one only',
        )
        assert.deepEqual(
          (await store.policies.activeNamed(community.id, 'majority vote ')).map((p) => p.name),
          ['Majority Vote'],
        )
        // Written by the version before while both run (a rolling upgrade): no key, still told apart.
        await sql`insert into documents (community_id, name, text, active, updated_at)
          values (${community.id}, 'Code of Conduct', '', 1, 2)`.execute(store.db)
        assert.deepEqual(
          (await store.documents.activeNamed(community.id, 'code of conduct')).map((d) => d.name),
          ['Code of Conduct'],
        )
        assert.deepEqual(await store.documents.activeNamed(community.id, 'code'), [])
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
        '0024-name-keys',
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
