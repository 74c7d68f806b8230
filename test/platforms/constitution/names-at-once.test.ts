import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { JsonObject } from '../../../src/domain/json.ts'
import { isAppError } from '../../../src/errors.ts'
import type { ExecutionContext, PlatformDef } from '../../../src/platforms/platform.ts'
import { engineHarness, type EngineHarness } from '../../support/engine-harness.ts'
import { testDialects } from '../../support/test-store.ts'
import { until } from '../../support/until.ts'

/**
 * Two constitution actions that would give one name to two things, carried out at once (as two
 * workers do, each in its own transaction): the second waits for the first and is refused.
 */
for (const dialect of testDialects()) {
  describe(`${dialect}: two changes to one name at once`, () => {
    let h: EngineHarness
    let constitution: PlatformDef

    before(async () => {
      h = await engineHarness(dialect)
      const found = h.platforms.find((platform) => platform.name === 'constitution')
      assert.ok(found)
      constitution = found
    })
    after(() => h.close())

    function execute(name: string, params: JsonObject): Promise<unknown> {
      const action = constitution.actions[name]
      assert.ok(action?.execute !== undefined, name)
      const ctx: ExecutionContext = {
        communityId: h.community.id,
        integration: null,
        credentials: {},
        fetch,
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        now: () => h.clock.now(),
        idempotencyKey: `constitution:${name}:execute`,
        retry: false,
      }
      return action.execute(ctx, action.params.parse(params), undefined as never)
    }

    /**
     * `first` carried out in a transaction kept open until `second`, in a transaction of its own,
     * has had time to run; then `second`'s outcome once `first` committed.
     */
    async function atOnce(first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<unknown> {
      let commit!: () => void
      const open = new Promise<void>((resolve) => (commit = resolve))
      let firstDone = false
      const one = h.store.transaction(async () => {
        await first()
        firstDone = true
        await open
      })
      assert.ok(await until(() => firstDone))
      const two = h.store.transaction(() => second())
      // Time enough for the second to finish, were it not held.
      await Promise.race([two.catch(() => {}), delay(200)])
      commit()
      await one
      return two
    }

    const refusedAsTaken = (e: unknown) => isAppError(e, 'conflict') && /already exists/.test(e.message)

    it('adds one of two documents of one name', async () => {
      await assert.rejects(
        atOnce(
          () => execute('addDocument', { name: 'Charter', text: 'one' }),
          () => execute('addDocument', { name: 'charter', text: 'two' }),
        ),
        refusedAsTaken,
      )
      const named = await h.store.documents.activeNamed(h.community.id, 'CHARTER')
      assert.deepEqual(
        named.map((d) => d.name),
        ['Charter'],
      )
    })

    it('renames one of two documents to one name', async () => {
      const [a, b] = [
        await h.store.documents.create(h.community.id, { name: 'A', text: '', now: 1 }),
        await h.store.documents.create(h.community.id, { name: 'B', text: '', now: 1 }),
      ]
      await assert.rejects(
        atOnce(
          () => execute('changeDocument', { documentId: a.id, name: 'Rules' }),
          () => execute('changeDocument', { documentId: b.id, name: 'Rules' }),
        ),
        refusedAsTaken,
      )
      assert.equal((await h.store.documents.get(h.community.id, b.id))?.name, 'B')
    })

    it('adds one of two roles of one name, and renames one of two roles to one name', async () => {
      await assert.rejects(
        atOnce(
          () => execute('addRole', { name: 'Moderator' }),
          () => execute('addRole', { name: 'MODERATOR' }),
        ),
        refusedAsTaken,
      )
      const [a, b] = [await h.role('First', []), await h.role('Second', [])]
      await assert.rejects(
        atOnce(
          () => execute('changeRole', { roleId: a.id, name: 'Stewards' }),
          () => execute('changeRole', { roleId: b.id, name: 'Stewards' }),
        ),
        refusedAsTaken,
      )
      const names = (await h.store.roles.list(h.community.id)).map((role) => role.name)
      assert.equal(names.filter((name) => /moderator|stewards/i.test(name)).length, 2)
    })

    it('gives a name once when a role is renamed to it and another added with it, in either order', async () => {
      const renamed = await h.role('Renamed', [])
      await assert.rejects(
        atOnce(
          () => execute('changeRole', { roleId: renamed.id, name: 'Jury' }),
          () => execute('addRole', { name: 'jury' }),
        ),
        refusedAsTaken,
      )
      const added = await h.role('Added', [])
      await assert.rejects(
        atOnce(
          () => execute('addRole', { name: 'Panel' }),
          () => execute('changeRole', { roleId: added.id, name: 'panel' }),
        ),
        refusedAsTaken,
      )
      const names = (await h.store.roles.list(h.community.id)).map((role) => role.name)
      assert.deepEqual(names.filter((name) => /jury|panel|renamed|added/i.test(name)).sort(), [
        'Added',
        'Jury',
        'Panel',
      ])
    })

    it('adds one of two active policies of one name, and renames one of two policies to one name', async () => {
      const policy = (name: string) => ({
        name,
        kind: 'platform',
        actionTypes: ['test.post'],
        blocks: { check: 'return PASSED' },
      })
      await assert.rejects(
        atOnce(
          () => execute('addPolicy', policy('Majority')),
          () => execute('addPolicy', policy('majority')),
        ),
        refusedAsTaken,
      )
      const [a, b] = [await h.policy({ name: 'One' }), await h.policy({ name: 'Two' })]
      await assert.rejects(
        atOnce(
          () => execute('changePolicy', { policyId: a.id, name: 'Consensus' }),
          () => execute('changePolicy', { policyId: b.id, name: 'Consensus' }),
        ),
        refusedAsTaken,
      )
      for (const name of ['majority', 'consensus']) {
        assert.equal((await h.store.policies.activeNamed(h.community.id, name)).length, 1, name)
      }
    })
  })
}
