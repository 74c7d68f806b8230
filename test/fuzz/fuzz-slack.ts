import { readdir, readFile } from 'node:fs/promises'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { Dialect } from '../../src/store/store.ts'
import { signSlackRequest } from '../fakes/slack/signing.ts'
import { startRig, type Rig } from '../platforms/slack/events-rig.ts'
import type { FuzzReport } from './fuzz-routes.ts'
import { hostileStrings, hostileValue } from './hostile-values.ts'
import { storeSnapshotter } from './store-snapshot.ts'

const samplesDir = new URL('../fixtures/slack/samples/', import.meta.url)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

async function readSamples(folder: string): Promise<Json[]> {
  const dir = new URL(`${folder}/`, samplesDir)
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(new URL(f, dir), 'utf8')) as Json))
}

/** Every path to a value inside `value`, the root included. */
function pathsOf(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const paths = [at]
  if (Array.isArray(value)) {
    value.forEach((item, i) => paths.push(...pathsOf(item, [...at, i])))
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      paths.push(...pathsOf(item, [...at, key]))
    }
  }
  return paths
}

/** `value` with the thing at `path` replaced. */
function replaced(value: Json, path: (string | number)[], by: unknown): unknown {
  const [head, ...rest] = path
  if (head === undefined) {
    return by
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => (i === head ? replaced(item, rest, by) : item))
  }
  if (typeof value === 'object' && value !== null) {
    return { ...value, [head]: replaced(value[head] ?? null, rest, by) }
  }
  return value
}

/** A sample filled in with the rig's team, app, channel and people, as Slack would send it. */
function filledIn(rig: Rig, sample: Json, eventId: string): Json {
  const team = rig.fake.workspace.team.id
  const text = JSON.stringify(sample)
    .replaceAll('"team_id":""', `"team_id":"${team}"`)
    .replaceAll('"api_app_id":""', `"api_app_id":"${rig.fake.workspace.appId}"`)
    .replaceAll('"event_id":""', `"event_id":"${eventId}"`)
    .replaceAll('"channel":""', `"channel":"${rig.channel.id}"`)
    .replaceAll('"channel_id":""', `"channel_id":"${rig.channel.id}"`)
    .replaceAll('"user":""', `"user":"${rig.ada.id}"`)
    .replaceAll('"ts":""', `"ts":"1767225600.000100"`)
  const filled = JSON.parse(text) as Json
  if (typeof filled !== 'object' || filled === null || Array.isArray(filled)) {
    return filled
  }
  // The samples leave the envelope's type empty; an interaction names its team and user.
  return 'event' in filled
    ? { ...filled, type: 'event_callback' }
    : { ...filled, team: { id: team, domain: 'fuzz' }, user: { id: rig.ada.id, team_id: team } }
}

interface SlackRequest {
  url: '/platforms/slack/events' | '/platforms/slack/interactivity'
  body: string
  signature: 'good' | 'forged' | 'stale' | 'none'
  contentType: string
}

/**
 * Sends Slack's own payloads (the recorded samples), each with one to three values replaced by
 * hostile ones (NUL, numbers past int4, wrong types, deep nesting), and raw hostile bodies, to
 * the Events API and interactivity endpoints, mostly correctly signed; the same checks as
 * `fuzzRoutes`: no 5xx, no hang, a refused request writes nothing.
 */
