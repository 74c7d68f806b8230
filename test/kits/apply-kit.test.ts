import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import { applyKit, applyKitDefinition, createCommunityWithKit } from '../../src/kits/apply-kit.ts'
import { parseKit, type Kit } from '../../src/kits/kit.ts'
import { getKit, listKits } from '../../src/kits/list-kits.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'

const now = Date.UTC(2026, 0, 1)

/** The store, with role assignment failing: the last step of applying a kit. */
function failingAssign(store: Store): Store {
  return Object.assign(Object.create(store) as Store, {
    roles: Object.assign(Object.create(store.roles) as Store['roles'], {
      assign: async () => {
        throw new Error('disk full')
      },
    }),
    transaction: <T>(fn: (tx: Store) => Promise<T>) => store.transaction((tx) => fn(failingAssign(tx))),
  })
}

describe('starter kits', () => {
  it('all parse, with unique names, a default role and base policies of both kinds', () => {
    const kits = listKits()
    assert.deepEqual(
      kits.map((k) => k.name),
      ['testing', 'dictator', 'moderators', 'democracy', 'jury'],
    )
    for (const kit of kits) {
      assert.equal(kit.roles.filter((r) => r.isDefault).length, 1, kit.name)
      const bases = kit.policies.filter((p) => p.actionTypes.length === 0).map((p) => p.kind)
      assert.deepEqual(bases.sort(), ['constitution', 'platform'], kit.name)
    }
  })

  it('refuses a kit that is not well formed, saying where', () => {
    const good = getKit('dictator')
    const bad = {
      ...good,
      name: 'Bad Kit',
      roles: [
        ...good.roles,
        { name: 'Member', permissions: ['propose:everything', 'vote'], isDefault: true, grantTo: 'admins' },
      ],
      policies: [{ ...good.policies[0], variables: [{ name: 'approverRole', type: 'role', default: 'Tyrant' }] }],
    }
    assert.throws(
      () => parseKit(bad),
      (e: unknown) =>
        isAppError(e, 'invalid_input') &&
        e.message.includes('name: must be lower-case') &&
        e.message.includes('roles.2.permissions.0: must be propose:<type>') &&
        e.message.includes('roles.2.grantTo: Invalid option') &&
        !e.message.includes('roles.2.permissions.1'),
    )
    assert.throws(
      () => parseKit({ ...good, roles: [...good.roles, { name: 'Member', permissions: [], isDefault: true }] }),
      (e: unknown) =>
        isAppError(e, 'invalid_input') &&
        e.message.includes('roles: needs exactly one default role, has 2') &&
        e.message.includes('roles.2.name: Member is defined twice'),
    )
    assert.throws(
      () =>
        parseKit({
          ...good,
          policies: [{ ...good.policies[0], variables: [{ name: 'approverRole', type: 'role', default: 'Tyrant' }] }],
        }),
      /policies\.0\.variables\.0\.default: names role Tyrant, which the kit does not create/,
    )
  })

  it('names the kits there are when asked for one that is not', () => {
    assert.throws(
      () => getKit('anarchy'),
      (e: unknown) =>
        isAppError(e, 'not_found') && e.message.includes('testing, dictator, moderators, democracy, jury'),
    )
  })
})

