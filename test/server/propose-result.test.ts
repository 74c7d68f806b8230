import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { PolicyJson, ProposeResultJson, RoleJson } from '../../src/server/presenters.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: POST /actions answers with what happened`, () => {
    let server: TestServer
    let base: string

    before(async () => {
      // Every action passes at once: each is carried out within the request.
      server = await startTestServer({ dialect, kit: 'testing' })
      base = `/api/communities/${server.communityId}`
    })
    after(() => server.close())

    async function propose(type: string, params: object): Promise<ProposeResultJson> {
      const res = await server.admin.post<ProposeResultJson>(`${base}/actions`, { type, params })
      assert.equal(res.status, 201, res.text)
      return res.json
    }

    it('says executed, and gives the id of what it made', async () => {
      const added = await propose('constitution.addDocument', { name: 'Charter', text: 'We decide together.' })
      assert.equal(added.status, 'passed')
      assert.equal(added.action.executionState, 'executed')
      const documentId = added.created['documentId']
      assert.equal(typeof documentId, 'number')
      const doc = await server.admin.get<{ name: string }>(`${base}/documents/${String(documentId)}`)
      assert.equal(doc.json.name, 'Charter')

      const role = await propose('constitution.addRole', { name: 'Scribe', permissions: ['vote'] })
      const roles = await server.admin.get<RoleJson[]>(`${base}/roles`)
      assert.equal(roles.json.find((r) => r.name === 'Scribe')?.id, role.created['roleId'])
    })

    it('gives a new policy its id and version, a changed one its new version', async () => {
      const policy = {
        name: 'Quiet',
        description: '',
        kind: 'platform',
        actionTypes: [],
        priority: 0,
        variables: [],
        blocks: { check: 'return PROPOSED' },
      }
      const added = await propose('constitution.addPolicy', policy)
      const { policyId, versionId } = added.created
      assert.equal(typeof policyId, 'number')
      const shown = await server.admin.get<PolicyJson>(`${base}/policies/${String(policyId)}`)
      assert.equal(shown.json.name, 'Quiet')

      const changed = await propose('constitution.changePolicy', { policyId, name: 'Quieter' })
      assert.deepEqual(Object.keys(changed.created), ['versionId'])
      assert.notEqual(changed.created['versionId'], versionId)
    })

    it('gives nothing while the action waits for a decision', async () => {
      await propose('constitution.addPolicy', {
        name: 'Hold documents',
        description: '',
        kind: 'constitution',
        actionTypes: ['constitution.addDocument'],
        priority: 10,
        variables: [],
        blocks: { check: 'return PROPOSED' },
      })
      const held = await propose('constitution.addDocument', { name: 'Later', text: '' })
      assert.equal(held.status, 'proposed')
      assert.equal(held.action.executionState, 'none')
      assert.deepEqual(held.created, {})
    })
  })
}
