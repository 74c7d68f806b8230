import { z } from 'zod'
import { appRoutes } from './app-routes.ts'
import { channelRoutes } from './channel-routes.ts'
import { deliverSigned } from './deliveries.ts'
import type { Delivery, Tamper } from './deliveries.ts'
import { driveMember } from './driver.ts'
import { gatewayBotRoute } from './app-routes.ts'
import { startGateway, type FakeGateway } from './gateway.ts'
import type { MemberDriver } from './driver.ts'
import { createGuild, permissionBits } from './guild.ts'
import type { FakeChannel, FakeMember, FakeRole, FakeUser, Guild } from './guild.ts'
import { pingBody } from './interaction-bodies.ts'
import { messageJson } from './shapes.ts'
import { callbackOf, interactionRoutes } from './interaction-routes.ts'
import { guildRoutes } from './guild-routes.ts'
import { addBot, authorize, oauthRoutes } from './oauth.ts'
import type { OAuthApp } from './oauth.ts'
import { startServer } from './server.ts'
import type { Failure, RestCall } from './server.ts'
import { createSigningKey } from './signing.ts'
import { createSnowflakes } from './snowflakes.ts'
import type { Dispatch, FakeState, InteractionRecord } from './state.ts'

export type { Delivery, Tamper } from './deliveries.ts'
export type { MemberDriver } from './driver.ts'
export type { FakeGateway, GatewaySession } from './gateway.ts'
export type { FakeChannel, FakeMember, FakeMessage, FakeRole, FakeUser, Guild } from './guild.ts'
export type { Failure, RestCall } from './server.ts'
export type { Dispatch, InteractionRecord } from './state.ts'
export { permissionBits } from './guild.ts'

export interface FakeDiscordOptions {
  now?: () => number
  guildName?: string
  /** The redirect URLs registered for the application (OAuth2 → Redirects). */
  redirectUris?: string[]
}

