import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { runCommunityCommand } from '../../src/cli/community-command.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore } from '../support/test-store.ts'

const publicUrl = 'http://policykit.test'
const deps = (store: Store) => ({ openStore: async () => store, publicUrl })

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err }
}

describe('policykit community', () => {
  it('creates a community with a kit and its admin, then lists it', async () => {
    const store = await openTestStore('sqlite')
    const keepOpen = { ...store, close: async () => {} }
    const c = capture()
    const code = await runCommunityCommand(
      ['create', '--name', 'Gardeners', '--kit', 'democracy', '--admin', 'ada'],
      c.io,
      deps(keepOpen),
    )
    assert.equal(code, 0, c.err.join(''))
    assert.match(c.out.join(''), /created community \d+ 'Gardeners' with the democracy kit; admin: ada/)
    const [community] = await store.communities.listAll()
    assert.ok(community)
    assert.ok((await store.policies.list(community.id)).length > 0, 'the kit policies are there')
    const ada = await store.members.getByUsername(community.id, 'ada')
    assert.ok(ada)
    const roles = await store.roles.effectiveRoles(community.id, ada.id)
    const admin = roles.find((r) => r.name === 'Admin')
    assert.ok(
      admin,
      `the admin holds the Admin role, as the web set-up gives (has ${roles.map((r) => r.name).join(', ')})`,
    )
    assert.deepEqual(admin.permissions, [
      'manage_members',
      'manage_integrations',
      'view_logs',
      'propose:constitution.removeMember',
    ])
    assert.ok(
      roles.some((r) => r.name === 'Member'),
      "and the kit's creator roles",
    )
    const link = /ada makes their dashboard account here \(single use, 7 days\): (\S+)\n/.exec(c.out.join(''))?.[1]
    assert.ok(link?.startsWith(`${publicUrl}/invite/`), c.out.join(''))
    const [claim] = await store.invites.list(community.id)
    assert.equal(claim?.forMemberId, ada.id, 'the printed link is for the admin the command made')

    const invited = capture()
    assert.equal(
      await runCommunityCommand(['invite', '--community', String(community.id)], invited.io, deps(keepOpen)),
      0,
    )
    assert.match(
      invited.out.join(''),
      /^invite to 'Gardeners' \(single use, 7 days\): http:\/\/policykit\.test\/invite\/\S+\n$/,
    )
    const unknown = capture()
    assert.equal(
      await runCommunityCommand(
        ['invite', '--community', String(community.id), '--member', 'zed'],
        unknown.io,
        deps(keepOpen),
      ),
      1,
    )
    assert.match(unknown.err.join(''), /no member zed in 'Gardeners'/)

    await assert.rejects(
      runCommunityCommand(
        ['create', '--name', 'gardeners', '--kit', 'testing', '--admin', 'bo'],
        capture().io,
        deps(keepOpen),
      ),
      new RegExp(`a community named 'Gardeners' already exists \\(id ${community.id}\\)`),
    )
    const listed = capture()
    assert.equal(await runCommunityCommand(['list'], listed.io, deps(keepOpen)), 0)
    assert.equal(listed.out.join(''), `${community.id}\tGardeners\n`)
    await store.close()
  })

  it('refuses an unknown kit, and missing options, saying what is wrong', async () => {
    const store = await openTestStore('sqlite')
    const keepOpen = { ...store, close: async () => {} }
    const missing = capture()
    assert.equal(await runCommunityCommand(['create', '--name', 'X'], missing.io, deps(keepOpen)), 2)
    assert.match(missing.err.join(''), /--name, --kit and --admin are required \(kits: .*democracy/)
    await assert.rejects(
      runCommunityCommand(['create', '--name', 'X', '--kit', 'anarchy', '--admin', 'a'], capture().io, deps(keepOpen)),
      /anarchy/,
    )
    assert.deepEqual(await store.communities.listAll(), [], 'nothing was created')
    await store.close()
  })

  it('prints links that start with the public URL the server uses (PORT, POLICYKIT_PUBLIC_URL), and says so', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'policykit-cli-'))
    const root = join(import.meta.dirname, '..', '..')
    const env: NodeJS.ProcessEnv = { ...process.env, POLICYKIT_DATA_DIR: dataDir, PORT: '4123' }
    delete env.DATABASE_URL
    delete env.POLICYKIT_PUBLIC_URL
    try {
      const run = (args: string[], extra: Record<string, string> = {}) =>
        promisify(execFile)(process.execPath, ['src/cli/main.ts', 'community', ...args], {
          cwd: root,
          env: { ...env, ...extra },
        })
      const created = await run(['create', '--name', 'Gardeners', '--kit', 'democracy', '--admin', 'zed'])
      assert.match(created.stdout, /zed makes their dashboard account here .*: http:\/\/localhost:4123\/invite\/\S+\n/)
      assert.match(created.stdout, /from PORT \(POLICYKIT_PUBLIC_URL is unset\); the server must use the same setting/)
      const invited = await run(['invite', '--community', '1'], { POLICYKIT_PUBLIC_URL: 'https://pk.example.org' })
      assert.match(invited.stdout, /: https:\/\/pk\.example\.org\/invite\/\S+\n/)
      assert.match(invited.stdout, /from POLICYKIT_PUBLIC_URL;/)
      const help = await run(['--help'])
      assert.match(help.stdout, /Admin role/)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