export async function fuzzSlackWebhooks(options: {
  dialect: Dialect
  runs: number
  seed?: number
  timeoutMs?: number
}): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31
  const timeoutMs = options.timeoutMs ?? 10_000
  const [events, interactions] = await Promise.all([readSamples('events'), readSamples('interactivity')])
  const rig = await startRig(options.dialect)
  const report: FuzzReport = {
    dialect: options.dialect,
    seed,
    routes: 2,
    requests: 0,
    refused: 0,
    byStatus: {},
    byRoute: {},
    byCaller: { admin: 0, member: 0, anonymous: 0 },
    target: 'Slack webhooks',
    failures: [],
  }
  try {
    const snapshot = await storeSnapshotter(rig.store)
    let current = await snapshot()
    const context = { strings: [rig.ada.id, rig.bob.id, rig.channel.id, ...hostileStrings], ids: [1, 2] }
    const mutated = (samples: Json[]) =>
      fc
        .tuple(fc.constantFrom(...samples), fc.integer({ min: 1, max: 1e9 }))
        .map(([sample, n]) => filledIn(rig, sample, `Ev0FUZZ${n}`))
        .chain((sample) =>
          fc
            .array(fc.tuple(fc.constantFrom(...pathsOf(sample)), hostileValue(context)), { minLength: 0, maxLength: 3 })
            .map((changes) =>
              changes.reduce<unknown>((value, [path, by]) => replaced(value as Json, path, by), sample),
            ),
        )
        .map((value) => JSON.stringify(value))
    const deep = fc
      .integer({ min: 60, max: 100_000 })
      .map((depth) => `{"type":"event_callback","event":${'['.repeat(depth)}${']'.repeat(depth)}}`)
    const raw = fc.oneof(deep, fc.constantFrom('', '{', 'null', '[]', '"x"', '{"type":"url_verification"}', '\u0000'))
    const signature = fc.oneof(
      { weight: 12, arbitrary: fc.constant('good' as const) },
      { weight: 1, arbitrary: fc.constantFrom('forged' as const, 'stale' as const, 'none' as const) },
    )
    const request: fc.Arbitrary<SlackRequest> = fc.oneof(
      fc.record({
        url: fc.constant('/platforms/slack/events' as const),
        body: fc.oneof({ weight: 8, arbitrary: mutated(events) }, { weight: 2, arbitrary: raw }),
        signature,
        contentType: fc.constant('application/json'),
      }),
      fc.record({
        url: fc.constant('/platforms/slack/interactivity' as const),
        body: fc
          .oneof({ weight: 8, arbitrary: mutated(interactions) }, { weight: 2, arbitrary: raw })
          .map((json) => `payload=${encodeURIComponent(json.toWellFormed())}`),
        signature,
        contentType: fc.constant('application/x-www-form-urlencoded'),
      }),
    )

    const send = async (r: SlackRequest): Promise<void> => {
      const now = Math.floor(rig.clock.now() / 1000)
      const timestamp = r.signature === 'stale' ? now - 600 : now
      const secret = r.signature === 'forged' ? 'not-the-secret' : rig.fake.signingSecret
      let timer: NodeJS.Timeout | undefined
      const what = JSON.stringify({ ...r, body: r.body.slice(0, 400) })
      const response = await Promise.race([
        rig.app.inject({
          method: 'POST',
          url: r.url,
          headers: {
            'content-type': r.contentType,
            'x-slack-request-timestamp': String(timestamp),
            ...(r.signature !== 'none' && { 'x-slack-signature': signSlackRequest(secret, timestamp, r.body) }),
          },
          payload: r.body,
        }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms: ${what}`)), timeoutMs)
        }),
      ]).finally(() => clearTimeout(timer))
      report.requests += 1
      report.byCaller.anonymous += 1
      report.byStatus[response.statusCode] = (report.byStatus[response.statusCode] ?? 0) + 1
      const route = (report.byRoute[`POST ${r.url}`] ??= {})
      route[response.statusCode] = (route[response.statusCode] ?? 0) + 1
      if (response.statusCode >= 500) {
        throw new Error(`${response.statusCode} ${response.body.slice(0, 300)} for ${what}`)
      }
      const after = await snapshot()
      if (response.statusCode >= 400) {
        report.refused += 1
        if (!isDeepStrictEqual(after, current)) {
          current = after
          throw new Error(`refused with ${response.statusCode} yet wrote to the store, for ${what}`)
        }
      }
      current = after
    }

    try {
      await fc.assert(fc.asyncProperty(request, send), {
        numRuns: options.runs,
        seed,
        endOnFailure: true,
        includeErrorInReport: true,
      })
    } catch (e) {
      report.failures.push(`Slack webhooks: ${e instanceof Error ? e.message.slice(0, 2000) : String(e)}`)
    }
    return report
  } finally {
    await rig.close()
  }
}
