import { chatMethods } from './chat-methods.ts'
import { conversationMethods } from './conversation-methods.ts'
import { createDeliverer } from './deliveries.ts'
import type { Delivery, DeliveryRecord, Tamper } from './deliveries.ts'
import { driveUser } from './driver.ts'
import type { UserDriver } from './driver.ts'
import type { FakeState } from './fake-state.ts'
import { createIds } from './ids.ts'
import { createInteractivity } from './interactivity.ts'
import { createOAuth } from './oauth.ts'
import { startServer } from './server.ts'
import { createTokens, defaultBotScopes, defaultUserScopes } from './tokens.ts'
import { revokeTokens, uninstallApp } from './uninstall.ts'
import { createWebApi } from './web-api.ts'
import type { ApiCall, Failure } from './web-api.ts'
import { createWorkspace } from './workspace.ts'
import type { FakeChannel, FakeUser, Workspace } from './workspace.ts'
import { workspaceMethods } from './workspace-methods.ts'

export type { ApiCall, Failure } from './web-api.ts'
export type { Delivery, DeliveryRecord, Tamper } from './deliveries.ts'
export type { UserDriver } from './driver.ts'
export type { FakeChannel, FakeMessage, FakeUser, Workspace } from './workspace.ts'

export interface FakeSlackOptions {
  signingSecret?: string
  clientId?: string
  clientSecret?: string
  teamName?: string
  now?: () => number
  /** The app's registered redirect URL, used when an authorize request names none. */
  redirectUri?: string
  /** The largest page list methods return (lower it to exercise cursor paging). */
  maxPageSize?: number
}

export interface FakeInstall {
  teamId: string
  botToken: string
  userToken: string
  botUserId: string
  appId: string
}

/** A Slack workspace with our app registered, behind a real HTTP server on 127.0.0.1. */
export interface FakeSlack {
  url: string
  /** `${url}/api/`, for `new WebClient(token, { slackApiUrl })`. */
  apiUrl: string
  authorizeUrl: string
  oidcAuthorizeUrl: string
  signingSecret: string
  clientId: string
  clientSecret: string
  /** The legacy `token` field every event envelope and interaction payload carries. */
  verificationToken: string
  workspace: Workspace
  /** #general: every user added joins it, and so does the bot. */
  general: FakeChannel
  /** The app's bot user (`U…`, with its `B…` bot id in `botId`). */
  bot: FakeUser
  calls: ApiCall[]
  callsTo(method: string): ApiCall[]
  /** The next `times` calls of `method` fail: `{ status: 429, retryAfterSeconds }`, `{ status: 500 }` or `{ error }`. */
  failNext(method: string, failure: Failure, times?: number): void
  addUser(input: { name: string; realName?: string; admin?: boolean; owner?: boolean }): FakeUser
  /** A channel with these members; the bot joins it too unless `withBot` is false. */
  addChannel(input: { name: string; members: FakeUser[]; private?: boolean; withBot?: boolean }): FakeChannel
  setEndpoints(urls: { eventsUrl: string | null; interactivityUrl: string | null }): void
  /** Sends the `url_verification` challenge Slack sends when the events URL is entered. */
  verifyEventsUrl(challenge?: string): Promise<Delivery>
  /**
   * Follows an authorize URL (install or OIDC sign-in) as `user`, approving; returns the redirect
   * URL (redirect_uri?code=…&state=…) a browser would be sent to.
   */
  authorize(authorizeUrl: string, user: FakeUser): string
  /** Shortcut for unit tests: installs the app as `installer` without the OAuth dance. */
  install(installer: FakeUser): FakeInstall
  as(user: FakeUser): UserDriver
  /**
   * A workspace admin uninstalls the app: every token it holds here is revoked (later calls
   * answer `token_revoked`), then `tokens_revoked` and `app_uninstalled` are delivered, signed.
   */
  uninstall(): Promise<Delivery[]>
  /**
   * `user` takes back the app's access to their account (or leaves): their user tokens are
   * revoked and `tokens_revoked` is delivered with their id under `oauth`; the bot keeps its token.
   */
  revokeUserTokens(user: FakeUser): Promise<Delivery[]>
  /** The next delivery: bad signature, stale timestamp, retry headers. */
  tamperNext(how: Tamper): void
  /** Sends the last delivered event again, unchanged but for `X-Slack-Retry-Num`/`-Reason`. */
  redeliverLast(retryNum: number): Promise<Delivery>
  deliveries: DeliveryRecord[]
  /** Nothing queued or in flight: API requests being answered, deliveries, echoes of our own calls. */
  idle(): Promise<void>
  close(): Promise<void>
}

