import { randomUUID } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenLocally } from '../../support/listen-locally.ts'
import { validateSchema } from '../slack/json-schema.ts'
import { pluginSpecs, pythonJson, type PluginSpec } from './plugins.ts'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

export interface PluginInstance {
  id: number
  name: string
  config: JsonObject
  community: string
}

export interface GatewayCommunity {
  slug: string
  readable_name: string
}

/** A governance process, as the gateway stores it. */
export interface GatewayProcess {
  id: number
  name: string
  community: string
  pluginId: number
  status: 'created' | 'pending' | 'completed'
  url: string | null
  errors: JsonObject
  outcome: JsonObject
  callbackUrl: string | null
  params: JsonObject
  /** When it was started (fake clock ms), for delayed processes. */
  startedAt: number
  /** Private state of the plugin (votes by user…). */
  state: JsonObject
}

/** What PolicyKit asked of the gateway, for assertions. */
export interface GatewayRequest {
  method: string
  path: string
  community: string | undefined
  body: string
  status: number
}

/** What the gateway posted to the driver (events and process callbacks), and how PolicyKit answered. */
export interface DriverPost {
  kind: 'event' | 'callback'
  url: string
  body: string
  status: number
}

class GatewayError extends Error {
  readonly status: number
  readonly json: boolean
  constructor(status: number, message: string, json = false) {
    super(message)
    this.status = status
    this.json = json
  }
}

/** The running gateway's answers to a failure: a plain-text 400, or DRF's 500. */
const badRequest = (message: string) => new GatewayError(400, message)
const serverError = () => new GatewayError(500, 'A server error occurred.', true)