/** One Discord guild with our application registered, behind a real HTTP server on 127.0.0.1. */
export interface FakeDiscord {
  url: string
  /** REST base for `new REST({ api })` (`/api`, the version appended by the client). */
  apiUrl: string
  authorizeUrl: string
  tokenUrl: string
  applicationId: string
  clientId: string
  clientSecret: string
  botToken: string
  /** The application's public key (hex), which verifies interaction signatures. */
  publicKey: string
  guild: Guild
  /** The guild's owner (all permissions). */
  owner: FakeMember
  bot: FakeUser
  /** #general, made with the guild. */
  general: FakeChannel
  addMember(input: { name: string; globalName?: string; roles?: FakeRole[]; bot?: boolean }): FakeMember
  addRole(input: { name: string; permissions: bigint }): FakeRole
  addChannel(name: string): FakeChannel
  /** Follows an authorize URL as `user`, approving; returns where the browser is sent. */
  authorize(authorizeUrl: string, user: FakeUser): string
  /** Shortcut: the bot joins the guild with `permissions`, without the OAuth round trip. */
  install(permissions?: bigint): void
  /** Registers the shortcut's `/policykit` command as installing would. */
  registerCommand(name: string): void
  as(member: FakeMember): MemberDriver
  /** The app's Interactions Endpoint URL. */
  setInteractionsUrl(url: string | null): void
  /** The PING Discord sends when the URL is saved (with `tamper`, the bad signature it also sends). */
  ping(tamper?: Tamper): Promise<Delivery>
  /** The headers Discord would sign `body` with at `atMs` (for tests that call a webhook directly). */
  signInteraction(body: string, atMs: number): { headers: Record<string, string>; body: string }
  /** Sends the last interaction again, as received, newly signed. */
  redeliverLast(): Promise<Delivery>
  interactions: Map<string, InteractionRecord>
  /** Gateway dispatches, in sequence order. */
  dispatches: Dispatch[]
  calls: RestCall[]
  callsTo(method: string, route: string): RestCall[]
  /** The next `times` calls of `method route` fail with `failure`. */
  failNext(method: string, route: string, failure: Failure, times?: number): void
  /** Calls of `method route` wait (a slow Discord) until the returned function releases them. */
  stall(method: string, route: string): () => void
  /** The gateway (`/gateway` on the same port), where PolicyKit's bot connection gets the dispatches. */
  gateway: FakeGateway
  /** Someone removes the bot from the guild (GUILD_DELETE without `unavailable`). */
  removeBot(): void
  close(): Promise<void>
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const now = options.now ?? (() => Date.now())
  const ids = createSnowflakes(now)
  const ownerUser: FakeUser = { id: ids.next(), username: 'owner', globalName: 'Guild Owner', bot: false }
  const guild = createGuild(ids, options.guildName ?? 'Fake Guild', ownerUser)
  const applicationId = ids.next()
  const bot: FakeUser = { id: applicationId, username: 'PolicyKit', globalName: null, bot: true }
  const key = createSigningKey()
  let seq = 0
  let gateway: FakeGateway | undefined
  const state: FakeState = {
    ids,
    now,
    guild,
    applicationId,
    bot,
    botToken: `${Buffer.from(applicationId).toString('base64url')}.${ids.token()}`,
    publicKey: key.publicKeyHex,
    accessTokens: new Map(),
    dispatches: [],
    dispatch(t, d) {
      seq++
      state.dispatches.push({ seq, t, d })
      gateway?.publish(t, d)
    },
    interactions: new Map(),
    commands: new Map(),
  }
  const app: OAuthApp = {
    clientId: applicationId,
    clientSecret: ids.token(),
    redirectUris: options.redirectUris ?? ['http://127.0.0.1/platforms/discord/install/callback'],
    codes: new Map(),
  }
  const failures = new Map<string, Failure[]>()
  const stalls = new Map<string, Promise<void>>()
  const calls: RestCall[] = []
  const routes = [
    ...interactionRoutes,
    ...channelRoutes,
    ...guildRoutes,
    ...appRoutes,
    ...oauthRoutes(app),
    gatewayBotRoute(() => gateway?.url ?? ''),
  ]
  const server = await startServer({
    state,
    routes,
    calls,
    takeFailure: (method, route) => failures.get(`${method} ${route}`)?.shift(),
    stallOf: (method, route) => stalls.get(`${method} ${route}`),
  })
  const liveGateway = startGateway(server.server, state, server.url)
  gateway = liveGateway

  const join = (user: FakeUser, roles: FakeRole[]): FakeMember => {
    const member: FakeMember = {
      user,
      roleIds: new Set(roles.map((r) => r.id)),
      joinedAt: new Date(now()).toISOString(),
    }
    guild.users.set(user.id, user)
    guild.members.set(user.id, member)
    return member
  }
  const owner = join(ownerUser, [])
  const addChannel = (name: string): FakeChannel => {
    const channel: FakeChannel = {
      id: ids.next(),
      type: 0,
      name,
      guildId: guild.id,
      position: guild.channels.size,
      recipients: [],
      messages: [],
    }
    guild.channels.set(channel.id, channel)
    return channel
  }
  const general = addChannel('general')

  // A component's interaction answered with type 7 edits the message the component is on.
  const updateClickedMessage = (body: unknown, callback: { type: number; data?: Record<string, unknown> }) => {
    const clicked = z.object({ message: z.object({ id: z.string(), channel_id: z.string() }) }).safeParse(body)
    if (callback.type !== 7 || !clicked.success) {
      return
    }
    const channel = guild.channels.get(clicked.data.message.channel_id)
    const message = channel?.messages.find((m) => m.id === clicked.data.message.id)
    if (channel === undefined || message === undefined) {
      return
    }
    const data = callback.data ?? {}
    message.content = typeof data.content === 'string' ? data.content : message.content
    message.components = Array.isArray(data.components) ? data.components : message.components
    state.dispatch('MESSAGE_UPDATE', { ...messageJson(message, null), guild_id: channel.guildId })
  }

