import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runKitsCommand } from '../../src/cli/kits-command.ts'
import { runPolicyCommand, type CliOutput, type PolicyCommandRuntime } from '../../src/cli/policy-command.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const policyDoc = {
  format: 'policykit.policy/1',
  name: 'Posts need one yes',
  description: 'imported',
  kind: 'platform',
  actionTypes: ['test.post'],
  priority: 1,
  variables: [{ name: 'needed', label: 'Yes votes needed', type: 'number', isList: false, default: 1 }],
  blocks: { check: 'return proposal.getYesVotes().length >= variables.needed ? PASSED : PROPOSED' },
}

function capture(): CliOutput & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => {
      io.stdout += text
    },
    err: (text: string) => {
      io.stderr += text
    },
  }
  return io
}

for (const dialect of testDialects()) {
  describe(`${dialect}: policykit policy`, () => {
    let h: EngineHarness
    let dir: string
    let runtime: PolicyCommandRuntime
    const file = async (name: string, content: unknown) => {
      const path = join(dir, name)
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
      return path
    }
    const run = async (args: string[]) => {
      const io = capture()
      let opened = 0
      const status = await runPolicyCommand(args, io, {
        open: async () => {
          opened++
          return runtime
        },
        openSandbox: async () => Object.assign(Object.create(h.sandbox) as Sandbox, { close: async () => {} }),
      })
      return { status, opened, ...io }
    }

    before(async () => {
      h = await engineHarness(dialect, { kit: 'moderators' })
      await h.member('member')
      dir = await mkdtemp(join(tmpdir(), 'policykit-policy-'))
      runtime = { store: h.store, engine: h.engine, sandbox: h.sandbox, close: async () => {} }
    })
    after(async () => {
      await rm(dir, { recursive: true, force: true })
      await h.close()
    })

    it('exports a policy as a pretty policy document, to stdout or a file', async () => {
      const policy = await h.policy({
        name: 'Exported',
        actionTypes: ['test.rename'],
        priority: 2,
        variables: [{ name: 'limit', label: 'Limit', type: 'number', isList: false, default: 2, value: 5 }],
        blocks: { check: 'return PASSED' },
      })
      const printed = await run(['export', '--community', String(h.community.id), '--policy', String(policy.id)])
      assert.equal(printed.status, 0)
      assert.ok(printed.stdout.startsWith('{\n  "format": "policykit.policy/1",\n'))
      assert.deepEqual(JSON.parse(printed.stdout), {
        format: 'policykit.policy/1',
        name: 'Exported',
        description: '',
        kind: 'platform',
        actionTypes: ['test.rename'],
        priority: 2,
        variables: [{ name: 'limit', label: 'Limit', type: 'number', isList: false, default: 2, value: 5 }],
        blocks: { filter: '', initialize: '', check: 'return PASSED', notify: '', pass: '', fail: '' },
      })

      const out = join(dir, 'exported.json')
      const written = await run([
        'export',
        '--community',
        String(h.community.id),
        '--policy',
        String(policy.id),
        '--out',
        out,
      ])
      assert.equal(written.status, 0)
      assert.equal(written.stdout, '')
      assert.equal(await readFile(out, 'utf8'), printed.stdout)
      // What export writes, validate accepts.
      const validated = await run(['validate', out])
      assert.equal(validated.status, 0, validated.stderr)
    })

    it('says which policy is missing, in which community', async () => {
      const result = await run(['export', '--community', String(h.community.id), '--policy', '999999'])
      assert.equal(result.status, 1)
      assert.match(result.stderr, /policy 999999 not found in community \d+/)
    })

    it('validates documents without a database, listing every problem', async () => {
      const good = await file('good.json', policyDoc)
      const notJson = await file('not-json.json', '{ "format": ')
      const invalid = await file('invalid.json', { ...policyDoc, kind: 'rule', variables: [{ name: 'x y' }] })
      const syntax = await file('syntax.json', {
        ...policyDoc,
        blocks: { check: 'return PASSED', notify: 'const a = 1\nlet = ;' },
      })
      const result = await run(['validate', good, notJson, invalid, syntax, join(dir, 'missing.json')])
      assert.equal(result.status, 1)
      assert.equal(result.opened, 0, 'no database is opened')
      assert.equal(result.stdout, `${good}: ok (platform policy 'Posts need one yes')\n`)
      assert.match(result.stderr, new RegExp(`${notJson}: not JSON`))
      assert.match(result.stderr, /kind: Invalid option/)
      assert.match(result.stderr, /variables\.0\.name: must be a JavaScript identifier/)
      assert.match(result.stderr, /variables\.0\.type: Invalid option/)
      assert.match(result.stderr, new RegExp(`${syntax}: syntax errors:\\n  notify, line 2: variable name expected`))
      assert.match(result.stderr, /missing\.json: ENOENT/)
    })

    it('checks block syntax without running the block', async () => {
      const looping = await file('loop.json', { ...policyDoc, blocks: { check: 'while (true) {}' } })
      const result = await run(['validate', looping])
      assert.equal(result.status, 0, result.stderr)
    })

    it('refuses bad usage with status 2', async () => {
      assert.equal((await run([])).status, 2)
      assert.equal((await run(['frobnicate'])).status, 2)
      assert.equal((await run(['export', '--community', '1'])).status, 1)
      assert.equal((await run(['export', '--bogus'])).status, 2)
      const good = await file('usage.json', policyDoc)
      const noAs = await run(['import', '--community', String(h.community.id), good])
      assert.equal(noAs.status, 2)
      assert.match(noAs.stderr, /--as USERNAME is required/)
      assert.equal(noAs.opened, 0)
    })

    it('imports by proposing constitution.addPolicy: a moderator adds it at once', async () => {
      const path = await file('import.json', policyDoc)
      const result = await run(['import', '--community', String(h.community.id), '--as', 'creator', path, '--activate'])
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, /^policy 'Posts need one yes' added: proposal \d+ passed \(action \d+\)\n$/)
      const added = (await h.store.policies.list(h.community.id)).find((p) => p.name === policyDoc.name)
      assert.ok(added, 'the policy was added')
      assert.equal(added.active, true)
      assert.deepEqual(added.actionTypes, ['test.post'])
      const [action] = await h.store.actions.list(h.community.id, { limit: 1 })
      assert.equal(action?.type, 'constitution.addPolicy')
    })

    it("imports by proposing constitution.addPolicy: a member's import waits for a moderator", async () => {
      const path = await file('pending.json', { ...policyDoc, name: 'Pending import' })
      const result = await run(['import', '--community', String(h.community.id), '--as', 'member', path])
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, /^policy 'Pending import' proposed: proposal \d+ is pending/)
      const names = (await h.store.policies.list(h.community.id)).map((p) => p.name)
      assert.ok(!names.includes('Pending import'), 'nothing is added before the constitution policy passes it')
    })

    it('refuses an invalid document, a syntax error or an unknown member before proposing anything', async () => {
      const actionsBefore = (await h.store.actions.list(h.community.id)).length
      const invalid = await file('bad-import.json', { ...policyDoc, kind: 'trigger', actionTypes: [] })
      const syntax = await file('syntax-import.json', { ...policyDoc, blocks: { check: 'return (' } })
      const good = await file('good-import.json', policyDoc)
      const community = String(h.community.id)
      const results = [
        await run(['import', '--community', community, '--as', 'creator', invalid]),
        await run(['import', '--community', community, '--as', 'creator', syntax]),
        await run(['import', '--community', community, '--as', 'nobody', good]),
        await run(['import', '--community', '999999', '--as', 'creator', good]),
      ]
      assert.deepEqual(
        results.map((r) => r.status),
        [1, 1, 1, 1],
      )
      assert.match(results[0]?.stderr ?? '', /a trigger policy must list the event types/)
      assert.match(results[1]?.stderr ?? '', /syntax errors:\n {2}check, line 1:/)
      assert.match(results[2]?.stderr ?? '', /no member 'nobody'/)
      assert.match(results[3]?.stderr ?? '', /community 999999 not found/)
      assert.equal((await h.store.actions.list(h.community.id)).length, actionsBefore)
    })
  })
}

describe('policykit kits', () => {
  it('lists every kit with its roles and policies', () => {
    const io = capture()
    assert.equal(runKitsCommand(io), 0)
    assert.match(io.stdout, /^testing: Testing\n/)
    assert.match(io.stdout, /dictator: Dictator\n.*\n {2}roles: Member \(default\) → all, Dictator → creator\n/)
    assert.match(io.stdout, / {2}constitution policy: A jury decides constitution actions\n$/)
  })
})
