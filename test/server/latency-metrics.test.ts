import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ProposalDetailJson, ProposeResultJson } from '../../src/server/presenters.ts'
import { startTestServer, type TestClient, type TestServer } from '../support/server-harness.ts'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/g

/** Parses Prometheus's text exposition format; fails on any line that is not in it. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) {
      continue
    }
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type?.[1] !== undefined && type[2] !== undefined) {
      types.set(type[1], type[2])
      continue
    }
    const match = sampleLine.exec(line)
    assert.ok(match?.[1] !== undefined && match[3] !== undefined, `not in the exposition format: ${line}`)
    const labels: Record<string, string> = {}
    const body = match[2] ?? ''
    let consumed = 0
    for (const pair of body.matchAll(labelPair)) {
      assert.equal(pair.index, consumed, `bad labels in: ${line}`)
      labels[pair[1] ?? ''] = pair[2] ?? ''
      consumed += pair[0].length
    }
    assert.equal(consumed, body.length, `bad labels in: ${line}`)
    // The format's floats include NaN and ±Inf, in any case (prom-client writes `Nan` for a gauge
    // with no sample yet, such as the event loop's lag right after start).
    const special: Record<string, number> = { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity }
    const value = special[match[3].toLowerCase()] ?? Number(match[3])
    assert.ok(!Number.isNaN(value) || match[3].toLowerCase() === 'nan', `not a number in: ${line}`)
    samples.push({ name: match[1], labels, value })
  }
  return { samples, types }
}

/** One histogram series (its buckets in order, sum and count), checked to be well-formed. */
function histogram(
  parsed: ReturnType<typeof parseExposition>,
  name: string,
  labels: Record<string, string> = {},
): { count: number; sum: number; buckets: [string, number][] } {
  assert.equal(parsed.types.get(name), 'histogram', `${name} is declared a histogram`)
  const matches = (s: Sample) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  const buckets = parsed.samples
    .filter((s) => s.name === `${name}_bucket` && matches(s))
    .map((s): [string, number] => [s.labels['le'] ?? '', s.value])
  const one = (suffix: string) => {
    const found = parsed.samples.filter((s) => s.name === `${name}_${suffix}` && matches(s))
    assert.equal(found.length, 1, `one ${name}_${suffix}`)
    return found[0]?.value ?? Number.NaN
  }
  const count = one('count')
  const sum = one('sum')
  assert.equal(buckets.at(-1)?.[0], '+Inf', 'the last bucket is +Inf')
  assert.equal(buckets.at(-1)?.[1], count, 'the +Inf bucket holds every observation')
  assert.equal(buckets[0]?.[0], '0.0005', 'the first bucket is 0.5 ms')
  assert.ok(
    buckets.some(([le]) => le === '10'),
    'the buckets reach 10 s',
  )
  const bound = (le: string | undefined) => (le === '+Inf' ? Infinity : Number(le))
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(bound(buckets[i]?.[0]) > bound(buckets[i - 1]?.[0]), 'bounds increase')
    assert.ok((buckets[i]?.[1] ?? 0) >= (buckets[i - 1]?.[1] ?? 0), 'buckets are cumulative')
  }
  assert.ok(sum >= 0 && (count > 0 || sum === 0))
  return { count, sum, buckets }
}

describe('/metrics: evaluation and vote-to-decision latency histograms', () => {
  let server: TestServer
  let bob: TestClient
  let cy: TestClient

  before(async () => {
    server = await startTestServer()
    await server.store.roles.create(server.communityId, { name: 'Voter', permissions: ['vote'] })
    bob = await server.member('bob')
    cy = await server.member('cy')
    await server.member('vera', { roles: ['Voter'] })
  })
  after(() => server.close())

  async function scrape() {
    const res = await server.app.inject({ url: '/metrics' })
    assert.equal(res.statusCode, 200)
    return parseExposition(res.body)
  }

  it('counts a first evaluation, the re-checks after votes, and the vote that decided', async () => {
    const before = await scrape()
    const first0 = histogram(before, 'policykit_evaluation_seconds', { kind: 'first' }).count
    const recheck0 = histogram(before, 'policykit_evaluation_seconds', { kind: 'recheck' }).count
    const decided0 = histogram(before, 'policykit_vote_to_decision_seconds').count

    const base = `/api/communities/${server.communityId}`
    const proposed = await bob.post<ProposeResultJson>(`${base}/actions`, {
      type: 'constitution.addDocument',
      params: { name: 'Charter', text: 'The Charter.' },
    })
    assert.equal(proposed.status, 201, proposed.text)
    assert.equal(proposed.json.status, 'proposed')
    const url = `${base}/proposals/${proposed.json.proposalId}/vote`

    const afterProposal = await scrape()
    const first = histogram(afterProposal, 'policykit_evaluation_seconds', { kind: 'first' })
    assert.equal(first.count, first0 + 1)
    assert.ok(first.sum > 0)
    assert.equal(histogram(afterProposal, 'policykit_vote_to_decision_seconds').count, decided0)

    // A majority of the four voters decides: the first two votes re-check without deciding.
    for (const client of [server.admin, bob]) {
      const res = await client.put<ProposalDetailJson>(url, { value: true })
      assert.equal(res.json.status, 'proposed', res.text)
    }
    const undecided = await scrape()
    assert.equal(histogram(undecided, 'policykit_evaluation_seconds', { kind: 'recheck' }).count, recheck0 + 2)
    assert.equal(histogram(undecided, 'policykit_vote_to_decision_seconds').count, decided0)

    const deciding = await cy.put<ProposalDetailJson>(url, { value: true })
    assert.equal(deciding.json.status, 'passed', deciding.text)
    const decided = await scrape()
    assert.equal(histogram(decided, 'policykit_evaluation_seconds', { kind: 'recheck' }).count, recheck0 + 3)
    const voteToDecision = histogram(decided, 'policykit_vote_to_decision_seconds')
    assert.equal(voteToDecision.count, decided0 + 1)
    assert.ok(voteToDecision.sum > 0)
    // The rest of the page still parses: the histograms sit beside prom-client's own metrics.
    assert.ok(decided.samples.some((s) => s.name === 'process_cpu_user_seconds_total'))
    assert.ok(decided.samples.some((s) => s.name === 'policykit_proposals' && s.labels['status'] === 'passed'))
  })
})