export interface FakeGateway {
  url: string
  /** `DRIVER_EVENT_RECEIVER_URL`: where events are posted (unset: none are). */
  driverEventReceiverUrl: string | null
  /** Down: every connection is dropped (as when the gateway is not running). */
  down: boolean
  /** The randomness plugin's source (0 ≤ x < 1). */
  random: () => number
  now: () => number
  communities: Map<string, GatewayCommunity>
  plugins: Map<number, PluginInstance>
  processes: Map<number, GatewayProcess>
  requests: GatewayRequest[]
  posts: DriverPost[]
  /** SourceCred's accounts, by server URL: username → cred. */
  cred: Map<string, Map<string, number>>
  /** Open Collective expenses and comments the plugins made. */
  expenses: Map<
    number,
    { id: number; description: string; amount: number; status: string; by: string; collective: string }
  >
  comments: { expenseId: string | null; raw: string }[]
  /** Sends an event of `community`'s plugin to the driver, as `send_event_to_driver` does. */
  sendEvent(
    community: string,
    source: string,
    eventType: string,
    data: Json,
    initiator: { user_id: string | number; user_name?: string; provider: string; is_metagov_bot?: boolean },
  ): Promise<number>
  /** Saves a process's change and posts it to its callback URL (when its outcome or status changed). */
  updateProcess(
    process: GatewayProcess,
    change: Partial<Pick<GatewayProcess, 'status' | 'outcome' | 'errors'>>,
  ): Promise<void>
  /** Resolves once every post the gateway started on its own (events after an action) was answered. */
  settle(): Promise<void>
  /** The periodic task (`execute_plugin_tasks`): advances pending processes (delayed votes). */
  runTasks(): Promise<void>
  close(): Promise<void>
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** POSTs `body` as the gateway does: events as a bare string (no content type), callbacks as JSON. */
function post(url: string, body: string, contentType: string | null): Promise<number> {
  return new Promise((resolve) => {
    const target = new URL(url)
    const req = httpRequest(
      {
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        headers: {
          'content-length': Buffer.byteLength(body),
          'user-agent': 'python-requests/2.31.0',
          ...(contentType === null ? {} : { 'content-type': contentType }),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    // Non-2xx and failures are only logged by the gateway.
    req.on('error', () => resolve(0))
    req.end(body)
  })
}

/** A parameter as text (the schemas make them strings or numbers). */
function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value ?? '')
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A process's record as the gateway serializes it. */
export function processJson(p: GatewayProcess): JsonObject {
  return {
    id: p.id,
    name: p.name,
    community: p.community,
    status: p.status,
    url: p.url,
    errors: p.errors,
    outcome: p.outcome,
  }
}

/**
 * A fake Metagov gateway: a real HTTP server for the endpoints PolicyKit uses, answering as the
 * running gateway does (201/200/204/202 + `Location`, plain-text 400s, DRF 500s, the community
 * header), validating plugin configs and action and process parameters against the plugins'
 * published schemas, with working `randomness`, `loomio`, `opencollective`, `sourcecred` and
 * `github` plugins. It posts events and process callbacks as the gateway does; `driver.ts`
 * makes simulated people act on those tools.
 */
export async function startFakeGateway(options: { now: () => number }): Promise<FakeGateway> {
  const specs = pluginSpecs()
  let nextPluginId = 1
  let nextProcessId = 1
  const inflight = new Set<Promise<unknown>>()
  const gateway: FakeGateway = {
    url: '',
    driverEventReceiverUrl: null,
    down: false,
    random: Math.random,
    now: options.now,
    communities: new Map(),
    plugins: new Map(),
    processes: new Map(),
    requests: [],
    posts: [],
    cred: new Map(),
    expenses: new Map(),
    comments: [],
    async sendEvent(community, source, eventType, data, initiator) {
      if (gateway.driverEventReceiverUrl === null) {
        return 0
      }
      const body = pythonJson({
        community,
        source,
        event_type: eventType,
        timestamp: String(Math.floor(gateway.now() / 1000)),
        data,
        initiator,
      })
      const status = await post(gateway.driverEventReceiverUrl, body, null)
      gateway.posts.push({ kind: 'event', url: gateway.driverEventReceiverUrl, body, status })
      return status
    },
    async updateProcess(process, change) {
      const before = pythonJson(processJson(process))
      Object.assign(process, change)
      if (pythonJson(processJson(process)) !== before && process.callbackUrl !== null) {
        const body = pythonJson(processJson(process))
        const status = await post(process.callbackUrl, body, 'application/json')
        gateway.posts.push({ kind: 'callback', url: process.callbackUrl, body, status })
      }
    },
    async settle() {
      await Promise.all([...inflight])
    },
    async runTasks() {
      for (const process of [...gateway.processes.values()]) {
        if (process.status === 'pending' && process.name === 'randomness.delayed-stochastic-vote') {
          const delayMs = Number(process.params['delay']) * 60_000
          if (gateway.now() - process.startedAt >= delayMs) {
            const options = process.params['options'] as string[]
            const winner = options[Math.floor(gateway.random() * options.length)] ?? null
            await gateway.updateProcess(process, { status: 'completed', outcome: { winner } })
          }
        }
      }
    },
    close: async () => {},
  }

  const communityOf = (request: IncomingMessage): GatewayCommunity => {
    const slug = request.headers['x-metagov-community']
    const community = typeof slug === 'string' ? gateway.communities.get(slug) : undefined
    if (!community) {
      throw badRequest(
        typeof slug === 'string'
          ? `Community matching query does not exist.`
          : 'Missing required header: X-Metagov-Community',
      )
    }
    return community
  }

  const instancesOf = (community: string, name: string) =>
    [...gateway.plugins.values()].filter((p) => p.community === community && p.name === name)

  /** The one enabled instance of `plugin` (the gateway's `get_plugin_instance`). */
  const instanceOf = (community: string, plugin: string): PluginInstance => {
    const found = instancesOf(community, plugin)
    if (found.length === 0) {
      throw badRequest(`Plugin '${plugin}' not enabled for community '${community}'`)
    }
    if (found.length > 1) {
      throw badRequest(`Plugin '${plugin}' has multiple instances for community '${community}'`)
    }
    return found[0] as PluginInstance
  }

  const deleteInstance = (instance: PluginInstance) => {
    gateway.plugins.delete(instance.id)
    // Processes go with their plugin (foreign-key cascade).
    for (const [id, p] of gateway.processes) {
      if (p.pluginId === instance.id) {
        gateway.processes.delete(id)
      }
    }
  }

  const enable = (
    community: string,
    spec: PluginSpec,
    config: JsonObject,
  ): { instance: PluginInstance; created: boolean } => {
    if (spec.schemas.config && validateSchema(config, spec.schemas.config).length > 0) {
      // The running gateway does not map a config's schema error: a 500.
      throw serverError()
    }
    const key = spec['x-community_platform_id_key']
    const existing = instancesOf(community, spec.name).find((p) => key === null || p.config[key] === config[key])
    if (existing && pythonJson(existing.config) === pythonJson(config)) {
      return { instance: existing, created: false }
    }
    if (existing) {
      deleteInstance(existing)
    }
    const instance = { id: nextPluginId++, name: spec.name, config, community }
    gateway.plugins.set(instance.id, instance)
    return { instance, created: true }
  }

  const pluginJson = (p: PluginInstance, spec: PluginSpec | undefined): JsonObject => ({
    id: p.id,
    name: p.name,
    config: p.config,
    community: p.community,
    auth_type: spec?.auth_type ?? 'none',
  })

  const communityJson = (c: GatewayCommunity): JsonObject => ({
    slug: c.slug,
    readable_name: c.readable_name,
    plugins: [...gateway.plugins.values()]
      .filter((p) => p.community === c.slug)
      .map((p) => pluginJson(p, specs[p.name])),
  })

  const parseJson = (body: string): unknown => {
    try {
      return body === '' ? {} : JSON.parse(body)
    } catch {
      throw badRequest('JSON parse error')
    }
  }

  const actions: Record<string, (instance: PluginInstance, params: JsonObject) => Json | undefined> = {
    'randomness.random-int': (instance, params) => {
      const low = Number(params['low'] ?? instance.config['default_low'])
      const high = Number(params['high'] ?? instance.config['default_high'])
      return { value: low + Math.floor(gateway.random() * (high - low + 1)) }
    },
    'randomness.set-lucky-number': (_i, params) => ({ lucky_number: params['lucky_number'] ?? null }),
    'sourcecred.user-cred': (instance, params) => {
      const accounts = gateway.cred.get(text(instance.config['server_url'])) ?? new Map<string, number>()
      const who = text(params['username'] ?? params['id'] ?? '')
      return { value: accounts.get(who) ?? 0 }
    },
    'sourcecred.total-cred': (instance) => {
      const accounts = gateway.cred.get(text(instance.config['server_url'])) ?? new Map<string, number>()
      return { value: [...accounts.values()].reduce((a, b) => a + b, 0) }
    },
    'opencollective.create-comment': (_i, params) => {
      const expenseId = params['expense_id'] === undefined ? null : text(params['expense_id'])
      gateway.comments.push({ expenseId, raw: text(params['raw']) })
      return { id: `comment-${gateway.comments.length}` }
    },
    'opencollective.process-expense': (instance, params) => {
      const expense = gateway.expenses.get(Number(params['expense_id']))
      const verb = text(params['action'])
      if (!expense || !['APPROVE', 'UNAPPROVE', 'REJECT'].includes(verb)) {
        throw badRequest(`Could not process expense ${text(params['expense_id'])} (${verb})`)
      }
      expense.status = verb === 'APPROVE' ? 'APPROVED' : verb === 'REJECT' ? 'REJECTED' : 'PENDING'
      // Open Collective's webhook tells the gateway, which sends the event as the bot's.
      const eventType =
        verb === 'APPROVE' ? 'expense_approved' : verb === 'REJECT' ? 'expense_rejected' : 'expense_unapproved'
      const sent = gateway.sendEvent(
        instance.community,
        'opencollective',
        eventType,
        { ...expense },
        {
          user_id: 'governance-bot',
          provider: 'opencollective',
          is_metagov_bot: true,
        },
      )
      inflight.add(sent)
      void sent.finally(() => inflight.delete(sent))
      return { status: expense.status }
    },
  }

  const startProcess = (process: GatewayProcess): void => {
    if (process.name === 'loomio.poll') {
      process.url = `https://www.loomio.org/p/${randomUUID().slice(0, 8)}`
      process.state = { stances: {} }
    }
    if (process.name === 'github.issue-react-vote') {
      const issue = 1 + [...gateway.processes.values()].filter((p) => p.name === process.name).length
      process.url = `https://github.com/${text(process.params['repo_name'])}/issues/${issue}`
      process.outcome = { issue_number: issue, votes: { yes: 0, no: 0 } }
      process.state = { reactions: {} }
    }
  }

  const closeProcess = async (process: GatewayProcess): Promise<void> => {
    if (
      process.name === 'loomio.poll' ||
      process.name === 'github.issue-react-vote' ||
      process.name === 'randomness.delayed-stochastic-vote'
    ) {
      const outcome =
        process.name === 'github.issue-react-vote'
          ? { ...process.outcome, result: resultOf(process.outcome) }
          : process.outcome
      await gateway.updateProcess(process, { status: 'completed', outcome })
      return
    }
    throw new GatewayError(500, 'close() is not implemented for this process', true)
  }

  function resultOf(outcome: JsonObject): string {
    const votes = isObject(outcome['votes']) ? outcome['votes'] : {}
    const yes = Number(votes['yes'] ?? 0)
    const no = Number(votes['no'] ?? 0)
    return yes > no ? 'pass' : yes < no ? 'fail' : 'tie'
  }

  async function route(
    request: IncomingMessage,
    body: string,
  ): Promise<{ status: number; json?: Json; headers?: Record<string, string> }> {
    const url = new URL(request.url ?? '/', 'http://gateway')
    const path = url.pathname
    const method = request.method ?? 'GET'
    let m: RegExpMatchArray | null

    if (path === '/api/internal/community' && method === 'POST') {
      const input = parseJson(body)
      if (!isObject(input) || typeof input['readable_name'] !== 'string') {
        throw new GatewayError(400, '{"readable_name": ["This field is required."]}')
      }
      const slug = typeof input['slug'] === 'string' ? input['slug'] : randomUUID()
      if (gateway.communities.has(slug)) {
        throw new GatewayError(400, '{"slug": ["community with this slug already exists."]}')
      }
      const community = { slug, readable_name: input['readable_name'] }
      gateway.communities.set(slug, community)
      for (const p of Array.isArray(input['plugins']) ? input['plugins'] : []) {
        const spec = isObject(p) && typeof p['name'] === 'string' ? specs[p['name']] : undefined
        if (!spec || !isObject(p)) {
          throw serverError()
        }
        enable(slug, spec, isObject(p['config']) ? p['config'] : {})
      }
      return { status: 201, json: communityJson(community) }
    }
    if ((m = path.match(/^\/api\/internal\/community\/([^/]+)$/))) {
      const community = gateway.communities.get(decodeURIComponent(m[1] ?? ''))
      if (!community) {
        return { status: 404 }
      }
      if (method === 'GET') {
        return { status: 200, json: communityJson(community) }
      }
      if (method === 'DELETE') {
        for (const p of [...gateway.plugins.values()].filter((i) => i.community === community.slug)) {
          deleteInstance(p)
        }
        gateway.communities.delete(community.slug)
        return { status: 204 }
      }
    }
    if (path === '/api/internal/plugin-schemas' && method === 'GET') {
      return {
        status: 200,
        json: Object.fromEntries(Object.values(specs).map((s) => [s.name, (s.schemas.config ?? {}) as Json])),
      }
    }
    if ((m = path.match(/^\/api\/internal\/plugin\/([a-z]+)\/metadata$/)) && method === 'GET') {
      const spec = specs[m[1] ?? '']
      if (!spec) {
        return { status: 404 }
      }
      return {
        status: 200,
        json: {
          name: spec.name,
          auth_type: spec.auth_type,
          uses_webhook: spec.uses_webhook,
          schemas: spec.schemas as unknown as Json,
        },
      }
    }
    if ((m = path.match(/^\/api\/internal\/plugin\/([a-z]+)$/)) && method === 'POST') {
      const community = communityOf(request)
      const spec = specs[m[1] ?? '']
      if (!spec) {
        throw badRequest(`No such plugin: ${m[1] ?? ''}`)
      }
      const config = parseJson(body)
      const { instance, created } = enable(community.slug, spec, isObject(config) ? config : {})
      return { status: created ? 201 : 200, json: pluginJson(instance, spec) }
    }
    if ((m = path.match(/^\/api\/internal\/plugin\/([a-z]+)\/(\d+)$/)) && method === 'DELETE') {
      const instance = gateway.plugins.get(Number(m[2]))
      if (!instance || instance.name !== m[1]) {
        return { status: 404 }
      }
      deleteInstance(instance)
      return { status: 204 }
    }
    if ((m = path.match(/^\/api\/internal\/action\/([a-z]+)\.([a-z-]+)$/)) && method === 'POST') {
      const community = communityOf(request)
      const id = `${m[1] ?? ''}.${m[2] ?? ''}`
      const instance = instanceOf(community.slug, m[1] ?? '')
      const action = specs[instance.name]?.schemas.actions.find((a) => a.id === id)
      if (!action) {
        throw badRequest(`No such action: ${id}`)
      }
      const input = parseJson(body)
      const params = isObject(input) && isObject(input['parameters']) ? input['parameters'] : {}
      const problems = action.parameters_schema ? validateSchema(params, action.parameters_schema) : []
      if (problems.length > 0) {
        throw badRequest(problems.join('; '))
      }
      const run = actions[id]
      const result = run ? run(instance, params) : undefined
      return result === undefined ? { status: 200 } : { status: 200, json: result }
    }
    if ((m = path.match(/^\/api\/internal\/process\/([a-z]+)\.([a-z-]+)$/)) && method === 'POST') {
      const community = communityOf(request)
      const id = `${m[1] ?? ''}.${m[2] ?? ''}`
      // A plugin not enabled or parameters off the schema: 500 on the running gateway (unmapped errors).
      const instance = instancesOf(community.slug, m[1] ?? '')[0]
      const spec = specs[m[1] ?? '']?.schemas.processes.find((p) => p.id === id)
      const input = parseJson(body)
      if (!instance || !spec || !isObject(input)) {
        throw serverError()
      }
      const { callback_url: callbackUrl, ...params } = input
      if (spec.parameters_schema && validateSchema(params, spec.parameters_schema).length > 0) {
        throw serverError()
      }
      const process: GatewayProcess = {
        id: nextProcessId++,
        name: id,
        community: community.slug,
        pluginId: instance.id,
        status: 'pending',
        url: null,
        errors: {},
        outcome: {},
        callbackUrl: typeof callbackUrl === 'string' ? callbackUrl : null,
        params,
        startedAt: gateway.now(),
        state: {},
      }
      startProcess(process)
      gateway.processes.set(process.id, process)
      return {
        status: 202,
        headers: { location: `/api/internal/process/${id}/${process.id}`, 'content-type': 'text/html; charset=utf-8' },
      }
    }
    if ((m = path.match(/^\/api\/internal\/process\/([a-z]+\.[a-z-]+)\/(\d+)$/))) {
      const process = gateway.processes.get(Number(m[2]))
      if (!process || process.name !== m[1]) {
        return { status: 404 }
      }
      if (method === 'GET') {
        return { status: 200, json: processJson(process) }
      }
      if (method === 'DELETE') {
        if (process.status === 'completed') {
          throw badRequest('Process has already completed')
        }
        await closeProcess(process)
        return { status: 200, json: processJson(process) }
      }
    }
    return { status: 404 }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (gateway.down) {
      request.socket.destroy()
      return
    }
    void (async () => {
      const body = await readBody(request)
      const record: GatewayRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        community:
          typeof request.headers['x-metagov-community'] === 'string'
            ? request.headers['x-metagov-community']
            : undefined,
        body,
        status: 0,
      }
      gateway.requests.push(record)
      try {
        const answer = await route(request, body)
        record.status = answer.status
        if (answer.json === undefined) {
          response.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', ...answer.headers })
          response.end()
          return
        }
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        response.end(pythonJson(answer.json))
      } catch (e) {
        const error = e instanceof GatewayError ? e : serverError()
        record.status = error.status
        if (error.json) {
          response.writeHead(error.status, { 'content-type': 'application/json' })
          response.end(pythonJson({ detail: error.message }))
        } else {
          response.writeHead(error.status, { 'content-type': 'text/html; charset=utf-8' })
          response.end(error.message)
        }
      }
    })()
  })
  const local = await listenLocally(server, 'fake Metagov gateway')
  gateway.url = local.url
  gateway.close = local.close
  return gateway
}
