import { eventEnvelope } from './events.ts'
import type { SlackEvent } from './events.ts'
import { signSlackRequest } from './signing.ts'
import type { Tokens } from './tokens.ts'
import type { Workspace } from './workspace.ts'

/** Our endpoint's answer to one delivery; status 0 when the fake did not send it (the reason is in `body`). */
export interface Delivery {
  status: number
  body: string
  eventId: string | null
}

export interface DeliveryRecord extends Delivery {
  kind: 'event' | 'interactivity' | 'url_verification'
  url: string | null
  /** The raw body sent, and the headers (lower-case names). */
  requestBody: string
  headers: Record<string, string>
  eventType: string | null
  /** Why it was not sent (app not installed, bot not in the channel, no endpoint), else null. */
  skipped: string | null
}

export interface Tamper {
  signature?: 'bad'
  stale?: true
  retryNum?: number
  retryReason?: string
}

export interface Deliverer {
  endpoints: { eventsUrl: string | null; interactivityUrl: string | null }
  log: DeliveryRecord[]
  tamperNext(how: Tamper): void
  /** Delivers the events in order, after whatever is already queued. */
  events(events: SlackEvent[]): Promise<Delivery[]>
  /** Queues the echo of an API call, sent once `responded` settles (the call's response has gone out). */
  echo(events: SlackEvent[], responded?: Promise<unknown>): void
  interaction(payload: Record<string, unknown>): Promise<Delivery>
  urlVerification(challenge: string): Promise<Delivery>
  redeliverLast(retryNum: number): Promise<Delivery>
  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void>
  /** Whether anything is queued or in flight now. */
  busy(): boolean
}

/** Six minutes: outside the five-minute window receivers must enforce. */
const staleSeconds = 6 * 60

export function createDeliverer(options: {
  ws: Workspace
  tokens: Tokens
  signingSecret: string
  verificationToken: string
  now: () => number
  eventsUrl: string | null
  interactivityUrl: string | null
}): Deliverer {
  const { ws, tokens } = options
  const log: DeliveryRecord[] = []
  const endpoints = { eventsUrl: options.eventsUrl, interactivityUrl: options.interactivityUrl }
  let tamper: Tamper | null = null
  let tail: Promise<unknown> = Promise.resolve()
  let pending = 0

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    pending++
    const result = tail.then(task).finally(() => pending--)
    tail = result.catch(() => undefined)
    return result
  }

  async function send(
    record: Omit<DeliveryRecord, 'status' | 'body' | 'headers' | 'skipped'>,
    contentType: string,
  ): Promise<Delivery> {
    const how = tamper ?? {}
    tamper = null
    const timestamp = Math.floor(options.now() / 1000) - (how.stale ? staleSeconds : 0)
    const secret = how.signature === 'bad' ? `${options.signingSecret}-forged` : options.signingSecret
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(secret, timestamp, record.requestBody),
    }
    if (how.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(how.retryNum)
      headers['x-slack-retry-reason'] = how.retryReason ?? 'http_timeout'
    }
    let status = 0
    let body = ''
    try {
      const response = await fetch(record.url ?? '', { method: 'POST', headers, body: record.requestBody })
      status = response.status
      body = await response.text()
    } catch (e) {
      body = `fake Slack could not deliver: ${e instanceof Error ? e.message : String(e)}`
    }
    log.push({ ...record, headers, status, body, skipped: null })
    return { status, body, eventId: record.eventId }
  }

  function skip(record: Omit<DeliveryRecord, 'status' | 'body' | 'headers' | 'skipped'>, reason: string): Delivery {
    log.push({ ...record, headers: {}, status: 0, body: `not delivered: ${reason}`, skipped: reason })
    return { status: 0, body: `not delivered: ${reason}`, eventId: record.eventId }
  }

  function whyNot(event: SlackEvent): string | null {
    if (!tokens.installed() && event.lifecycle !== true) {
      return 'the app is not installed'
    }
    if (event.needsBotMember && event.channel && !event.channel.members.includes(ws.bot.id)) {
      return `the bot is not a member of ${event.channel.id}`
    }
    return endpoints.eventsUrl === null ? 'no eventsUrl set' : null
  }

  async function deliverEvent(event: SlackEvent): Promise<Delivery> {
    const eventId = ws.ids.next('Ev')
    const envelope = eventEnvelope(ws, options.verificationToken, event.event, eventId)
    const eventType = typeof event.event.type === 'string' ? event.event.type : null
    const record = { kind: 'event' as const, url: endpoints.eventsUrl, requestBody: JSON.stringify(envelope) }
    const reason = whyNot(event)
    return reason === null
      ? send({ ...record, eventId, eventType }, 'application/json')
      : skip({ ...record, eventId, eventType }, reason)
  }

  return {
    endpoints,
    log,
    tamperNext(how) {
      tamper = how
    },
    events(events) {
      return enqueue(async () => {
        const deliveries: Delivery[] = []
        for (const event of events) {
          deliveries.push(await deliverEvent(event))
        }
        return deliveries
      })
    },
    echo(events, responded) {
      void enqueue(async () => {
        await responded
        await new Promise((resolve) => setImmediate(resolve))
        for (const event of events) {
          await deliverEvent(event)
        }
      })
    },
    interaction(payload) {
      return enqueue(async () => {
        const requestBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
        const eventType = typeof payload.type === 'string' ? payload.type : null
        const record = { kind: 'interactivity' as const, url: endpoints.interactivityUrl, requestBody, eventType }
        return endpoints.interactivityUrl === null
          ? skip({ ...record, eventId: null }, 'no interactivityUrl set')
          : send({ ...record, eventId: null }, 'application/x-www-form-urlencoded')
      })
    },
    urlVerification(challenge) {
      return enqueue(async () => {
        const body = { token: options.verificationToken, challenge, type: 'url_verification' }
        const record = { kind: 'url_verification' as const, url: endpoints.eventsUrl, eventId: null, eventType: null }
        const requestBody = JSON.stringify(body)
        return endpoints.eventsUrl === null
          ? skip({ ...record, requestBody }, 'no eventsUrl set')
          : send({ ...record, requestBody }, 'application/json')
      })
    },
    redeliverLast(retryNum) {
      return enqueue(async () => {
        const last = log.findLast((r) => r.kind === 'event' && r.skipped === null)
        if (!last) {
          throw new Error('fake Slack: no event has been delivered yet')
        }
        tamper = { retryReason: 'http_timeout', ...tamper, retryNum }
        const { kind, url, requestBody, eventId, eventType } = last
        return send({ kind, url, requestBody, eventId, eventType }, 'application/json')
      })
    },
    async idle() {
      let seen: Promise<unknown>
      do {
        seen = tail
        await seen
      } while (seen !== tail)
    },
    busy: () => pending > 0,
  }
}