for (const dialect of testDialects()) {
  describe(`${dialect}: applying a starter kit`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('creates the community, its creator, the roles, who holds them and the policies', async () => {
      const { community, creator } = await createCommunityWithKit(store, {
        name: 'Ruled',
        kit: 'dictator',
        creator: { username: 'ruler', displayName: 'The Ruler' },
        now,
      })
      assert.equal(creator.displayName, 'The Ruler')
      const roles = await store.roles.list(community.id)
      assert.deepEqual(
        roles.map((r) => [r.name, r.isDefault, r.permissions]),
        [
          ['Member', true, ['propose:*', 'view_logs']],
          ['Dictator', false, ['propose:*', 'vote', 'view_logs', 'manage_integrations']],
        ],
      )
      assert.deepEqual((await store.roles.effectiveRoles(community.id, creator.id)).map((r) => r.name).sort(), [
        'Dictator',
        'Member',
      ])
      const later = await store.members.create(community.id, { username: 'subject', now })
      assert.deepEqual(
        (await store.roles.effectiveRoles(community.id, later.id)).map((r) => r.name),
        ['Member'],
      )
      const policies = await store.policies.list(community.id)
      assert.deepEqual(policies.map((p) => [p.kind, p.name, p.active, p.actionTypes]).sort(), [
        ['constitution', 'The Dictator decides constitution actions', true, []],
        ['platform', 'The Dictator decides platform actions', true, []],
      ])
      assert.deepEqual(policies[0]?.variables, [
        {
          name: 'approverRole',
          label: 'Role whose members approve or reject',
          type: 'role',
          isList: false,
          default: 'Dictator',
          value: null,
        },
      ])
    })

    it('applies a kit to an empty community, giving every member the `all` roles', async () => {
      const community = await store.communities.create({ name: 'Fresh', now })
      const first = await store.members.create(community.id, { username: 'first', now })
      const second = await store.members.create(community.id, { username: 'second', now })
      await applyKit(store, community.id, 'moderators', { creatorMemberId: second.id, now })
      const holders = async (name: string) => {
        const role = await store.roles.getByName(community.id, name)
        assert.ok(role)
        return (await store.roles.members(community.id, role.id)).map((m) => m.username).sort()
      }
      assert.deepEqual(await holders('Moderator'), ['second'])
      assert.deepEqual(await holders('Member'), ['first', 'second'])
      assert.equal(first.communityId, community.id)
    })

    it('leaves nothing behind when a step fails half-way', async () => {
      const community = await store.communities.create({ name: 'Half', now })
      const member = await store.members.create(community.id, { username: 'm', now })
      await assert.rejects(
        applyKit(failingAssign(store), community.id, 'democracy', { creatorMemberId: member.id, now }),
        /disk full/,
      )
      assert.deepEqual(await store.roles.list(community.id), [])
      assert.deepEqual(await store.policies.list(community.id), [])

      const before = (await store.communities.listAll()).length
      await assert.rejects(
        createCommunityWithKit(failingAssign(store), {
          name: 'Never',
          kit: 'jury',
          creator: { username: 'ghost' },
          now,
        }),
        /disk full/,
      )
      assert.equal((await store.communities.listAll()).length, before)
    })

    it('leaves nothing behind when a later role cannot be created', async () => {
      const kit: Kit = getKit('testing')
      // Built in code, it skips the schema: the store refuses the second Member after the policies
      // and the first role were written.
      const broken: Kit = { ...kit, roles: [...kit.roles, { ...kit.roles[0], isDefault: false }] as Kit['roles'] }
      const before = (await store.communities.listAll()).length
      await assert.rejects(
        createCommunityWithKit(store, { name: 'Broken', kit: broken, creator: { username: 'c' }, now }),
        (e: unknown) => isAppError(e, 'conflict') && /a role named Member already exists/.test(e.message),
      )
      assert.equal((await store.communities.listAll()).length, before)
    })

    it('refuses a community that already has roles or policies, changing nothing', async () => {
      const community = await store.communities.create({ name: 'Existing', now })
      const member = await store.members.create(community.id, { username: 'admin', now })
      await store.roles.create(community.id, { name: 'Integration Admin', permissions: ['manage_integrations'] })
      await assert.rejects(
        applyKit(store, community.id, 'dictator', { creatorMemberId: member.id, now }),
        (e: unknown) => isAppError(e, 'conflict') && /already has 1 roles and 0 policies/.test(e.message),
      )
      const roles = await store.roles.list(community.id)
      assert.deepEqual(
        roles.map((r) => [r.name, r.permissions]),
        [['Integration Admin', ['manage_integrations']]],
      )
      assert.deepEqual(await store.policies.list(community.id), [])
    })

    it('refuses a creator from another community and an unknown kit', async () => {
      const a = await createCommunityWithKit(store, { name: 'A', kit: 'testing', creator: { username: 'a' }, now })
      const b = await store.communities.create({ name: 'B', now })
      await assert.rejects(applyKit(store, b.id, 'testing', { creatorMemberId: a.creator.id, now }), (e: unknown) =>
        isAppError(e, 'not_found'),
      )
      await assert.rejects(applyKit(store, b.id, 'anarchy', { creatorMemberId: a.creator.id, now }), (e: unknown) =>
        isAppError(e, 'not_found'),
      )
      await assert.rejects(
        applyKitDefinition(store, 999_999, getKit('testing'), { creatorMemberId: a.creator.id, now }),
        /community 999999 not found/,
      )
      assert.deepEqual(await store.roles.list(b.id), [])
    })
  })
}
