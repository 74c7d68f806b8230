import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type {
  ApiTokenJson,
  ErrorJson,
  MemberJson,
  ProposalDetailJson,
  ProposeResultJson,
  SessionJson,
} from '../../src/server/presenters.ts'
import { startTestServer, type TestClient, type TestServer } from '../support/server-harness.ts'

/**
 * Leaving a community (DELETE …/members/me) and an admin's governed constitution.removeMember:
 * the member's roles, sign-in there and API tokens go, the votes they cast stay, and the last
 * member who could amend the constitution can neither leave nor be removed.
 */
describe('leaving a community, and removing a member', () => {
  let s: TestServer
  let base = ''
  before(async () => {
    // Proposals wait for votes, so a vote cast before leaving can be looked at afterwards.
    s = await startTestServer({ kit: 'democracy' })
    base = `/api/communities/${s.communityId}`
  })
  after(() => s.close())

  /** The response, with what the engine logged of its action when it was not proposed (for a failure's message). */
  async function explained(result: { text: string; json: ProposeResultJson }): Promise<string> {
    if (result.json.status === 'proposed') {
      return result.text
    }
    const logs = await s.store.logs.list(s.communityId, { actionId: result.json.action.id })
    return `${result.text}\n${logs.map((l) => `${l.level}: ${l.message}`).join('\n')}`
  }

  async function memberNames(): Promise<string[]> {
    return (await s.admin.get<MemberJson[]>(`${base}/members`)).json.map((m) => m.username)
  }

  /** Only `holder` may propose changePolicy and assignRole: they alone keep the community governable. */
  async function onlyAmender(holder: TestClient): Promise<void> {
    const role = await s.store.roles.create(s.communityId, {
      name: `Amenders ${holder.username}`,
      description: '',
      permissions: ['propose:constitution.changePolicy', 'propose:constitution.assignRole'],
    })
    await s.store.roles.assign(s.communityId, holder.memberId, role.id)
    const member = await s.store.roles.getByName(s.communityId, 'Member')
    assert.ok(member)
    await s.store.roles.update(s.communityId, member.id, {
      permissions: ['propose:constitution.addDocument', 'propose:constitution.removeMember', 'vote'],
    })
  }

  it('lets a member leave: their roles, sign-in there and tokens go, and the vote they cast stays', async () => {
    const bea = await s.member('bea')
    const token = await bea.post<ApiTokenJson>(`${base}/tokens`, { name: 'script' })
    assert.equal(token.status, 201, token.text)
    const proposed = await s.admin.post<ProposeResultJson>(`${base}/actions`, {
      type: 'constitution.addDocument',
      params: { name: 'Left behind', text: 'x' },
    })
    assert.equal(proposed.json.status, 'proposed', await explained(proposed))
    const voted = await bea.put(`${base}/proposals/${proposed.json.proposalId}/vote`, { value: true })
    assert.equal(voted.status, 200, voted.text)

    const left = await bea.delete<{ memberId: number; left: boolean }>(`${base}/members/me`)
    assert.equal(left.status, 200, left.text)
    assert.deepEqual(left.json, { memberId: bea.memberId, left: true })

    assert.equal((await bea.get(base)).status, 404, 'the community is gone for them')
    const session = await bea.get<SessionJson>('/api/session')
    assert.equal(session.status, 200, 'still signed in to PolicyKit')
    assert.deepEqual(session.json.memberships, [])
    const viaToken = await s.app.inject({
      url: `${base}/roles`,
      headers: { authorization: `Bearer ${token.json.token ?? ''}` },
    })
    assert.equal(viaToken.statusCode, 401, viaToken.body)
    assert.ok(!(await memberNames()).includes('bea'))
    assert.deepEqual(
      await s.store.roles.effectiveRoles(s.communityId, bea.memberId),
      [],
      'no roles, not even the default',
    )

    const detail = await s.admin.get<ProposalDetailJson>(`${base}/proposals/${proposed.json.proposalId}`)
    assert.deepEqual(
      detail.json.votes.map((v) => [v.username, v.value]),
      [['bea', true]],
      'the vote cast before leaving is kept',
    )
    assert.ok(!(detail.json.stillToVote ?? []).some((m) => m.username === 'bea'))
    assert.equal((await bea.delete(`${base}/members/me`)).status, 404, 'one leaves once')
  })

  it('refuses to let the last member who could amend the constitution leave, naming why', async () => {
    const cy = await s.member('cy')
    await onlyAmender(s.admin)
    const refused = await s.admin.delete<ErrorJson>(`${base}/members/me`)
    assert.equal(refused.status, 409, refused.text)
    assert.match(
      refused.json.error.message,
      /^your leaving would leave no member able to propose constitution\.changePolicy/,
    )
    assert.ok((await memberNames()).includes('admin'), 'still a member')
    assert.equal((await cy.delete(`${base}/members/me`)).status, 200, 'someone else may leave')
  })

  it('removes a member through a governed constitution.removeMember, refusing to remove the last amender', async () => {
    const dee = await s.member('dee')
    const types = await s.admin.get<{ type: string }[]>(`${base}/action-types`)
    assert.ok(types.json.some((t) => t.type === 'constitution.removeMember'))

    const refused = await dee.post<ErrorJson>(`${base}/actions`, {
      type: 'constitution.removeMember',
      params: { memberId: s.admin.memberId },
    })
    assert.equal(refused.status, 409, refused.text)
    assert.match(refused.json.error.message, /^removing admin from the community would leave no member able/)

    const proposed = await s.admin.post<ProposeResultJson>(`${base}/actions`, {
      type: 'constitution.removeMember',
      params: { memberId: dee.memberId },
    })
    assert.equal(proposed.status, 201, proposed.text)
    assert.equal(
      proposed.json.status,
      'proposed',
      `it goes through the constitution policy: ${await explained(proposed)}`,
    )
    const detail = await s.admin.get<ProposalDetailJson>(`${base}/proposals/${proposed.json.proposalId}`)
    assert.equal(detail.json.title, 'Remove ‘dee’ from the community')
    assert.ok((await memberNames()).includes('dee'), 'not before the proposal passes')

    // The democracy kit's majority of the two voters decides.
    for (const voter of [s.admin, dee]) {
      const vote = await voter.put(`${base}/proposals/${proposed.json.proposalId}/vote`, { value: true })
      assert.equal(vote.status, 200, vote.text)
    }
    const after = await s.admin.get<ProposalDetailJson>(`${base}/proposals/${proposed.json.proposalId}`)
    assert.equal(after.json.status, 'passed', JSON.stringify(after.json.logs.map((l) => l.message)))
    assert.ok(!(await memberNames()).includes('dee'))
    assert.equal((await dee.get(base)).status, 404)
    const again = await s.admin.post<ErrorJson>(`${base}/actions`, {
      type: 'constitution.removeMember',
      params: { memberId: dee.memberId },
    })
    assert.equal(again.status, 404, 'a member who is gone cannot be removed again')
  })
})
