import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { staleDocs } from '../../bin/generate-docs.ts'
import { definePlatform } from '../../src/platforms/platform.ts'
import { platformModules } from '../../src/platforms/registry.ts'
import { renderPolicyReference } from '../../src/server/policy-reference.ts'
import { basePolicyNames, policyScope } from '../../src/server/policy-scope.ts'
import { testPlatform } from '../support/test-platform.ts'
import { readFile } from 'node:fs/promises'
import { docsDir } from '../../bin/generate-docs.ts'
import path from 'node:path'

describe('the policy reference in docs/', () => {
  it('is what npm run docs makes of the registered platforms now (rerun it after adding one)', async () => {
    assert.deepEqual(await staleDocs(), [], 'run npm run docs and commit docs/')
  })

  it('has a section for the constitution and every registered platform, with their functions and types', async () => {
    const reference = await readFile(path.join(docsDir, 'reference.md'), 'utf8')
    for (const name of ['constitution', ...platformModules.map((m) => m.name)]) {
      assert.ok(reference.includes(`## \`${name}\``), `no section for ${name}`)
    }
    assert.ok(reference.includes('`slack.renameConversation`'))
    assert.ok(reference.includes('`constitution.initiateVote`'))
    assert.ok(reference.includes('`proposal.data.get`'))
  })

  it('lists a new platform’s functions, action fields and triggers without anything else to do', () => {
    const { platform } = testPlatform()
    const reference = renderPolicyReference([platform])
    assert.match(reference, /`test\.postMessage` \| `\(…\)` \| Not documented yet\./)
    assert.match(
      reference,
      /#### `test\.post`\n\nPost a message in a channel\. PolicyKit can carry it out and undo it\./,
    )
    assert.ok(reference.includes('| `action.channel` | `string \\| undefined` |'), 'an optional field')
    assert.match(reference, /### Trigger types\n\n#### `test\.event`/)
  })

  it('uses what a platform declares about its functions, and only for functions it has', () => {
    const documented = definePlatform({
      name: 'garden',
      actions: {},
      functions: { water: async () => true },
      policyDocs: {
        summary: 'The garden.',
        functions: { water: { signature: '(bed) => boolean', doc: 'Waters a bed.' } },
      },
    })
    const scope = policyScope([documented])
    assert.deepEqual(
      scope.names.filter((n) => n.path.startsWith('garden')),
      [
        { path: 'garden', kind: 'namespace', detail: 'platform', doc: 'The garden.' },
        { path: 'garden.water', kind: 'method', detail: '(bed) => boolean', doc: 'Waters a bed.' },
      ],
    )
    assert.equal(scope.names.length, basePolicyNames.length + 2)
  })
})
