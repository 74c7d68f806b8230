import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { PlatformDef } from '../../src/platforms/platform.ts'
import { createServer } from '../../src/server/create-server.ts'
import type { ErrorJson, SessionJson, SetupStatusJson } from '../../src/server/presenters.ts'
import {
  createTestApp,
  sessionCookieOf,
  testPassword,
  testSetupToken,
  toTestResponse,
  type TestApp,
} from '../support/server-harness.ts'

const setupBody = {
  token: testSetupToken,
  communityName: 'Garden club',
  kit: 'democracy',
  username: 'Ada',
  displayName: 'Ada Lovelace',
  password: testPassword,
}

describe('first-run set-up', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp()
  })
  afterEach(() => t.close())

  const setup = (body: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/setup', payload: body, headers })

  it('is needed while no community exists, and offers the starter kits', async () => {
    const res = toTestResponse<SetupStatusJson>(await t.app.inject({ url: '/api/setup' }))
    assert.equal(res.status, 200)
    assert.equal(res.json.needed, true)
    assert.ok(res.json.kits.some((k) => k.name === 'democracy' && k.title.length > 0))
  })

  it('offers the platforms that declare a set-up, in their own words, and no other', async () => {
    const founds: PlatformDef = {
      name: 'guild',
      actions: {},
      links: {
        title: 'Guild',
        installPath: null,
        signInPath: null,
        setup: {
          path: '/platforms/guild/setup',
          place: 'guild hall',
          who: 'the guild master',
          how: 'Ring the guild bell',
        },
      },
    }
    const doesNot: PlatformDef = {
      name: 'club',
      actions: {},
      links: { title: 'Club', installPath: null, signInPath: null },
    }
    const server = await createServer({ ...t.deps, platforms: [...t.deps.platforms, founds, doesNot] })
    try {
      const res = toTestResponse<SetupStatusJson>(await server.inject({ url: '/api/setup' }))
      assert.equal(res.status, 200)
      assert.deepEqual(res.json.platforms, [
        {
          platform: 'guild',
          title: 'Guild',
          setupPath: '/platforms/guild/setup',
          place: 'guild hall',
          who: 'the guild master',
          how: 'Ring the guild bell',
        },
      ])
    } finally {
      await server.close()
    }
  })

  it('refuses a wrong token and creates nothing', async () => {
    const res = toTestResponse<ErrorJson>(await setup({ ...setupBody, token: 'guess' }))
    assert.equal(res.status, 403)
    assert.equal(res.json.error.code, 'forbidden')
    assert.deepEqual(await t.store.communities.listAll(), [])
    assert.equal(await t.store.users.findForSignIn('ada'), undefined)
  })

  it('creates the community from the kit and its admin, and signs them in', async () => {
    const res = await setup(setupBody)
    assert.equal(res.statusCode, 200)
    const session = toTestResponse<SessionJson>(res).json
    assert.deepEqual(session.user, { id: session.user.id, username: 'ada', displayName: 'Ada Lovelace' })
    const [community] = await t.store.communities.listAll()
    assert.ok(community)
    assert.equal(community.name, 'Garden club')
    const membership = session.memberships[0]
    assert.deepEqual(session.memberships, [
      { communityId: community.id, communityName: 'Garden club', memberId: membership?.memberId },
    ])

    const admin = await t.store.members.findByAccount(community.id, 'local', String(session.user.id))
    assert.equal(admin?.id, membership?.memberId)
    assert.ok(admin)
    const roles = await t.store.roles.effectiveRoles(community.id, admin.id)
    assert.deepEqual(roles.map((r) => r.name).toSorted(), ['Admin', 'Member'])
    assert.deepEqual(roles.find((r) => r.name === 'Admin')?.permissions, [
      'manage_members',
      'manage_integrations',
      'view_logs',
      'propose:constitution.removeMember',
    ])
    assert.ok((await t.store.policies.list(community.id)).length > 0)

    // The cookie it set is a working session.
    const me = await t.app.inject({ url: '/api/session', cookies: { pk_session: sessionCookieOf(res) } })
    assert.equal(me.statusCode, 200)
    assert.equal(toTestResponse<SessionJson>(me).json.user.username, 'ada')
    assert.equal(toTestResponse<SetupStatusJson>(await t.app.inject({ url: '/api/setup' })).json.needed, false)
  })

  it('refuses a second set-up with the same token', async () => {
    assert.equal((await setup(setupBody)).statusCode, 200)
    const again = toTestResponse<ErrorJson>(await setup({ ...setupBody, username: 'mallory' }))
    assert.equal(again.status, 403)
    assert.equal((await t.store.communities.listAll()).length, 1)
    assert.equal(await t.store.users.findForSignIn('mallory'), undefined)
  })

  it('makes one community of two set-up requests sent at once', async () => {
    const results = await Promise.all([setup(setupBody), setup({ ...setupBody, username: 'bob' })])
    assert.deepEqual(results.map((r) => r.statusCode).toSorted(), [200, 409])
    assert.equal((await t.store.communities.listAll()).length, 1)
  })

  it('explains bad input field by field, and an unknown kit', async () => {
    const short = toTestResponse<ErrorJson>(await setup({ ...setupBody, password: 'short', username: 'no spaces' }))
    assert.equal(short.status, 400)
    assert.equal(short.json.error.code, 'invalid_input')
    assert.deepEqual(short.json.error.issues?.map((i) => i.path).toSorted(), ['password', 'username'])

    const kit = toTestResponse<ErrorJson>(await setup({ ...setupBody, kit: 'anarchy' }))
    assert.equal(kit.status, 400)
    assert.match(kit.json.error.message, /anarchy/)
    assert.deepEqual(await t.store.communities.listAll(), [])
  })

  it('refuses a set-up request from another site (login CSRF)', async () => {
    const res = await setup(setupBody, { origin: 'https://evil.example' })
    assert.equal(res.statusCode, 403)
    assert.deepEqual(await t.store.communities.listAll(), [])
    const same = await setup(setupBody, { origin: 'http://localhost:3000' })
    assert.equal(same.statusCode, 200)
  })
})

describe('set-up when PolicyKit was already set up at start', () => {
  it('refuses every token', async () => {
    const t = await createTestApp({ setupToken: null })
    try {
      const res = await t.app.inject({ method: 'POST', url: '/api/setup', payload: { ...setupBody, token: '' } })
      assert.equal(res.statusCode, 403)
    } finally {
      await t.close()
    }
  })
})
