import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type {
  PolicySummaryJson,
  ProposalDetailJson,
  ProposalPageJson,
  ProposeResultJson,
} from '../../src/server/presenters.ts'
import { proposalSummaries, type ActionPresenter } from '../../src/server/proposal-views.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'
import { proposeElsewhere } from '../store/seed.ts'

/** Proposals as people read them: a title per action type, and a policy change's diff. */
describe('proposals for people', () => {
  let s: TestServer
  let base = ''
  before(async () => {
    s = await startTestServer()
    base = `/api/communities/${s.communityId}`
  })
  after(() => s.close())

  async function propose(type: string, params: object): Promise<ProposeResultJson> {
    const res = await s.admin.post<ProposeResultJson>(`${base}/actions`, { type, params })
    assert.equal(res.status, 201, res.text)
    return res.json
  }

  it("numbers each community's proposals 1, 2, 3… without the gaps another community's proposals leave in the ids", async () => {
    await proposeElsewhere(s.store, 1)
    const first = await propose('constitution.addDocument', { name: 'Numbered one', text: '1' })
    await proposeElsewhere(s.store, 1)
    const second = await propose('constitution.addDocument', { name: 'Numbered two', text: '2' })
    const page = await s.admin.get<ProposalPageJson>(`${base}/proposals?limit=100`)
    const numbers = page.json.items.map((p) => p.number).sort((a, b) => a - b)
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i + 1),
    )
    const detail = await s.admin.get<ProposalDetailJson>(`${base}/proposals/${second.proposalId}`)
    const firstNumber = page.json.items.find((p) => p.id === first.proposalId)?.number
    assert.equal(detail.json.number, numbers.length)
    assert.equal(firstNumber, numbers.length - 1, 'the next number here, whatever was made elsewhere')
    assert.notEqual(detail.json.number, detail.json.id)
    assert.equal(second.proposalNumber, detail.json.number, 'proposing answers with the number too')
  })

  it('titles each proposal by what it does, with names, not its raw type', async () => {
    const doc = await propose('constitution.addDocument', { name: 'Charter', text: 'We garden.' })
    const policy = await propose('constitution.addPolicy', {
      name: 'Documents need two yeses',
      kind: 'constitution',
      actionTypes: ['constitution.addDocument'],
      blocks: { check: 'return PROPOSED' },
    })
    const page = await s.admin.get<ProposalPageJson>(`${base}/proposals`)
    const title = (id: number | null) => page.json.items.find((p) => p.id === id)?.title
    assert.equal(title(doc.proposalId), 'Add document ‘Charter’')
    assert.equal(title(policy.proposalId), 'Add policy ‘Documents need two yeses’')
  })

  it('shows a policy change with the policy named and linked, and its diff against the version in force', async () => {
    const policies = await s.admin.get<PolicySummaryJson[]>(`${base}/policies?kind=platform`)
    const target = policies.json[0]
    assert.ok(target)
    const result = await propose('constitution.changePolicy', {
      policyId: target.id,
      description: 'Now with a shorter time limit.',
      blocks: { pass: "logger.info('carried')" },
    })
    const detail = await s.admin.get<ProposalDetailJson>(`${base}/proposals/${result.proposalId}`)
    assert.equal(detail.json.title, `Change policy ‘${target.name}’`)
    assert.deepEqual(detail.json.subject, { name: target.name, path: `policies/${target.id}` })
    const diff = detail.json.diff ?? ''
    assert.match(diff, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m)
    assert.match(diff, /^-description: A majority of the votes cast/m)
    assert.match(diff, /^\+description: Now with a shorter time limit\.$/m)
    assert.match(diff, /^\+logger\.info\('carried'\)$/m)
    assert.doesNotMatch(diff, /^[-+]name:/m, 'what does not change is not marked')

    const added = await s.admin.get<ProposalDetailJson>(
      `${base}/proposals/${(await s.admin.get<ProposalPageJson>(`${base}/proposals`)).json.items.at(-1)?.id}`,
    )
    assert.equal(added.json.diff, null, 'nothing to diff for a proposal that changes nothing in force')

    // A list shows titles only: it asks for no diff, and the policy change keeps its title.
    const page = await s.admin.get<ProposalPageJson>(`${base}/proposals?limit=100`)
    assert.equal(page.json.items.find((p) => p.id === result.proposalId)?.title, `Change policy ‘${target.name}’`)
    const asked: boolean[] = []
    const recording: ActionPresenter = (_communityId, action, want) => {
      asked.push(want.diff)
      return Promise.resolve({ title: action.type })
    }
    const proposals = await s.store.proposals.list(s.communityId, { limit: 5 })
    await proposalSummaries(s.store, recording, s.communityId, proposals)
    assert.deepEqual(
      asked,
      proposals.map(() => false),
    )
  })
})
