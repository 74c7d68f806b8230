import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedCommunity, seedProposal } from './seed.ts'

const day = 86_400_000

for (const dialect of testDialects()) {
  describe(`${dialect}: users, sessions, API tokens and invites`, () => {
    let store: Store
    let seq = 0
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    const newUser = (username = `user${++seq}`) =>
      store.users.create({ username, displayName: username.toUpperCase(), passwordHash: 'scrypt$x', now: 5 })

    it('keeps usernames unique across the whole server and finds a user for sign-in', async () => {
      const ada = await newUser('ada')
      assert.deepEqual(ada, { id: ada.id, username: 'ada', displayName: 'ADA', createdAt: 5 })
      await assert.rejects(newUser('ada'), (e) => isAppError(e, 'conflict'))
      assert.deepEqual(await store.users.get(ada.id), ada)
      assert.deepEqual(await store.users.findForSignIn('ada'), { user: ada, passwordHash: 'scrypt$x' })
      assert.equal(await store.users.findForSignIn('nobody'), undefined)
    })

    it("lists a user's memberships through their local accounts only", async () => {
      const user = await newUser()
      const [a, b, c] = [
        await seedCommunity(store, 'a'),
        await seedCommunity(store, 'b'),
        await seedCommunity(store, 'c'),
      ]
      const inA = await store.members.create(a.id, { username: user.username, now: 1 })
      const inB = await store.members.create(b.id, { username: user.username, now: 1 })
      const inC = await store.members.create(c.id, { username: user.username, now: 1 })
      await store.members.linkAccount(a.id, inA.id, { platform: 'local', externalId: String(user.id), username: 'x' })
      await store.members.linkAccount(b.id, inB.id, { platform: 'local', externalId: String(user.id), username: 'x' })
      // Same external id on another platform: not this user.
      await store.members.linkAccount(c.id, inC.id, { platform: 'slack', externalId: String(user.id), username: 'x' })
      assert.deepEqual(await store.users.memberships(user.id), [
        { communityId: a.id, communityName: 'a', memberId: inA.id },
        { communityId: b.id, communityName: 'b', memberId: inB.id },
      ])
    })

    it('finds a session by its token hash until it expires, and removes it', async () => {
      const user = await newUser()
      const session = await store.sessions.create({
        userId: user.id,
        tokenHash: `hash-${user.id}`,
        csrfToken: 'csrf',
        now: 100,
        expiresAt: 200,
      })
      assert.deepEqual(await store.sessions.find(`hash-${user.id}`, 199), { session, user })
      assert.equal(await store.sessions.find(`hash-${user.id}`, 200), undefined)
      assert.equal(await store.sessions.find('other', 150), undefined)

      const kept = await store.sessions.create({
        userId: user.id,
        tokenHash: `kept-${user.id}`,
        csrfToken: 'c',
        now: 100,
        expiresAt: 10 * day,
      })
      assert.ok((await store.sessions.removeExpired(300)) >= 1)
      assert.equal(await store.sessions.find(`hash-${user.id}`, 0), undefined)
      assert.equal((await store.sessions.find(`kept-${user.id}`, 300))?.session.id, kept.id)
      await store.sessions.remove(kept.id)
      assert.equal(await store.sessions.find(`kept-${user.id}`, 300), undefined)
    })

    it('keeps API tokens per community and user, marks use, and removes only the owner’s', async () => {
      const [owner, other] = [await newUser(), await newUser()]
      const c = await seedCommunity(store)
      const d = await seedCommunity(store)
      const token = await store.apiTokens.create(c.id, {
        userId: owner.id,
        name: 'ci',
        tokenHash: `t-${owner.id}`,
        now: 7,
      })
      assert.deepEqual(token, {
        id: token.id,
        userId: owner.id,
        communityId: c.id,
        name: 'ci',
        createdAt: 7,
        lastUsedAt: null,
      })
      await store.apiTokens.create(d.id, { userId: owner.id, name: 'elsewhere', tokenHash: `u-${owner.id}`, now: 7 })

      await store.apiTokens.markUsed(c.id, token.id, 9)
      assert.deepEqual(await store.apiTokens.findByHash(`t-${owner.id}`), {
        token: { ...token, lastUsedAt: 9 },
        user: owner,
      })
      assert.deepEqual(
        (await store.apiTokens.list(c.id, owner.id)).map((t) => t.name),
        ['ci'],
      )
      assert.deepEqual(await store.apiTokens.list(c.id, other.id), [])

      assert.equal(await store.apiTokens.remove(c.id, other.id, token.id), false)
      assert.equal(await store.apiTokens.remove(d.id, owner.id, token.id), false)
      assert.equal(await store.apiTokens.remove(c.id, owner.id, token.id), true)
      assert.equal(await store.apiTokens.findByHash(`t-${owner.id}`), undefined)
    })

    it('uses an invite once, even when two accept at the same time, and never after it expired', async () => {
      const c = await seedCommunity(store)
      const [inviter, first, second] = await Promise.all(
        ['inviter', 'first', 'second'].map((username) => store.members.create(c.id, { username, now: 1 })),
      )
      assert.ok(inviter && first && second)
      const invite = await store.invites.create(c.id, {
        tokenHash: `inv-${c.id}`,
        createdByMemberId: inviter.id,
        now: 10,
        expiresAt: 10 + day,
      })
      assert.deepEqual(await store.invites.findByHash(`inv-${c.id}`), invite)
      assert.equal(invite.usedAt, null)

      const results = await Promise.all([
        store.invites.use(c.id, invite.id, first.id, 20),
        store.invites.use(c.id, invite.id, second.id, 20),
      ])
      assert.deepEqual(results.toSorted(), [false, true])
      const used = await store.invites.findByHash(`inv-${c.id}`)
      assert.equal(used?.usedAt, 20)
      assert.equal(used.usedByMemberId, results[0] ? first.id : second.id)

      const expired = await store.invites.create(c.id, {
        tokenHash: `old-${c.id}`,
        createdByMemberId: inviter.id,
        now: 10,
        expiresAt: 100,
      })
      assert.equal(await store.invites.use(c.id, expired.id, first.id, 100), false)
      const other = await seedCommunity(store)
      assert.equal(await store.invites.use(other.id, expired.id, first.id, 50), false)
      assert.deepEqual(
        (await store.invites.list(c.id)).map((i) => i.id),
        [expired.id, invite.id],
      )
      assert.deepEqual(await store.invites.list(other.id), [])
    })

    it('counts proposals by status across communities', async () => {
      const before = await store.proposals.countByStatus()
      const one = await seedProposal(store, 'p1')
      await seedProposal(store, 'p2')
      await store.proposals.decide(one.community.id, one.proposal.id, 'passed', 2000)
      const counts = await store.proposals.countByStatus()
      assert.equal(counts['proposed'], (before['proposed'] ?? 0) + 1)
      assert.equal(counts['passed'], (before['passed'] ?? 0) + 1)
      assert.equal(typeof counts['passed'], 'number')
    })
  })
}
