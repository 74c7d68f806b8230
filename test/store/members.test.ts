import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import { toMember } from '../../src/store/member-repo.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedCommunity, seedProposal } from './seed.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: members and accounts`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('round-trips members and their accounts', async () => {
      const c = await seedCommunity(store)
      const ada = await store.members.create(c.id, {
        username: 'ada',
        displayName: 'Ada L.',
        now: 7,
      })
      const bob = await store.members.create(c.id, { username: 'bob', now: 8 })
      assert.deepEqual(ada, {
        id: ada.id,
        communityId: c.id,
        username: 'ada',
        displayName: 'Ada L.',
        createdAt: 7,
      })
      assert.equal(bob.displayName, 'bob')
      assert.deepEqual(await store.members.get(c.id, ada.id), ada)
      assert.deepEqual(await store.members.getByUsername(c.id, 'bob'), bob)
      assert.deepEqual(await store.members.list(c.id), [ada, bob])
      assert.deepEqual(await store.members.getMany(c.id, [bob.id, ada.id]), [ada, bob])
      assert.deepEqual(await store.members.getMany(c.id, []), [])

      const account = await store.members.linkAccount(c.id, ada.id, {
        platform: 'slack',
        externalId: 'U1',
        username: 'ada',
      })
      assert.deepEqual(account, {
        id: account.id,
        communityId: c.id,
        memberId: ada.id,
        platform: 'slack',
        externalId: 'U1',
        username: 'ada',
      })
      assert.deepEqual(await store.members.accounts(c.id, ada.id), [account])
      assert.deepEqual(await store.members.findByAccount(c.id, 'slack', 'U1'), ada)
      assert.equal(await store.members.findByAccount(c.id, 'discord', 'U1'), undefined)
    })

    it('takes a member who leaves out of the community, keeping the votes they cast and their row', async () => {
      const { community, member: ada, proposal } = await seedProposal(store)
      const bob = await store.members.create(community.id, { username: 'bob', now: 1 })
      const role = await store.roles.create(community.id, { name: 'Gardener', description: '', permissions: ['vote'] })
      await store.roles.assign(community.id, ada.id, role.id)
      const user = await store.users.create({
        username: `ada-${community.id}`,
        displayName: 'Ada',
        passwordHash: 'scrypt$x',
        now: 1,
      })
      await store.members.linkAccount(community.id, ada.id, {
        platform: 'local',
        externalId: String(user.id),
        username: 'ada',
      })
      await store.members.linkAccount(community.id, ada.id, {
        platform: 'slack',
        externalId: `U${community.id}`,
        username: 'ada',
      })
      await store.apiTokens.create(community.id, {
        userId: user.id,
        name: 'script',
        tokenHash: `h-${community.id}`,
        now: 1,
      })
      await store.votes.cast(community.id, {
        proposalId: proposal.id,
        memberId: ada.id,
        vote: { kind: 'boolean', value: true },
        now: 2,
      })

      assert.equal(await store.members.remove(community.id, ada.id, 3), true)
      assert.deepEqual(await store.members.list(community.id), [bob])
      assert.equal(await store.members.getByUsername(community.id, 'ada'), undefined)
      assert.equal(await store.members.findByAccount(community.id, 'local', String(user.id)), undefined)
      assert.equal(await store.members.findByAccount(community.id, 'slack', `U${community.id}`), undefined)
      assert.deepEqual(await store.apiTokens.list(community.id, user.id), [])
      assert.deepEqual(await store.roles.effectiveRoles(community.id, ada.id), [])
      assert.deepEqual(await store.roles.members(community.id, role.id), [])
      assert.deepEqual(await store.members.get(community.id, ada.id), ada, 'found by id for the history naming them')
      assert.deepEqual(
        (await store.votes.list(community.id, proposal.id)).map((v) => v.memberId),
        [ada.id],
        'the vote they cast stays',
      )
      assert.equal(await store.members.remove(community.id, ada.id, 4), false, 'one leaves once')
      assert.equal(await store.members.remove(community.id + 1000, bob.id, 4), false, 'only from their community')
      assert.deepEqual(await store.members.list(community.id), [bob])
    })

    it('refuses a duplicate username and a doubly linked account', async () => {
      const c = await seedCommunity(store)
      const ada = await store.members.create(c.id, { username: 'ada', now: 1 })
      const bob = await store.members.create(c.id, { username: 'bob', now: 1 })
      await assert.rejects(store.members.create(c.id, { username: 'ada', now: 2 }), (e) => isAppError(e, 'conflict'))
      await store.members.linkAccount(c.id, ada.id, {
        platform: 'slack',
        externalId: 'U9',
        username: 'ada',
      })
      await assert.rejects(
        store.members.linkAccount(c.id, bob.id, {
          platform: 'slack',
          externalId: 'U9',
          username: 'bob',
        }),
        (e) => isAppError(e, 'conflict'),
      )
    })

    it('finds many members by their accounts, and many members’ accounts, past one query’s worth of ids', async () => {
      const c = await seedCommunity(store)
      const other = await seedCommunity(store)
      const ada = await store.members.create(c.id, { username: 'ada', now: 1 })
      const bob = await store.members.create(c.id, { username: 'bob', now: 1 })
      const eve = await store.members.create(other.id, { username: 'eve', now: 1 })
      const adaSlack = await store.members.linkAccount(c.id, ada.id, {
        platform: 'slack',
        externalId: 'U1',
        username: 'a',
      })
      const adaLocal = await store.members.linkAccount(c.id, ada.id, {
        platform: 'local',
        externalId: '7',
        username: 'a',
      })
      const bobDiscord = await store.members.linkAccount(c.id, bob.id, {
        platform: 'discord',
        externalId: 'U2',
        username: 'b',
      })
      // The same Slack id in another community is that community's member only.
      await store.members.linkAccount(other.id, eve.id, { platform: 'slack', externalId: 'U2', username: 'e' })

      assert.deepEqual(
        await store.members.findByAccounts(c.id, 'slack', ['U1', 'U2', 'U9', 'U1']),
        new Map([['U1', ada]]),
      )
      assert.deepEqual(await store.members.findByAccounts(other.id, 'slack', ['U1', 'U2']), new Map([['U2', eve]]))
      assert.deepEqual(await store.members.findByAccounts(c.id, 'slack', []), new Map())

      assert.deepEqual(
        await store.members.accountsOf(c.id, [ada.id, bob.id, eve.id]),
        new Map([
          [ada.id, [adaSlack, adaLocal]],
          [bob.id, [bobDiscord]],
        ]),
      )
      assert.deepEqual(await store.members.accountsOf(other.id, [ada.id]), new Map())
      assert.deepEqual(await store.members.accountsOf(c.id, []), new Map())

      // More ids than one query takes (500): every one is still found.
      const many = await seedCommunity(store)
      const ids = Array.from({ length: 1203 }, (_, i) => i)
      const members = (
        await store.db
          .insertInto('members')
          .values(ids.map((i) => ({ community_id: many.id, username: `m${i}`, display_name: `m${i}`, created_at: 1 })))
          .returningAll()
          .execute()
      )
        .map((row) => toMember(row))
        .toSorted((a, b) => a.id - b.id)
      await store.db
        .insertInto('accounts')
        .values(
          members.map((m, i) => ({
            community_id: many.id,
            member_id: m.id,
            platform: 'slack',
            external_id: `U${i}`,
            username: m.username,
          })),
        )
        .execute()
      const found = await store.members.findByAccounts(
        many.id,
        'slack',
        members.map((_, i) => `U${i}`),
      )
      assert.equal(found.size, 1203)
      assert.deepEqual(found.get('U1202'), members[1202])
      const accounts = await store.members.accountsOf(
        many.id,
        members.map((m) => m.id),
      )
      assert.equal(accounts.size, 1203)
      assert.equal(accounts.get(members[600]?.id ?? 0)?.[0]?.externalId, 'U600')
    })

    it('keeps another community out', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      const ada = await store.members.create(a.id, { username: 'ada', now: 1 })
      await store.members.linkAccount(a.id, ada.id, {
        platform: 'slack',
        externalId: 'U2',
        username: 'ada',
      })
      // The same username is free in another community.
      await store.members.create(b.id, { username: 'ada', now: 1 })
      assert.equal(await store.members.get(b.id, ada.id), undefined)
      assert.deepEqual(await store.members.getMany(b.id, [ada.id]), [])
      assert.equal(await store.members.findByAccount(b.id, 'slack', 'U2'), undefined)
      assert.deepEqual(await store.members.accounts(b.id, ada.id), [])
      await assert.rejects(
        store.members.linkAccount(b.id, ada.id, {
          platform: 'slack',
          externalId: 'U3',
          username: 'x',
        }),
        (e) => isAppError(e, 'not_found'),
      )
    })
  })

  describe(`${dialect}: roles`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('round-trips roles and refuses a duplicate name or a second default', async () => {
      const c = await seedCommunity(store)
      const everyone = await store.roles.create(c.id, {
        name: 'everyone',
        permissions: ['propose:*'],
        isDefault: true,
      })
      assert.deepEqual(everyone, {
        id: everyone.id,
        communityId: c.id,
        name: 'everyone',
        description: '',
        permissions: ['propose:*'],
        isDefault: true,
      })
      const mods = await store.roles.create(c.id, {
        name: 'mods',
        description: 'keep order',
        permissions: ['execute:slack.*'],
      })
      assert.deepEqual(await store.roles.getByName(c.id, 'mods'), mods)
      assert.deepEqual(await store.roles.list(c.id), [everyone, mods])

      await assert.rejects(
        store.roles.create(c.id, { name: 'mods', permissions: [] }),
        (e) => isAppError(e, 'conflict') && /named mods/.test(e.message),
      )
      await assert.rejects(
        store.roles.create(c.id, {
          name: 'all',
          permissions: [],
          isDefault: true,
        }),
        (e) => isAppError(e, 'conflict') && /default role/.test(e.message),
      )
      await assert.rejects(store.roles.update(c.id, mods.id, { isDefault: true }), (e) => isAppError(e, 'conflict'))
      await assert.rejects(store.roles.update(c.id, mods.id, { name: 'everyone' }), (e) => isAppError(e, 'conflict'))

      const updated = await store.roles.update(c.id, mods.id, {
        permissions: ['execute:*'],
      })
      assert.deepEqual(updated, { ...mods, permissions: ['execute:*'] })
      assert.deepEqual(await store.roles.update(c.id, mods.id, {}), updated)
      await store.roles.remove(c.id, mods.id)
      assert.equal(await store.roles.get(c.id, mods.id), undefined)
      await assert.rejects(store.roles.remove(c.id, mods.id), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.roles.update(c.id, mods.id, { name: 'x' }), (e) => isAppError(e, 'not_found'))
    })

    it('gives assigned roles, or the default role to members with none', async () => {
      const c = await seedCommunity(store)
      const everyone = await store.roles.create(c.id, {
        name: 'everyone',
        permissions: ['vote'],
        isDefault: true,
      })
      const mods = await store.roles.create(c.id, {
        name: 'mods',
        permissions: ['execute:*'],
      })
      const admins = await store.roles.create(c.id, {
        name: 'admins',
        permissions: ['manage_integrations'],
      })
      const ada = await store.members.create(c.id, { username: 'ada', now: 1 })
      const bob = await store.members.create(c.id, { username: 'bob', now: 1 })

      assert.deepEqual(await store.roles.effectiveRoles(c.id, ada.id), [everyone])
      await store.roles.assign(c.id, ada.id, mods.id)
      await store.roles.assign(c.id, ada.id, mods.id)
      await store.roles.assign(c.id, ada.id, admins.id)
      assert.deepEqual(await store.roles.effectiveRoles(c.id, ada.id), [mods, admins])
      assert.deepEqual(await store.roles.members(c.id, mods.id), [ada])
      assert.deepEqual(await store.roles.members(c.id, everyone.id), [bob])
      // Given roles only (bob's default role is not given), each once, this community's only.
      const elsewhere = await seedCommunity(store, 'elsewhere')
      const theirs = await store.roles.create(elsewhere.id, { name: 'mods', permissions: [] })
      const cy = await store.members.create(elsewhere.id, { username: 'cy', now: 1 })
      await store.roles.assign(elsewhere.id, cy.id, theirs.id)
      assert.deepEqual(await store.roles.assignments(c.id), [
        { memberId: ada.id, roleId: mods.id },
        { memberId: ada.id, roleId: admins.id },
      ])

      await store.roles.unassign(c.id, ada.id, mods.id)
      await store.roles.unassign(c.id, ada.id, admins.id)
      assert.deepEqual(await store.roles.effectiveRoles(c.id, ada.id), [everyone])
      assert.deepEqual(await store.roles.members(c.id, everyone.id), [ada, bob])

      await store.roles.assign(c.id, bob.id, admins.id)
      await store.roles.remove(c.id, admins.id)
      assert.deepEqual(await store.roles.effectiveRoles(c.id, bob.id), [everyone], 'removing a role unassigns it')
    })

    it('names the row of corrupted permissions', async () => {
      const c = await seedCommunity(store)
      const role = await store.roles.create(c.id, {
        name: 'odd',
        permissions: [],
      })
      await store.db.updateTable('roles').set({ permissions: '[1, 2]' }).where('id', '=', role.id).execute()
      await assert.rejects(store.roles.get(c.id, role.id), new RegExp(`roles ${role.id}, column permissions`))
    })

    it('keeps another community out', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      const aDefault = await store.roles.create(a.id, {
        name: 'everyone',
        permissions: [],
        isDefault: true,
      })
      const aMods = await store.roles.create(a.id, {
        name: 'mods',
        permissions: ['execute:*'],
      })
      const bDefault = await store.roles.create(b.id, {
        name: 'everyone',
        permissions: [],
        isDefault: true,
      })
      const ada = await store.members.create(a.id, { username: 'ada', now: 1 })
      const bea = await store.members.create(b.id, { username: 'bea', now: 1 })

      assert.equal(await store.roles.get(b.id, aMods.id), undefined)
      assert.equal(await store.roles.getByName(b.id, 'mods'), undefined)
      await assert.rejects(store.roles.update(b.id, aMods.id, { name: 'x' }), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.roles.remove(b.id, aMods.id), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.roles.assign(b.id, bea.id, aMods.id), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.roles.assign(b.id, ada.id, bDefault.id), (e) => isAppError(e, 'not_found'))
      await assert.rejects(store.roles.assign(a.id, bea.id, aMods.id), (e) => isAppError(e, 'not_found'))
      assert.deepEqual(await store.roles.effectiveRoles(b.id, ada.id), [])
      assert.deepEqual(await store.roles.members(b.id, aDefault.id), [])
      assert.deepEqual(await store.roles.members(b.id, bDefault.id), [bea])
      await store.roles.assign(a.id, ada.id, aMods.id)
      await store.roles.unassign(b.id, ada.id, aMods.id)
      assert.deepEqual(await store.roles.effectiveRoles(a.id, ada.id), [aMods])
    })
  })
}