  const answeredNow = new Map<string, () => void>()
  let interactionsUrl: string | null = null
  let last: { body: string } | null = null
  const send = async (body: string, tamper: Tamper | null): Promise<Delivery> => {
    if (interactionsUrl === null) {
      throw new Error('fake Discord: no Interactions Endpoint URL is set')
    }
    last = { body }
    const delivery = await deliverSigned({ url: interactionsUrl, key, body, nowMs: now(), tamper })
    const parsed: unknown = JSON.parse(body)
    const id = typeof parsed === 'object' && parsed !== null && 'id' in parsed ? String(parsed.id) : ''
    const record = state.interactions.get(id)
    if (record !== undefined && record.callback === null && delivery.status === 200 && delivery.answer !== null) {
      record.callback = callbackOf(delivery.answer)
      updateClickedMessage(parsed, record.callback)
    }
    answeredNow.get(id)?.()
    answeredNow.delete(id)
    return delivery
  }
  const deliver = (
    body: { id: string; token: string; channel_id: string; message?: { id: string } },
    tamper: Tamper | null,
  ): Promise<Delivery> => {
    const answered = new Promise<void>((resolve) => answeredNow.set(body.id, resolve))
    state.interactions.set(body.id, {
      id: body.id,
      token: body.token,
      channelId: body.channel_id,
      deliveredAt: now(),
      callback: null,
      followUps: [],
      messageId: body.message?.id ?? null,
      edits: [],
      answerMessage: null,
      answered,
    })
    return send(JSON.stringify(body), tamper)
  }

  return {
    url: server.url,
    apiUrl: `${server.url}/api`,
    authorizeUrl: `${server.url}/oauth2/authorize`,
    tokenUrl: `${server.url}/api/oauth2/token`,
    applicationId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    botToken: state.botToken,
    publicKey: key.publicKeyHex,
    guild,
    owner,
    bot,
    general,
    addMember(input) {
      const user: FakeUser = {
        id: ids.next(),
        username: input.name,
        globalName: input.globalName ?? null,
        bot: input.bot ?? false,
      }
      return join(user, input.roles ?? [])
    },
    addRole(input) {
      const role: FakeRole = {
        id: ids.next(),
        name: input.name,
        permissions: input.permissions,
        position: guild.roles.size,
      }
      guild.roles.set(role.id, role)
      return role
    },
    addChannel,
    authorize: (url, user) => authorize(state, app, url, user),
    install(permissions = permissionBits.administrator) {
      addBot(state, permissions)
    },
    registerCommand(name) {
      state.commands.set(name, { id: ids.next(), name, description: name, options: [] })
    },
    as: (member) => driveMember({ state, deliver }, member),
    setInteractionsUrl(url) {
      interactionsUrl = url
    },
    ping: (tamper) => send(JSON.stringify(pingBody(state)), tamper ?? null),
    signInteraction(body, atMs) {
      const timestamp = String(Math.floor(atMs / 1000))
      return {
        headers: { 'x-signature-ed25519': key.sign(timestamp, body), 'x-signature-timestamp': timestamp },
        body,
      }
    },
    redeliverLast() {
      if (last === null) {
        throw new Error('fake Discord: nothing was delivered yet')
      }
      return send(last.body, null)
    },
    interactions: state.interactions,
    dispatches: state.dispatches,
    calls,
    callsTo: (method, route) => calls.filter((c) => c.method === method && c.route === route),
    stall(method, route) {
      let release = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      stalls.set(`${method} ${route}`, released)
      return () => {
        stalls.delete(`${method} ${route}`)
        release()
      }
    },
    failNext(method, route, failure, times = 1) {
      const key = `${method} ${route}`
      failures.set(key, [...(failures.get(key) ?? []), ...Array.from({ length: times }, () => failure)])
    },
    gateway: liveGateway,
    removeBot() {
      guild.members.delete(state.bot.id)
      state.dispatch('GUILD_DELETE', { id: guild.id })
    },
    close: async () => {
      await liveGateway.close()
      await server.close()
    },
  }
}
