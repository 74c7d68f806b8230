import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ErrorJson, PolicyCheckJson, ProposeResultJson, RoleJson } from '../../src/server/presenters.ts'
import { signSlackRequest } from '../fakes/slack/signing.ts'
import { startRig } from '../platforms/slack/events-rig.ts'
import { startTestServer, toTestResponse, type TestServer } from '../support/server-harness.ts'
import { testDialects } from '../support/test-store.ts'

/** `depth` arrays nested in one another: `[[[…]]]`. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

/** The issue paths of a 400, joined, for matching. */
function issuePaths(json: ErrorJson): string {
  return (json.error.issues ?? []).map((i) => i.path).join(',')
}

for (const dialect of testDialects()) {
  describe(`${dialect}: hostile input at the edge`, () => {
    let s: TestServer
    let base: string
    let address = 0
    /** Each anonymous request from an address of its own: the sign-in limits are not what is tested. */
    const anonymous = (method: 'GET' | 'POST', url: string, payload?: string | object) => {
      address += 1
      return s.app.inject({
        method,
        url,
        remoteAddress: `10.9.${Math.floor(address / 250)}.${(address % 250) + 1}`,
        ...(payload !== undefined && {
          payload,
          headers: { 'content-type': 'application/json' },
        }),
      })
    }

    before(async () => {
      s = await startTestServer({ dialect })
      base = `/api/communities/${s.communityId}`
    })
    after(() => s.close())

    describe('JSON nested too deep', () => {
      it('is refused with 400 before validation, anonymously, at any depth', async () => {
        for (const depth of [65, 10_000, 400_000]) {
          const res = toTestResponse<ErrorJson>(
            await anonymous('POST', '/api/session', `{"username":"admin","password":${nested(depth)}}`),
          )
          assert.equal(res.status, 400, `depth ${depth}: ${res.text.slice(0, 200)}`)
          assert.equal(res.json.error.code, 'invalid_input')
          assert.match(res.json.error.message, /nested deeper than 64/)
        }
      })

      it('is refused in a signed-in body too, and 64 levels still parse', async () => {
        const deep = await s.admin.post<ErrorJson>(
          `${base}/actions`,
          JSON.parse(`{"type":"constitution.addDocument","params":{"name":"x","text":"y","extra":${nested(62)}}}`),
        )
        // 64 levels (the body, params, 62 arrays) parse; the action then refuses the extra field.
        assert.equal(deep.status, 400)
        assert.doesNotMatch(deep.json.error.message, /nested/)
        const res = await s.app.inject({
          method: 'POST',
          url: `${base}/actions`,
          headers: {
            cookie: `policykit_session=${s.admin.session.cookie}`,
            'x-csrf-token': s.admin.session.csrfToken,
            'content-type': 'application/json',
          },
          payload: `{"type":"constitution.addDocument","params":{"name":"x","text":${nested(20_000)}}}`,
        })
        assert.equal(res.statusCode, 400, res.body.slice(0, 200))
        assert.match(toTestResponse<ErrorJson>(res).json.error.message, /nested deeper than 64/)
      })

      it('does not count brackets inside strings', async () => {
        const text = '['.repeat(1000)
        const res = await s.admin.post<ProposeResultJson>(`${base}/actions`, {
          type: 'constitution.addDocument',
          params: { name: 'Brackets', text },
        })
        assert.equal(res.status, 201, res.text.slice(0, 200))
      })
    })

    describe('integers beyond their column', () => {
      it('refuses ids of 2^31 and more in paths and queries with 400 naming the field', async () => {
        for (const [url, field] of [
          [`${base}/proposals/2147483648`, 'proposalId'],
          [`${base}/policies/2147483648`, 'policyId'],
          [`${base}/documents/99999999999`, 'documentId'],
          [`${base}/proposals?before=2147483648`, 'before'],
          [`${base}/logs?proposalId=2147483648`, 'proposalId'],
          [`/api/communities/2147483648`, 'communityId'],
        ] as const) {
          const res = await s.admin.get<ErrorJson>(url)
          assert.equal(res.status, 400, `${url}: ${res.text}`)
          assert.equal(res.json.error.code, 'invalid_input')
          assert.match(issuePaths(res.json), new RegExp(field), url)
        }
        const revoke = await s.admin.delete<ErrorJson>(`${base}/tokens/2147483648`)
        assert.equal(revoke.status, 400)
        assert.match(issuePaths(revoke.json), /tokenId/)
        const revokeInvite = await s.admin.delete<ErrorJson>(`${base}/invites/2147483648`)
        assert.equal(revokeInvite.status, 400)
        assert.match(issuePaths(revokeInvite.json), /inviteId/)
      })

      it('still answers the largest id its column holds (404)', async () => {
        const res = await s.admin.get<ErrorJson>(`${base}/proposals/2147483647`)
        assert.equal(res.status, 404)
      })

      it('refuses ids and integer settings of 2^31 in action params, naming the field', async () => {
        const [role] = await s.store.roles.list(s.communityId)
        assert.ok(role)
        for (const [type, params, field] of [
          ['constitution.removeRole', { roleId: 2 ** 31 }, 'roleId'],
          ['constitution.assignRole', { roleId: role.id, memberId: 2 ** 31 }, 'memberId'],
          ['constitution.removeDocument', { documentId: 2 ** 40 }, 'documentId'],
          ['constitution.changePolicy', { policyId: 1, priority: 2 ** 31 }, 'priority'],
          ['constitution.changePolicy', { policyId: 1, priority: -(2 ** 31) - 1 }, 'priority'],
        ] as const) {
          const res = await s.admin.post<ErrorJson>(`${base}/actions`, { type, params })
          assert.equal(res.status, 400, `${type} ${JSON.stringify(params)}: ${res.text}`)
          assert.match(res.json.error.message, new RegExp(field))
        }
        const imported = await s.admin.post<ErrorJson>(`${base}/policies/import`, {
          document: {
            format: 'policykit.policy/1',
            name: 'Big',
            description: '',
            kind: 'platform',
            actionTypes: [],
            priority: 2 ** 31,
            variables: [],
            blocks: { filter: '', initialize: '', check: 'return PASSED', notify: '', pass: '', fail: '' },
          },
        })
        assert.equal(imported.status, 400, imported.text)
        assert.match(imported.json.error.message, /priority/)
      })
    })

    describe('NUL characters', () => {
      it('are refused anonymously at sign-in, naming the field', async () => {
        const res = toTestResponse<ErrorJson>(
          await anonymous('POST', '/api/session', { username: 'ad\u0000min', password: 'whatever it is' }),
        )
        assert.equal(res.status, 400, res.text)
        assert.equal(res.json.error.code, 'invalid_input')
        assert.equal(issuePaths(res.json), 'username')
        assert.match(res.json.error.message, /NUL/)
      })

      it('are refused in tokens, invites, role names, paths and query strings', async () => {
        const before = await s.store.roles.list(s.communityId)
        for (const [send, field] of [
          [() => s.admin.post<ErrorJson>(`${base}/tokens`, { name: 'ci\u0000' }), 'name'],
          [() => s.admin.post<ErrorJson>(`${base}/invites`, { member: 'ada\u0000' }), 'member'],
          [
            () =>
              s.admin.post<ErrorJson>(`${base}/actions`, {
                type: 'constitution.addRole',
                params: { name: 'Role\u0000', permissions: [] },
              }),
            'params.name',
          ],
          [
            () =>
              s.admin.post<ErrorJson>(`${base}/actions`, {
                type: 'constitution.addDocument',
                params: { name: 'Doc', text: 'a\u0000b' },
              }),
            'params.text',
          ],
          [() => s.admin.get<ErrorJson>(`/api/invites/abc%00def`), 'token'],
          [() => s.admin.get<ErrorJson>(`${base}/policies/governing?kind=platform&type=a%00b`), 'type'],
        ] as const) {
          const res = await send()
          assert.equal(res.status, 400, `${field}: ${res.text}`)
          assert.equal(res.json.error.code, 'invalid_input')
          assert.equal(issuePaths(res.json), field)
        }
        const keyed = await s.admin.post<ErrorJson>(`${base}/actions`, {
          type: 'constitution.addDocument',
          params: { name: 'Doc', text: 'x', ['a\u0000']: 1 },
        })
        assert.equal(keyed.status, 400)
        assert.match(keyed.json.error.message, /NUL/)
        assert.deepEqual(
          (await s.store.roles.list(s.communityId)).map((r: RoleJson | { name: string }) => r.name),
          before.map((r) => r.name),
        )
      })
    })

    describe('policy code nested too deep', () => {
      it('answers 50,000 nested parentheses as a syntax error, and the sandbox still works', async () => {
        const deep = `return ${'('.repeat(50_000)}1`
        for (const code of [deep, `return ${'!'.repeat(50_000)}1`, `return ${nested(30_000)}`]) {
          const res = await s.admin.post<PolicyCheckJson>(`${base}/policies/check`, { blocks: { check: code } })
          assert.equal(res.status, 200, res.text.slice(0, 300))
          assert.equal(res.json.ok, false)
          assert.equal(res.json.errors[0]?.block, 'check')
          assert.match(res.json.errors[0]?.message ?? '', /nest|deep/i)
        }
        const fine = await s.admin.post<PolicyCheckJson>(`${base}/policies/check`, {
          blocks: { check: `return ${'('.repeat(50)}PASSED${')'.repeat(50)}` },
        })
        assert.deepEqual(fine.json, { ok: true, errors: [] })
      })

      it('refuses such code in an imported policy and in constitution.addPolicy with 400', async () => {
        const blocks = {
          filter: '',
          initialize: '',
          check: `return ${'('.repeat(50_000)}1`,
          notify: '',
          pass: '',
          fail: '',
        }
        const fields = { name: 'Deep', description: '', kind: 'platform', actionTypes: [], variables: [], blocks }
        const imported = await s.admin.post<ErrorJson>(`${base}/policies/import`, {
          document: { format: 'policykit.policy/1', priority: 0, ...fields },
        })
        assert.equal(imported.status, 400, imported.text.slice(0, 300))
        assert.match(imported.json.error.message, /check.*nest/i)
        const added = await s.admin.post<ErrorJson>(`${base}/actions`, {
          type: 'constitution.addPolicy',
          params: fields,
        })
        assert.equal(added.status, 400, added.text.slice(0, 300))
      })
    })
  })

  describe(`${dialect}: hostile input on the Slack webhooks`, () => {
    it('refuses a signed event nested too deep with 400 and records nothing', async () => {
      const rig = await startRig(dialect)
      try {
        const body = `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","deep":${nested(100_000)}}}`
        const timestamp = Math.floor(rig.clock.now() / 1000)
        const res = await rig.app.inject({
          method: 'POST',
          url: '/platforms/slack/events',
          headers: {
            'content-type': 'application/json',
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': signSlackRequest(rig.fake.signingSecret, timestamp, body),
          },
          payload: body,
        })
        assert.equal(res.statusCode, 400, res.body.slice(0, 200))
        assert.match(res.body, /nested deeper than 64/)
        assert.deepEqual(await rig.actions(), [])
      } finally {
        await rig.close()
      }
    })
  })
}
