import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { ApiTokenJson, InviteJson, ProposeResultJson } from '../../src/server/presenters.ts'
import type { Dialect } from '../../src/store/store.ts'
import { startTestServer, testPassword, type TestClient, type TestServer } from '../support/server-harness.ts'
import { requestsFor, type CallerName, type FuzzContext, type FuzzRequest } from './fuzz-requests.ts'
import { operationsOf, type JsonSchema, type OpenApiDocument, type Operation } from './openapi-operations.ts'
import { storeSnapshotter } from './store-snapshot.ts'

export interface FuzzOptions {
  dialect: Dialect
  /** Requests per operation of the OpenAPI document, or in all (spread evenly over them). */
  runs: { perRoute: number } | { total: number }
  seed?: number
  /** A request not answered within this is a hang. */
  timeoutMs?: number
}

export interface FuzzReport {
  dialect: Dialect
  seed: number
  routes: number
  requests: number
  /** Answered 4xx: refused, and checked to have changed nothing. */
  refused: number
  byStatus: Record<string, number>
  /** Statuses by route (`POST /api/session`): which routes the requests got past validation on. */
  byRoute: Record<string, Record<string, number>>
  /** Requests by who sent them; what Slack signs counts as anonymous. */
  byCaller: Record<CallerName, number>
  /** What was fuzzed: `API routes`, `Slack webhooks`. */
  target: string
  /** One line per broken promise: a 5xx, a hang, a refused request that wrote something. */
  failures: string[]
}

/** The rows that differ between two snapshots, briefly. */
function snapshotDiff(before: Record<string, string[]>, after: Record<string, string[]>): string {
  const changes: string[] = []
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[table] ?? [])
    const now = new Set(after[table] ?? [])
    const added = [...now].filter((r) => !was.has(r))
    const removed = [...was].filter((r) => !now.has(r))
    if (added.length > 0 || removed.length > 0) {
      changes.push(`${table}: +${added.slice(0, 2).join(' +')} -${removed.slice(0, 2).join(' -')}`)
    }
  }
  return changes.join('; ').slice(0, 1500)
}

function describeRequest(request: FuzzRequest): string {
  const { payload, ...rest } = request
  return JSON.stringify({ ...rest, payload: payload?.slice(0, 300) })
}