/** Slack client ids look like `1234567890.1234567890`. */
const defaultClientId = '1000000001.2000000002'

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const now = options.now ?? (() => Date.now())
  const ids = createIds(now)
  const teamName = options.teamName ?? 'Fake Workspace'
  const domain =
    teamName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'fake'
  const ws = createWorkspace({ ids, now, team: { id: ids.next('T'), name: teamName, domain }, appName: 'PolicyKit' })
  const tokens = createTokens(ids)
  const signingSecret = options.signingSecret ?? ids.secret()
  const verificationToken = ids.secret().slice(0, 24)
  const deliverer = createDeliverer({
    ws,
    tokens,
    signingSecret,
    verificationToken,
    now,
    eventsUrl: null,
    interactivityUrl: null,
  })
  const state: FakeState = {
    ws,
    tokens,
    deliverer,
    clientId: options.clientId ?? defaultClientId,
    clientSecret: options.clientSecret ?? ids.secret(),
    verificationToken,
    redirectUri: options.redirectUri ?? null,
    maxPageSize: options.maxPageSize ?? 1000,
    baseUrl: '',
  }
  const oauth = createOAuth(state)
  const interactivity = createInteractivity(state)
  const webApi = createWebApi(state, { ...chatMethods, ...conversationMethods, ...workspaceMethods, ...oauth.methods })
  const server = await startServer({ state, webApi, oauth, interactivity })
  state.baseUrl = server.url
  const general = ws.findChannel('general')
  if (!general) {
    throw new Error('fake Slack: the workspace has no #general')
  }

  return {
    url: server.url,
    apiUrl: `${server.url}/api/`,
    authorizeUrl: `${server.url}/oauth/v2/authorize`,
    oidcAuthorizeUrl: `${server.url}/openid/connect/authorize`,
    signingSecret,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    verificationToken,
    workspace: ws,
    general,
    bot: ws.bot,
    calls: webApi.calls,
    callsTo: (method) => webApi.calls.filter((call) => call.method === method),
    failNext(method, failure, times = 1) {
      webApi.failNext(method, failure, times)
    },
    addUser(input) {
      return ws.addUser({ name: input.name, realName: input.realName, isAdmin: input.admin, isOwner: input.owner })
    },
    addChannel(input) {
      return ws.addChannel(input.name, { members: input.members, isPrivate: input.private, withBot: input.withBot })
    },
    setEndpoints(urls) {
      deliverer.endpoints.eventsUrl = urls.eventsUrl
      deliverer.endpoints.interactivityUrl = urls.interactivityUrl
    },
    verifyEventsUrl(challenge = ids.secret()) {
      return deliverer.urlVerification(challenge)
    },
    authorize(authorizeUrl, user) {
      const url = new URL(authorizeUrl)
      if (url.origin !== server.url) {
        throw new Error(`fake Slack: ${authorizeUrl} is not an authorize URL of this fake (${server.url})`)
      }
      if (url.pathname === '/oauth/v2/authorize') {
        return oauth.approveInstall(user, url.searchParams)
      }
      if (url.pathname === '/openid/connect/authorize') {
        return oauth.approveSignIn(user, url.searchParams)
      }
      throw new Error(`fake Slack: ${url.pathname} is neither the OAuth nor the OpenID Connect authorize page`)
    },
    install(installer) {
      const bot = tokens.issue('bot', ws.bot.id, defaultBotScopes)
      const user = tokens.issue('user', installer.id, defaultUserScopes)
      return { teamId: ws.team.id, botToken: bot.token, userToken: user.token, botUserId: ws.bot.id, appId: ws.appId }
    },
    as: (user) => driveUser({ ws, deliverer, interactivity }, user),
    uninstall: () => deliverer.events(uninstallApp(ws, tokens)),
    revokeUserTokens: (user) =>
      deliverer.events(revokeTokens(ws, tokens, (t) => t.kind === 'user' && t.userId === user.id)),
    tamperNext(how) {
      deliverer.tamperNext(how)
    },
    redeliverLast: (retryNum) => deliverer.redeliverLast(retryNum),
    deliveries: deliverer.log,
    async idle() {
      // An answered request may queue echoes, and a delivery may make the app call the API: repeat until both are quiet.
      do {
        await server.settled()
        await deliverer.idle()
      } while (!(await quiet()))

      async function quiet(): Promise<boolean> {
        await new Promise((resolve) => setImmediate(resolve))
        return !server.busy() && !deliverer.busy()
      }
    },
    async close() {
      await server.close()
    },
  }
}
