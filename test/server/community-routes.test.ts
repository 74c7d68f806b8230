import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { emptyBlocks } from '../../src/domain/policy.ts'
import type {
  ActionTypeJson,
  ApiTokenJson,
  CommunityJson,
  DocumentJson,
  ErrorJson,
  GoverningJson,
  IntegrationJson,
  LogJson,
  MemberJson,
  OverviewJson,
  PolicyCheckJson,
  PolicyJson,
  PolicySummaryJson,
  PolicyVersionJson,
  ProposalDetailJson,
  ProposalPageJson,
  ProposeResultJson,
  RoleJson,
} from '../../src/server/presenters.ts'
import type { PolicyInput } from '../../src/store/store.ts'
import { startTestServer, type TestClient, type TestServer } from '../support/server-harness.ts'
import { testDialects } from '../support/test-store.ts'

function policyInput(patch: Partial<PolicyInput>): PolicyInput {
  return {
    name: 'policy',
    description: '',
    kind: 'constitution',
    actionTypes: [],
    priority: 0,
    variables: [],
    blocks: emptyBlocks(),
    ...patch,
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: community routes`, () => {
    let server: TestServer
    let admin: TestClient
    let bob: TestClient
    let cy: TestClient
    /** Holds only `vote`: no view_logs, no propose. */
    let voter: TestClient
    let base: string

    /** Proposes constitution.addDocument as `client`; the democracy kit puts it to a vote. */
    async function proposeDocument(client: TestClient, name: string): Promise<ProposeResultJson> {
      const res = await client.post<ProposeResultJson>(`${base}/actions`, {
        type: 'constitution.addDocument',
        params: { name, text: `The ${name}.` },
      })
      assert.equal(res.status, 201, res.text)
      return res.json
    }

    before(async () => {
      server = await startTestServer({ dialect })
      admin = server.admin
      base = `/api/communities/${server.communityId}`
      await server.store.roles.create(server.communityId, { name: 'Voter', permissions: ['vote'] })
      bob = await server.member('bob')
      cy = await server.member('cy')
      voter = await server.member('vera', { roles: ['Voter'] })
    })
    after(() => server.close())

    it('shows the community and what the caller may do in it', async () => {
      const res = await bob.get<CommunityJson>(base)
      assert.equal(res.status, 200, res.text)
      assert.equal(res.json.id, server.communityId)
      assert.equal(res.json.me.memberId, bob.memberId)
      assert.equal(res.json.me.username, 'bob')
      assert.deepEqual(res.json.me.roles, ['Member'])
      assert.ok(res.json.me.permissions.includes('vote'))
      const asVoter = await voter.get<CommunityJson>(base)
      assert.deepEqual(asVoter.json.me.roles, ['Voter'])
      assert.deepEqual(asVoter.json.me.permissions, ['vote'])
    })

    it('lists members with their effective roles and platforms, and the roles', async () => {
      const members = await bob.get<MemberJson[]>(`${base}/members`)
      assert.equal(members.status, 200, members.text)
      const byName = new Map(members.json.map((m) => [m.username, m]))
      assert.deepEqual(byName.get('bob')?.roles, ['Member'], 'the default role for a member with none')
      assert.deepEqual(byName.get('vera')?.roles, ['Voter'])
      assert.deepEqual(byName.get('bob')?.platforms, ['local'])
      assert.ok(byName.get(admin.username)?.roles.includes('Admin'))

      const roles = await bob.get<RoleJson[]>(`${base}/roles`)
      assert.equal(roles.status, 200)
      const member = roles.json.find((r) => r.name === 'Member')
      assert.equal(member?.isDefault, true)
      assert.ok(member.permissions.includes('propose:*'))
    })

    it('proposes a constitution action, which the members then vote through', async () => {
      const result = await proposeDocument(bob, 'Charter')
      assert.equal(result.status, 'proposed')
      assert.equal(result.action.type, 'constitution.addDocument')
      assert.equal(result.action.initiator?.username, 'bob')
      assert.ok(result.proposalId)
      const url = `${base}/proposals/${result.proposalId}`

      const opened = await cy.get<ProposalDetailJson>(url)
      assert.equal(opened.status, 200, opened.text)
      assert.equal(opened.json.status, 'proposed')
      assert.equal(opened.json.policy.name, 'Members vote on constitution actions')
      assert.equal(opened.json.vote?.platform, 'constitution')
      assert.equal(opened.json.vote.url, `/c/${server.communityId}/proposals/${result.proposalId}`)
      assert.match(opened.json.vote.text, /proposes constitution\.addDocument/)
      assert.equal(opened.json.vote.options, null)
      assert.equal(opened.json.vote.canVote, true)
      assert.equal(opened.json.vote.myVote, null)

      // The kit fixed the electorate (admin, bob, cy and vera hold vote): a majority of 4, quorum 3.
      const first = await admin.put<ProposalDetailJson>(`${url}/vote`, { value: true })
      assert.equal(first.status, 200, first.text)
      assert.equal(first.json.status, 'proposed')
      assert.deepEqual(first.json.vote?.myVote, true)
      assert.deepEqual(first.json.tally, { yes: 1, no: 0, choices: {}, total: 1 })
      // A vote can be changed while the proposal is open.
      await bob.put(`${url}/vote`, { value: false })
      const changed = await bob.put<ProposalDetailJson>(`${url}/vote`, { value: true })
      assert.equal(changed.json.status, 'proposed')
      assert.deepEqual(changed.json.tally, { yes: 2, no: 0, choices: {}, total: 2 })

      const deciding = await cy.put<ProposalDetailJson>(`${url}/vote`, { value: true })
      assert.equal(deciding.status, 200, deciding.text)
      assert.equal(deciding.json.status, 'passed')
      assert.equal(deciding.json.action.executionState, 'executed')
      assert.equal(deciding.json.vote?.canVote, false, 'closed')
      assert.deepEqual(
        deciding.json.votes.map((v) => [v.username, v.value]),
        [
          [admin.username, true],
          ['bob', true],
          ['cy', true],
        ],
      )
      assert.deepEqual(
        deciding.json.timeline.map((t) => t.what),
        ['proposed', 'vote_opened', 'voted', 'voted', 'voted', 'decided', 'executed'],
      )

      const documents = await cy.get<DocumentJson[]>(`${base}/documents`)
      assert.ok(documents.json.some((d) => d.name === 'Charter' && d.text === 'The Charter.'))

      const closed = await voter.put<ErrorJson>(`${url}/vote`, { value: true })
      assert.equal(closed.status, 409, closed.text)
      assert.equal(closed.json.error.code, 'conflict')
    })

    it('refuses a vote from a member outside the electorate, and a value of the wrong kind', async () => {
      const result = await proposeDocument(cy, 'Bylaws')
      const url = `${base}/proposals/${result.proposalId}`
      // Joined after the proposal started: the kit's electorate is fixed at its start.
      const late = await server.member('late')
      const detail = await late.get<ProposalDetailJson>(url)
      assert.equal(detail.json.vote?.canVote, false)
      const refused = await late.put<ErrorJson>(`${url}/vote`, { value: true })
      assert.equal(refused.status, 403, refused.text)
      assert.equal(refused.json.error.code, 'forbidden')

      const wrongKind = await bob.put<ErrorJson>(`${url}/vote`, { value: 'yes' })
      assert.equal(wrongKind.status, 400, wrongKind.text)
      assert.equal(wrongKind.json.error.code, 'invalid_input')
      const notAValue = await bob.put<ErrorJson>(`${url}/vote`, { value: 3 })
      assert.equal(notAValue.status, 400, notAValue.text)
      const unchanged = await bob.get<ProposalDetailJson>(url)
      assert.equal(unchanged.json.tally.total, 0)
    })

    it('takes one of the options of a choice vote, and only those', async () => {
      const policy = await server.store.policies.create(
        server.communityId,
        policyInput({
          name: 'Colour vote',
          actionTypes: ['constitution.changeSettings'],
          priority: 10,
          blocks: {
            ...emptyBlocks(),
            notify: `constitution.initiateVote({ text: 'Which name?', options: ['Red', 'Green'] })`,
            check: `return proposal.getChoiceVotes('Green').length >= 2 ? PASSED : PROPOSED`,
          },
        }),
        server.clock.now(),
      )
      try {
        const result = await bob.post<ProposeResultJson>(`${base}/actions`, {
          type: 'constitution.changeSettings',
          params: { name: 'Green' },
        })
        assert.equal(result.status, 201, result.text)
        const url = `${base}/proposals/${result.json.proposalId}`
        const detail = await bob.get<ProposalDetailJson>(url)
        assert.equal(detail.json.policy.name, 'Colour vote')
        assert.equal(detail.json.vote?.text, 'Which name?')
        assert.deepEqual(detail.json.vote.options, ['Red', 'Green'])

        assert.equal((await bob.put(`${url}/vote`, { value: true })).status, 400)
        assert.equal((await bob.put(`${url}/vote`, { value: 'Blue' })).status, 400)
        const red = await bob.put<ProposalDetailJson>(`${url}/vote`, { value: 'Red' })
        assert.equal(red.status, 200, red.text)
        assert.deepEqual(red.json.tally.choices, { Red: 1 })
        assert.equal(red.json.vote?.myVote, 'Red')
        // Anyone holding vote may vote when the vote was opened for everyone.
        await voter.put(`${url}/vote`, { value: 'Green' })
        const passed = await cy.put<ProposalDetailJson>(`${url}/vote`, { value: 'Green' })
        assert.equal(passed.json.status, 'passed')
        const community = await cy.get<CommunityJson>(base)
        assert.equal(community.json.name, 'Green')
      } finally {
        await server.store.policies.setActive(server.communityId, policy.id, false, server.clock.now())
      }
    })

    it('refuses to propose without the propose permission, and types PolicyKit cannot carry out', async () => {
      const forbidden = await voter.post<ErrorJson>(`${base}/actions`, {
        type: 'constitution.addDocument',
        params: { name: 'Mine', text: '' },
      })
      assert.equal(forbidden.status, 403, forbidden.text)
      assert.equal(forbidden.json.error.code, 'forbidden')
      const unknown = await bob.post<ErrorJson>(`${base}/actions`, { type: 'nowhere.doIt', params: {} })
      assert.equal(unknown.status, 400, unknown.text)
      const badParams = await bob.post<ErrorJson>(`${base}/actions`, {
        type: 'constitution.addDocument',
        params: { text: 'no name' },
      })
      assert.equal(badParams.status, 400, badParams.text)
      assert.match(badParams.json.error.message, /name/)
    })

    it('refuses addPolicy with a syntax error, naming the block and line', async () => {
      const res = await bob.post<ErrorJson>(`${base}/actions`, {
        type: 'constitution.addPolicy',
        params: { name: 'Broken', kind: 'platform', blocks: { check: 'const a = 1\nreturn (a +' } },
      })
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error.code, 'invalid_input')
      assert.match(res.json.error.message, /check block, line 2/)
    })

    it('checks policy code without running it, giving the line of a syntax error', async () => {
      const res = await voter.post<PolicyCheckJson>(`${base}/policies/check`, {
        blocks: { filter: 'return true', check: 'const a = 1\nconst b = 2\nreturn a +* b' },
      })
      assert.equal(res.status, 200, res.text)
      assert.equal(res.json.ok, false)
      assert.equal(res.json.errors.length, 1)
      assert.equal(res.json.errors[0]?.block, 'check')
      assert.equal(res.json.errors[0].line, 3)
      const fine = await voter.post<PolicyCheckJson>(`${base}/policies/check`, {
        blocks: { check: 'return PASSED', notify: '' },
      })
      assert.deepEqual(fine.json, { ok: true, errors: [] })
    })

    it('reads policies, their versions and documents, and imports one by proposing addPolicy', async () => {
      const list = await bob.get<PolicySummaryJson[]>(`${base}/policies?kind=constitution`)
      assert.equal(list.status, 200, list.text)
      const kitPolicy = list.json.find((p) => p.name === 'Members vote on constitution actions')
      assert.ok(kitPolicy)
      assert.ok(list.json.every((p) => p.kind === 'constitution'))

      const policy = await bob.get<PolicyJson>(`${base}/policies/${kitPolicy.id}`)
      assert.equal(policy.status, 200)
      assert.match(policy.json.blocks.check, /getYesVotes/)
      assert.ok(policy.json.variables.some((v) => v.name === 'quorum'))

      await server.store.policies.update(server.communityId, kitPolicy.id, { priority: -1 }, server.clock.now())
      const versions = await bob.get<PolicyVersionJson[]>(`${base}/policies/${kitPolicy.id}/versions`)
      assert.deepEqual(
        versions.json.map((v) => [v.version, v.priority]),
        [
          [2, -1],
          [1, 0],
        ],
      )

      const exported = await bob.get<Record<string, unknown>>(`${base}/policies/${kitPolicy.id}/export`)
      assert.equal(exported.status, 200, exported.text)
      assert.equal(exported.json['format'], 'policykit.policy/1')
      assert.equal(exported.json['name'], kitPolicy.name)
      assert.equal(exported.json['id'], undefined)

      const imported = await bob.post<ProposeResultJson>(`${base}/policies/import`, {
        document: { ...exported.json, name: 'Imported copy' },
        activate: true,
      })
      assert.equal(imported.status, 200, imported.text)
      assert.equal(imported.json.status, 'proposed')
      assert.equal(imported.json.action.type, 'constitution.addPolicy')
      assert.equal(imported.json.action.params['name'], 'Imported copy')
      assert.equal(imported.json.action.params['active'], true)
      assert.ok(imported.json.proposalId)

      const invalid = await bob.post<ErrorJson>(`${base}/policies/import`, {
        document: { ...exported.json, kind: 'sideways' },
      })
      assert.equal(invalid.status, 400, invalid.text)
      assert.match(invalid.json.error.message, /kind/)
      const broken = await bob.post<ErrorJson>(`${base}/policies/import`, {
        document: { ...exported.json, blocks: { check: 'return (' } },
      })
      assert.equal(broken.status, 400, broken.text)
      assert.match(broken.json.error.message, /check, line 1/)

      assert.equal((await bob.get(`${base}/policies/99999`)).status, 404)
    })

    it('shows which policies could govern a type, in the order they are tried', async () => {
      const now = server.clock.now()
      const id = server.communityId
      const high = await server.store.policies.create(
        id,
        policyInput({ name: 'High', actionTypes: ['constitution.addRole'], priority: 5 }),
        now,
      )
      const low = await server.store.policies.create(
        id,
        policyInput({ name: 'Low', actionTypes: ['constitution.addRole'], priority: 1 }),
        now,
      )
      const off = await server.store.policies.create(
        id,
        policyInput({ name: 'Off', actionTypes: ['constitution.addRole'], priority: 9 }),
        now,
      )
      await server.store.policies.setActive(id, off.id, false, now)
      try {
        const res = await bob.get<GoverningJson>(
          `${base}/policies/governing?kind=constitution&type=constitution.addRole`,
        )
        assert.equal(res.status, 200, res.text)
        assert.equal(res.json.type, 'constitution.addRole')
        const names = res.json.candidates.map((p) => p.name)
        assert.deepEqual(names.slice(0, 2), ['High', 'Low'])
        assert.ok(names.includes('Members vote on constitution actions'), 'the base policy comes last')
        assert.ok(!names.includes('Off'))
        assert.equal((await bob.get(`${base}/policies/governing?kind=constitution`)).status, 400)
      } finally {
        await server.store.policies.setActive(id, high.id, false, now)
        await server.store.policies.setActive(id, low.id, false, now)
      }
    })

    it('lists what can be proposed, with a JSON Schema of the params', async () => {
      const res = await voter.get<ActionTypeJson[]>(`${base}/action-types`)
      assert.equal(res.status, 200, res.text)
      const addDocument = res.json.find((t) => t.type === 'constitution.addDocument')
      assert.ok(addDocument)
      assert.equal(addDocument.kind, 'constitution')
      assert.equal(addDocument.canPropose, false, 'vera only votes')
      assert.equal(addDocument.revertible, false)
      assert.deepEqual(addDocument.paramsSchema['required'], ['name', 'text'])
      const asBob = await bob.get<ActionTypeJson[]>(`${base}/action-types`)
      assert.ok(asBob.json.every((t) => t.canPropose && !t.canExecute))
    })

    it('pages through proposals newest first, and filters them by status', async () => {
      const ids: number[] = []
      for (const name of ['A', 'B', 'C']) {
        const { proposalId } = await proposeDocument(bob, `Page ${name}`)
        assert.ok(proposalId)
        ids.push(proposalId)
      }
      const newest = [...ids].reverse()
      const first = await cy.get<ProposalPageJson>(`${base}/proposals?status=proposed&limit=2`)
      assert.equal(first.status, 200, first.text)
      assert.deepEqual(
        first.json.items.map((p) => p.id),
        newest.slice(0, 2),
      )
      assert.equal(first.json.nextBefore, newest[1])
      const second = await cy.get<ProposalPageJson>(
        `${base}/proposals?status=proposed&limit=2&before=${first.json.nextBefore}`,
      )
      assert.equal(second.json.items[0]?.id, newest[2])
      const all = await cy.get<ProposalPageJson>(`${base}/proposals?limit=100`)
      assert.equal(all.json.nextBefore, null)
      assert.ok(all.json.items.some((p) => p.status === 'passed'))
      assert.equal((await cy.get(`${base}/proposals?limit=0`)).status, 400)
      assert.equal((await cy.get(`${base}/proposals?status=maybe`)).status, 400)
    })

    it('gives an overview of pending proposals and decisions by day', async () => {
      const res = await cy.get<OverviewJson>(`${base}/overview`)
      assert.equal(res.status, 200, res.text)
      assert.ok(res.json.pending.length > 0)
      assert.ok(res.json.pending.every((p) => p.status === 'proposed'))
      assert.ok(res.json.recentDecisions.some((p) => p.action.params['name'] === 'Charter'))
      assert.equal(res.json.decisionsByDay.length, 30)
      const today = new Date(server.clock.now()).toISOString().slice(0, 10)
      const last = res.json.decisionsByDay.at(-1)
      assert.equal(last?.day, today)
      assert.ok(last.passed >= 2)
    })

    it('lists on the overview what waits for the caller to vote, until they have', async () => {
      const { proposalId } = await proposeDocument(bob, 'Seed library')
      assert.ok(proposalId)
      const waiting = async (client: TestClient) =>
        (await client.get<OverviewJson>(`${base}/overview`)).json.waitingForYou.map((p) => p.id)
      assert.ok((await waiting(cy)).includes(proposalId), 'open to cy, who holds vote')
      assert.ok((await waiting(voter)).includes(proposalId))
      const voted = await cy.put(`${base}/proposals/${proposalId}/vote`, { value: true })
      assert.equal(voted.status, 200, voted.text)
      assert.ok(!(await waiting(cy)).includes(proposalId), 'no longer once cy has voted')
      assert.ok((await waiting(voter)).includes(proposalId), 'still for those who have not')
    })

    it('shows logs and integrations only to members with the permission', async () => {
      const logs = await admin.get<LogJson[]>(`${base}/logs?limit=5`)
      assert.equal(logs.status, 200, logs.text)
      assert.equal(logs.json.length, 5)
      const older = await admin.get<LogJson[]>(`${base}/logs?limit=5&before=${logs.json.at(-1)?.id}`)
      assert.ok(older.json.every((l) => l.id < (logs.json.at(-1)?.id ?? 0)))
      assert.equal((await voter.get(`${base}/logs`)).status, 403)

      const [pending] = (await bob.get<ProposalPageJson>(`${base}/proposals?status=proposed&limit=1`)).json.items
      assert.ok(pending)
      const withLogs = await bob.get<ProposalDetailJson>(`${base}/proposals/${pending.id}`)
      assert.ok(withLogs.json.logs.some((l) => l.message.startsWith('vote opened')))
      const withoutLogs = await voter.get<ProposalDetailJson>(`${base}/proposals/${pending.id}`)
      assert.deepEqual(withoutLogs.json.logs, [])
      const ofAction = await admin.get<LogJson[]>(`${base}/logs?actionId=${pending.action.id}`)
      assert.equal(ofAction.status, 200, ofAction.text)
      assert.ok(ofAction.json.some((l) => l.message.startsWith('vote opened')))
      assert.ok(
        ofAction.json.every((l) => l.actionId === pending.action.id),
        'only lines about that action',
      )
      assert.equal((await admin.get(`${base}/logs?actionId=x`)).status, 400)

      const integrations = await admin.get<IntegrationJson[]>(`${base}/integrations`)
      assert.equal(integrations.status, 200, integrations.text)
      assert.deepEqual(integrations.json, [])
      const refused = await bob.get<ErrorJson>(`${base}/integrations`)
      assert.equal(refused.status, 403)
      assert.equal(refused.json.error.code, 'forbidden')
    })

    it('reads documents, inactive ones only when asked', async () => {
      const id = server.communityId
      const kept = await server.store.documents.create(id, { name: 'Kept', text: 'k', now: server.clock.now() })
      const gone = await server.store.documents.create(id, { name: 'Gone', text: 'g', now: server.clock.now() })
      await server.store.documents.setActive(id, gone.id, false, server.clock.now())
      const active = await bob.get<DocumentJson[]>(`${base}/documents`)
      assert.ok(active.json.some((d) => d.id === kept.id))
      assert.ok(!active.json.some((d) => d.id === gone.id))
      const all = await bob.get<DocumentJson[]>(`${base}/documents?all=true`)
      assert.ok(all.json.some((d) => d.id === gone.id && !d.active))
      const one = await bob.get<DocumentJson>(`${base}/documents/${gone.id}`)
      assert.equal(one.json.name, 'Gone')
      assert.equal((await bob.get(`${base}/documents/99999`)).status, 404)
    })

    it('keeps an API token to its own community, and asks for a caller', async () => {
      const now = server.clock.now()
      // The admin is a member of a second community too, with the same account.
      const second = await server.store.communities.create({ name: 'Second', now })
      const there = await server.store.members.create(second.id, { username: admin.username, now })
      await server.store.members.linkAccount(second.id, there.id, {
        platform: 'local',
        externalId: String(admin.userId),
        username: admin.username,
      })
      const viaSession = await admin.get<CommunityJson>(`/api/communities/${second.id}`)
      assert.equal(viaSession.status, 200, viaSession.text)
      assert.equal(viaSession.json.me.memberId, there.id)

      const created = await admin.post<ApiTokenJson>(`${base}/tokens`, { name: 'script' })
      assert.equal(created.status, 201, created.text)
      const bearer = async (url: string) =>
        server.app.inject({ url, headers: { authorization: `Bearer ${created.json.token ?? ''}` } })
      assert.equal((await bearer(`${base}/roles`)).statusCode, 200)
      const elsewhere = await bearer(`/api/communities/${second.id}/roles`)
      assert.equal(elsewhere.statusCode, 404, elsewhere.body)

      const anonymous = await server.app.inject({ url: `${base}/roles` })
      assert.equal(anonymous.statusCode, 401, anonymous.body)
    })

    it("tells a caller who is not a member that another community's data does not exist", async () => {
      const store = server.store
      const now = server.clock.now()
      const other = await store.communities.create({ name: 'Elsewhere', now })
      const stranger = await store.members.create(other.id, { username: 'stranger', now })
      await store.roles.create(other.id, {
        name: 'All',
        permissions: ['propose:*', 'vote', 'view_logs'],
        isDefault: true,
      })
      const policy = await store.policies.create(other.id, policyInput({ name: 'Theirs' }), now)
      const document = await store.documents.create(other.id, { name: 'Secret', text: 's', now })
      const { action } = await store.actions.create(other.id, {
        kind: 'constitution',
        type: 'constitution.addDocument',
        origin: 'policykit',
        initiatorId: stranger.id,
        params: { name: 'x', text: '' },
        now,
      })
      const proposal = await store.proposals.create(other.id, {
        actionId: action.id,
        policyId: policy.id,
        policyVersionId: policy.versionId,
        now,
      })
      const theirs = `/api/communities/${other.id}`
      const gets = [
        '',
        '/overview',
        '/members',
        '/roles',
        '/documents',
        `/documents/${document.id}`,
        '/policies',
        `/policies/${policy.id}`,
        `/policies/${policy.id}/versions`,
        `/policies/${policy.id}/export`,
        '/policies/governing?kind=constitution&type=constitution.addDocument',
        '/action-types',
        '/proposals',
        `/proposals/${proposal.id}`,
        '/logs',
        '/integrations',
      ]
      for (const path of gets) {
        const res = await admin.get<ErrorJson>(`${theirs}${path}`)
        assert.equal(res.status, 404, `GET ${path}: ${res.text}`)
        assert.equal(res.json.error.code, 'not_found')
        assert.equal(res.json.error.message, `community ${other.id} not found`)
      }
      const writes = [
        admin.post(`${theirs}/actions`, { type: 'constitution.addDocument', params: { name: 'n', text: '' } }),
        admin.post(`${theirs}/policies/check`, { blocks: {} }),
        admin.post(`${theirs}/policies/import`, {
          document: { format: 'policykit.policy/1', name: 'n', kind: 'platform' },
        }),
        admin.put(`${theirs}/proposals/${proposal.id}/vote`, { value: true }),
      ]
      for (const res of await Promise.all(writes)) {
        assert.equal(res.status, 404, res.text)
      }
      // Nor do their rows show through this community's routes.
      assert.equal((await admin.get(`${base}/proposals/${proposal.id}`)).status, 404)
      assert.equal((await admin.get(`${base}/policies/${policy.id}`)).status, 404)
      assert.equal((await admin.get(`${base}/documents/${document.id}`)).status, 404)
      assert.equal((await admin.put(`${base}/proposals/${proposal.id}/vote`, { value: true })).status, 404)
      assert.equal((await admin.get(`/api/communities/999999`)).status, 404)
    })
  })
}
