import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { emptyBlocks, type PolicyBlocks } from '../../../src/domain/policy.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import type { PolicyInput } from '../../../src/store/store.ts'
import { seedExampleConfig, sourcecredUrl, startMetagovRig, type MetagovRig } from './metagov-rig.ts'

/** POSTs as the gateway does: a bare string body, with no content type. */
function postBare(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const req = httpRequest(
      {
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: { 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('Metagov, end to end (real server, fake gateway)', () => {
  let rig: MetagovRig
  before(async () => {
    rig = await startMetagovRig()
  })
  after(async () => {
    await rig.close()
  })

  const communityId = () => rig.server.communityId
  const proposalOf = async (actionId: number): Promise<Proposal> => {
    const [proposal] = await rig.server.store.proposals.list(communityId(), { actionId, limit: 1 })
    assert.ok(proposal, `no proposal for action ${actionId}`)
    return proposal
  }
  const logsOf = async (proposalId: number) =>
    (await rig.server.store.logs.list(communityId(), { proposalId })).map((l) => l.message).join('\n')
  /** The log of every proposal on the action (an erroring policy hands it on to the next). */
  const actionLogs = async (actionId: number) => {
    const proposals = await rig.server.store.proposals.list(communityId(), { actionId })
    const logs = await Promise.all(proposals.map((p) => logsOf(p.id)))
    return logs.join('\n')
  }
  const propose = async (name: string) => {
    const outcome = await rig.server.engine.propose({
      communityId: communityId(),
      type: 'constitution.addDocument',
      params: { name, text: 'proposed' },
      initiatorId: rig.admin.memberId,
      origin: 'policykit',
    })
    return proposalOf(outcome.action.id)
  }

  it("configures the seed's example plugins on the config page; secrets come back masked", async () => {
    const page = await rig.admin.get<{
      config: { name: string; plugins: { name: string; config: Record<string, unknown> }[] }
    }>(`/platforms/metagov/config?community=${communityId()}`)
    assert.equal(page.status, 200)
    assert.equal(page.json.config.name, rig.slug)
    const loomio = page.json.config.plugins.find((p) => p.name === 'loomio')
    assert.deepEqual(loomio?.config, { api_key: '********' })
    const oc = page.json.config.plugins.find((p) => p.name === 'opencollective')
    assert.deepEqual(oc?.config, { access_token: '********', collective_slug: 'gardeners' })
    // On the gateway, with the real secrets.
    const onGateway = [...rig.gateway.plugins.values()].filter((p) => p.community === rig.slug)
    assert.deepEqual(onGateway.map((p) => p.name).sort(), [
      'discourse',
      'github',
      'loomio',
      'opencollective',
      'randomness',
      'sourcecred',
    ])
    assert.equal(onGateway.find((p) => p.name === 'loomio')?.config['api_key'], 'loomio-api-key')
  })

  it('refuses a config off the schema before anything is sent, naming the plugin and field', async () => {
    const before = rig.gateway.requests.length
    const config = seedExampleConfig(sourcecredUrl)
    config.plugins[3] = { name: 'loomio', config: { api_key: 42 } as never }
    const saved = await rig.admin.post<{ error: { message: string } }>('/platforms/metagov/config', {
      community: communityId(),
      config,
    })
    assert.equal(saved.status, 400)
    assert.match(saved.json.error.message, /loomio config: api_key/)
    assert.ok(
      rig.gateway.requests.slice(before).every((r) => r.method === 'GET'),
      'nothing was changed on the gateway',
    )
  })

  it('warns before a change that re-creates a plugin, then re-creates it once confirmed; masked secrets are kept', async () => {
    const page = await rig.admin.get<{ config: { plugins: { name: string; config: Record<string, unknown> }[] } }>(
      `/platforms/metagov/config?community=${communityId()}`,
    )
    const plugins = page.json.config.plugins.map((p) =>
      p.name === 'randomness' ? { name: p.name, config: { default_low: 1, default_high: 6 } } : p,
    )
    const oldId = [...rig.gateway.plugins.values()].find((p) => p.community === rig.slug && p.name === 'randomness')?.id
    const warned = await rig.admin.post<{ error: { code: string; message: string } }>('/platforms/metagov/config', {
      community: communityId(),
      config: { plugins },
    })
    assert.equal(warned.status, 409)
    assert.match(warned.json.error.message, /re-creates randomness.*pending processes/)
    const saved = await rig.admin.post<{ status: string; plan: { update: string[]; unchanged: string[] } }>(
      '/platforms/metagov/config',
      {
        community: communityId(),
        config: { plugins },
        confirmRecreate: true,
      },
    )
    assert.equal(saved.status, 200, saved.text)
    assert.deepEqual(saved.json.plan.update, ['randomness'])
    const onGateway = [...rig.gateway.plugins.values()].filter((p) => p.community === rig.slug)
    const randomness = onGateway.find((p) => p.name === 'randomness')
    assert.notEqual(randomness?.id, oldId)
    assert.deepEqual(randomness?.config, { default_low: 1, default_high: 6 })
    assert.equal(onGateway.find((p) => p.name === 'loomio')?.config['api_key'], 'loomio-api-key')
  })

  it('refuses the config page to a member without manage_integrations', async () => {
    const role = await rig.server.store.roles.getByName(communityId(), 'Member')
    assert.ok(role)
    await rig.server.store.roles.update(communityId(), role.id, {
      permissions: role.permissions.filter((p) => p !== 'manage_integrations'),
    })
    const bob = await rig.server.member('bob')
    const page = await bob.get(`/platforms/metagov/config?community=${communityId()}`)
    assert.equal(page.status, 403)
    const saved = await bob.post('/platforms/metagov/config', { community: communityId(), config: { plugins: [] } })
    assert.equal(saved.status, 403)
    assert.equal([...rig.gateway.plugins.values()].filter((p) => p.community === rig.slug).length, 6)
  })

  it("runs a trigger policy with the seed's filter on an opencollective.expense_created event; the bot's own events are dropped", async () => {
    await rig.addPolicy({
      name: 'Thank expense authors',
      kind: 'trigger',
      actionTypes: ['metagov.event'],
      blocks: {
        ...emptyBlocks(),
        filter: "return action.eventType === 'opencollective.expense_created'",
        check: [
          "metagov.performAction('opencollective.create-comment', {",
          "  raw: 'Thanks ' + action.initiator.externalUsername + ' (' + action.initiator.provider + ')',",
          '  expense_id: String(action.eventData.id),',
          '})',
          "metagov.performAction('opencollective.process-expense', { expense_id: String(action.eventData.id), action: 'APPROVE' })",
          'return PASSED',
        ].join('\n'),
      },
    })
    await rig.addPolicy({
      name: 'Log every Metagov event',
      kind: 'trigger',
      actionTypes: ['metagov.event'],
      blocks: { ...emptyBlocks(), check: "logger.info('event ' + action.eventType)\nreturn PASSED" },
    })
    const expense = await rig.driver.createExpense(rig.slug, { by: 'alice', description: 'Seeds', amount: 1200 })
    assert.equal(expense.status, 200)
    assert.deepEqual(rig.gateway.comments, [{ expenseId: String(expense.id), raw: 'Thanks alice (opencollective)' }])
    assert.equal(rig.gateway.expenses.get(expense.id)?.status, 'APPROVED')
    // The approval's event comes back from the gateway's own bot: it triggers nothing.
    await rig.gateway.settle()
    assert.equal(rig.gateway.posts.filter((p) => p.kind === 'event').length, 2)
    assert.equal(await rig.driver.openIssue(rig.slug, { sender: 'grace', repo: 'gardeners/site', title: 'Fix' }), 200)
    const triggers = (await rig.server.store.actions.list(communityId())).filter((a) => a.type === 'metagov.event')
    assert.deepEqual(triggers.map((a) => a.params['eventType']).sort(), [
      'github.opened issues',
      'opencollective.expense_created',
    ])
    assert.equal(rig.gateway.comments.length, 1)
  })

  it('refuses a forged event (wrong secret, 401) and a bad body (400), changing nothing', async () => {
    const before = (await rig.server.store.actions.list(communityId())).length
    const body = JSON.stringify({
      community: rig.slug,
      source: 'opencollective',
      event_type: 'expense_created',
      data: {},
      initiator: { user_id: 'x', provider: 'opencollective' },
    })
    assert.equal(await postBare(`${rig.origin}/platforms/metagov/events/not-the-secret`, body), 401)
    assert.equal(await postBare(rig.urls.eventReceiver(), '{"community": '), 400)
    assert.equal(await postBare(rig.urls.eventReceiver(), '{"community": "x"}'), 400)
    assert.equal(await postBare(rig.urls.eventReceiver(), ''), 400)
    assert.equal((await rig.server.store.actions.list(communityId())).length, before)
  })

  /** A constitution policy on constitution.addDocument, ahead of the kit's. */
  const documentPolicy = (name: string, blocks: Partial<PolicyBlocks>): Partial<PolicyInput> => ({
    name,
    kind: 'constitution',
    actionTypes: ['constitution.addDocument'],
    priority: 10,
    blocks: { ...emptyBlocks(), ...blocks },
  })
  /** Runs `body` with `policy` in force, then switches it off, clears the gateway's processes and brings it back up. */
  const withPolicy = async (policy: Partial<PolicyInput>, body: (policyId: number) => Promise<void>) => {
    const policyId = await rig.addPolicy(policy)
    try {
      await body(policyId)
    } finally {
      rig.gateway.down = false
      await rig.server.store.policies.setActive(communityId(), policyId, false, rig.server.clock.now())
      rig.gateway.processes.clear()
    }
  }

  const pollPolicy = documentPolicy('Loomio decides documents', {
    notify: [
      'const closingAt = new Date(proposal.proposedAt + 3 * 24 * 3600 * 1000)',
      "const result = metagov.startProcess('loomio.poll', {",
      "  title: 'Agree or disagree?',",
      "  options: ['agree', 'disagree'],",
      "  poll_type: 'proposal',",
      '  closing_at: closingAt.toISOString().slice(0, 10),',
      '})',
      "proposal.data.set('poll_url', result.poll_url)",
    ].join('\n'),
    check: [
      'const result = metagov.getProcessOutcome()',
      'if (result === null) {',
      '  return PROPOSED',
      '}',
      'if (result.errors && Object.keys(result.errors).length > 0) {',
      '  return FAILED',
      '}',
      'const votes = result.outcome.votes ?? {}',
      'const agree = votes.agree ? votes.agree.count : 0',
      'const disagree = votes.disagree ? votes.disagree.count : 0',
      'return agree > disagree ? PASSED : FAILED',
    ].join('\n'),
  })

  it('starts a loomio.poll, stays pending while it runs, and decides on the callback when it closes', () =>
    withPolicy(pollPolicy, async () => {
      const proposal = await propose('loomio-decided')
      assert.equal(proposal.status, 'proposed', await logsOf(proposal.id))
      assert.match(JSON.stringify(proposal.data['poll_url']), /^"https:\/\/www\.loomio\.org\/p\//)
      const process = rig.driver.only('loomio.poll')
      assert.equal(process.callbackUrl, rig.urls.processCallback(communityId(), proposal.id))
      await rig.driver.loomioVote(process.id, 'ada', 'agree')
      await rig.driver.loomioVote(process.id, 'grace', 'agree')
      await rig.driver.loomioVote(process.id, 'linus', 'disagree')
      assert.equal((await proposalOf(proposal.actionId)).status, 'proposed')
      // A forged callback changes nothing.
      const forged = rig.urls.processCallback(communityId(), proposal.id).replace(/[^/]+$/, 'forged')
      process.status = 'completed'
      assert.equal(
        await postBare(forged, JSON.stringify({ id: process.id, name: process.name, status: 'completed' })),
        401,
      )
      process.status = 'pending'
      assert.equal((await proposalOf(proposal.actionId)).status, 'proposed')
      await rig.driver.closeLoomioPoll(process.id)
      const callback = rig.gateway.posts.filter((p) => p.kind === 'callback').at(-1)
      assert.equal(callback?.status, 200)
      // Decided by the time the gateway's callback was answered.
      assert.equal((await proposalOf(proposal.actionId)).status, 'passed')
      const documents = await rig.server.store.documents.list(communityId())
      assert.ok(documents.some((d) => d.name === 'loomio-decided'))
    }))

  it('uses randomness.random-int in check, and tells the author which plugin refused and why', () =>
    withPolicy(
      documentPolicy('Luck decides', {
        check: [
          'const parameters = { low: 0, high: 10 }',
          "const response = metagov.performAction('randomness.random-int', parameters)",
          'if (response && response.value > 5) {',
          '  return PASSED',
          '}',
          'return FAILED',
        ].join('\n'),
      }),
      async (policyId) => {
        rig.gateway.random = () => 0.95
        assert.equal((await propose('lucky')).status, 'passed')
        rig.gateway.random = () => 0.05
        assert.equal((await propose('unlucky')).status, 'failed')
        await rig.server.store.policies.update(
          communityId(),
          policyId,
          {
            blocks: {
              ...emptyBlocks(),
              check: "metagov.performAction('randomness.random-int', { low: 'zero' })\nreturn PASSED",
            },
          },
          rig.server.clock.now(),
        )
        const refused = await propose('bad-params')
        assert.match(
          await actionLogs(refused.actionId),
          /randomness\.random-int.*plugin randomness's schema: low: .*expected number/,
        )
        await rig.server.store.policies.update(
          communityId(),
          policyId,
          { blocks: { ...emptyBlocks(), check: "metagov.performAction('near.view', {})\nreturn PASSED" } },
          rig.server.clock.now(),
        )
        const notEnabled = await propose('not-enabled')
        assert.match(await actionLogs(notEnabled.actionId), /the plugin near is not enabled in this community/)
      },
    ))

  it('weights votes by SourceCred cred', () =>
    withPolicy(
      documentPolicy('Cred-weighted vote', {
        check: [
          'let yes = 0',
          'let no = 0',
          "for (const name of ['admin', 'carol']) {",
          "  const cred = metagov.performAction('sourcecred.user-cred', { username: name }).value",
          '  yes += proposal.getYesVotes([name]).length * cred',
          '  no += proposal.getNoVotes([name]).length * cred',
          '}',
          'if (proposal.getAllVotes().length < 2) {',
          '  return PROPOSED',
          '}',
          'return yes > no ? PASSED : FAILED',
        ].join('\n'),
      }),
      async () => {
        const carol = await rig.server.member('carol')
        rig.driver.setCred(sourcecredUrl, 'admin', 1.5)
        rig.driver.setCred(sourcecredUrl, 'carol', 12)
        const proposal = await propose('cred-weighted')
        assert.equal(proposal.status, 'proposed')
        await rig.server.engine.castVote(communityId(), proposal.id, rig.admin.memberId, {
          kind: 'boolean',
          value: true,
        })
        await rig.server.engine.castVote(communityId(), proposal.id, carol.memberId, { kind: 'boolean', value: false })
        // One member each way, but carol's cred outweighs.
        assert.equal((await proposalOf(proposal.actionId)).status, 'failed', await logsOf(proposal.id))
      },
    ))

  it('keeps a proposal pending while the gateway is down, and decides it (sweep) once it is back', () =>
    withPolicy(pollPolicy, async () => {
      const proposal = await propose('survives-an-outage')
      const process = rig.driver.only('loomio.poll')
      await rig.driver.loomioVote(process.id, 'ada', 'agree')
      rig.gateway.down = true
      await rig.server.engine.recheck(communityId(), proposal.id)
      assert.equal((await proposalOf(proposal.actionId)).status, 'proposed')
      assert.match(await logsOf(proposal.id), /cannot be reached/)
      // The poll closes while PolicyKit cannot hear of it: the callback is lost.
      rig.gateway.down = false
      process.callbackUrl = null
      await rig.driver.closeLoomioPoll(process.id)
      assert.equal((await proposalOf(proposal.actionId)).status, 'proposed')
      await rig.server.clock.advance(120_000)
      await rig.server.engine.sweep()
      assert.equal((await proposalOf(proposal.actionId)).status, 'passed')
    }))

  it('closes the process on the gateway when its proposal is decided otherwise', () =>
    withPolicy(
      documentPolicy('GitHub vote with a deadline', {
        notify: "metagov.startProcess('github.issue-react-vote', { repo_name: 'gardeners/site', question: 'Add it?' })",
        check: 'return proposal.getTimeElapsed() > 3600 * 1000 ? FAILED : PROPOSED',
      }),
      async () => {
        const proposal = await propose('deadline')
        const process = rig.driver.only('github.issue-react-vote')
        assert.equal(process.status, 'pending')
        await rig.driver.react(process.id, 'grace', '+1')
        await rig.server.clock.advance(2 * 3600 * 1000)
        await rig.server.engine.recheck(communityId(), proposal.id)
        assert.equal((await proposalOf(proposal.actionId)).status, 'failed')
        assert.equal(process.status, 'completed')
        assert.deepEqual(process.outcome['votes'], { yes: 1, no: 0 })
        assert.ok(
          rig.gateway.requests.some(
            (r) => r.method === 'DELETE' && r.path.endsWith(`/github.issue-react-vote/${process.id}`),
          ),
        )
      },
    ))
})