/** What the community under test holds, as the generators aim at it. */
async function fuzzContext(s: TestServer, member: TestClient): Promise<FuzzContext> {
  const base = `/api/communities/${s.communityId}`
  // Something in every table a route reads: a pending proposal, a document, a token, an invite.
  const proposed = await member.post<ProposeResultJson>(`${base}/actions`, {
    type: 'constitution.addDocument',
    params: { name: 'Charter', text: 'We garden together.' },
  })
  if (proposed.status !== 201) {
    throw new Error(`seeding a proposal failed: ${proposed.status} ${proposed.text}`)
  }
  const token = await s.admin.post<ApiTokenJson>(`${base}/tokens`, { name: 'fuzz' })
  const invite = await s.admin.post<InviteJson>(`${base}/invites`, {})
  const document = await s.store.documents.create(s.communityId, {
    name: 'Rules',
    text: 'Be kind.',
    now: s.clock.now(),
  })
  const policies = await s.store.policies.list(s.communityId)
  const proposals = await s.store.proposals.list(s.communityId, { limit: 100 })
  const roles = await s.store.roles.list(s.communityId)
  const members = await s.store.members.list(s.communityId)
  const types = await s.admin.get<{ type: string; paramsSchema: JsonSchema }[]>(`${base}/action-types`)
  const firstPolicy = policies[0]
  const exported =
    firstPolicy && (await s.admin.get<Record<string, unknown>>(`${base}/policies/${firstPolicy.id}/export`)).json
  const idsByParam = {
    proposalId: proposals.map((p) => p.id),
    policyId: policies.map((p) => p.id),
    documentId: [document.id],
    tokenId: token.json.id === undefined ? [] : [token.json.id],
  }
  const inviteToken = invite.json.url?.split('/').pop()
  return {
    communityId: s.communityId,
    idsByParam,
    stringsByParam: { token: inviteToken === undefined ? [] : [inviteToken] },
    ids: [...Object.values(idsByParam).flat(), ...roles.map((r) => r.id), ...members.map((m) => m.id), s.communityId],
    strings: [
      ...members.map((m) => m.username),
      ...roles.map((r) => r.name),
      ...types.json.map((t) => t.type),
      testPassword,
      'return PASSED',
      `return ${'('.repeat(5000)}1`,
      '}); process.exit(1); ({',
    ],
    actionTypes: types.json.map((t) => ({ type: t.type, paramsSchema: t.paramsSchema })),
    policyDocument: exported ?? {},
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

/**
 * Sends malformed requests to every operation of the server's OpenAPI document, signed in (a
 * session cookie with its CSRF token, as the dashboard sends them) and anonymously, and checks
 * each answer: never a 5xx, never a hang, and a refused request (4xx) leaves every table as it was.
 */
export async function fuzzRoutes(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31
  const timeoutMs = options.timeoutMs ?? 10_000
  const s = await startTestServer({ dialect: options.dialect })
  try {
    const member = await s.member('fuzzer')
    const context = await fuzzContext(s, member)
    const doc = (await s.app.inject({ url: '/api/openapi.json' })).json<OpenApiDocument>()
    const operations = operationsOf(doc)
    const perRoute =
      'perRoute' in options.runs ? options.runs.perRoute : Math.ceil(options.runs.total / operations.length)
    const clients: Record<Exclude<CallerName, 'anonymous'>, TestClient> = { admin: s.admin, member }
    const report: FuzzReport = {
      dialect: options.dialect,
      seed,
      routes: operations.length,
      requests: 0,
      refused: 0,
      byStatus: {},
      byRoute: {},
      byCaller: { admin: 0, member: 0, anonymous: 0 },
      target: 'API routes',
      failures: [],
    }
    const snapshotStore = await storeSnapshotter(s.store)
    let current = await snapshotStore()

    const send = async (op: Operation, request: FuzzRequest): Promise<void> => {
      const client = request.caller === 'anonymous' ? undefined : clients[request.caller]
      const response = await withTimeout(
        s.app.inject({
          method: request.method,
          url: request.url,
          remoteAddress: request.remoteAddress,
          headers: {
            ...(client && { cookie: `pk_session=${client.session.cookie}`, 'x-csrf-token': client.session.csrfToken }),
            ...request.headers,
          },
          ...(request.payload !== undefined && { payload: request.payload }),
        }),
        timeoutMs,
        describeRequest(request),
      )
      report.requests += 1
      report.byCaller[request.caller] += 1
      report.byStatus[response.statusCode] = (report.byStatus[response.statusCode] ?? 0) + 1
      const route = (report.byRoute[describeOperation(op)] ??= {})
      route[response.statusCode] = (route[response.statusCode] ?? 0) + 1
      if (response.statusCode >= 500) {
        throw new Error(`${response.statusCode} ${response.body.slice(0, 300)} for ${describeRequest(request)}`)
      }
      const after = await snapshotStore()
      if (response.statusCode >= 400) {
        report.refused += 1
        if (!isDeepStrictEqual(after, current)) {
          const diff = snapshotDiff(current, after)
          current = after
          throw new Error(`refused with ${response.statusCode} yet wrote ${diff} for ${describeRequest(request)}`)
        }
      }
      current = after
    }

    for (const [index, op] of operations.entries()) {
      // Signing out would end the session every later signed-in request uses: anonymous only.
      const callers: CallerName[] =
        op.method === 'DELETE' && op.path === '/api/session' ? ['anonymous'] : ['admin', 'member', 'anonymous']
      try {
        await fc.assert(
          fc.asyncProperty(requestsFor(op, context, callers), (request) => send(op, request)),
          {
            numRuns: perRoute,
            seed: seed + index,
            // The server keeps state between runs, so a shrunk case would not reproduce: report the first.
            endOnFailure: true,
            includeErrorInReport: true,
          },
        )
      } catch (e) {
        report.failures.push(`${describeOperation(op)}: ${e instanceof Error ? e.message.slice(0, 2000) : String(e)}`)
      }
    }
    return report
  } finally {
    await s.close()
  }
}

function describeOperation(op: Operation): string {
  return `${op.method} ${op.path}`
}

/** The counts of a run, in one line. */
export function formatReport(report: FuzzReport, ms: number): string {
  const statuses = Object.entries(report.byStatus)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ')
  const { admin, member, anonymous } = report.byCaller
  const callers = admin + member > 0 ? `; signed in as admin ${admin}, as member ${member}, anonymous ${anonymous}` : ''
  return (
    `${report.dialect}, ${report.target}: ${report.requests} requests over ${report.routes} routes ` +
    `in ${(ms / 1000).toFixed(1)} s (seed ${report.seed}${callers}); ` +
    `${report.refused} refused, each leaving every table unchanged; statuses ${statuses}; ` +
    `${report.failures.length} failures`
  )
}
