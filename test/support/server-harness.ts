import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { enginePlatforms } from '../../src/app.ts'
import { localPlatform } from '../../src/domain/user.ts'
import { createCommunityWithKit } from '../../src/kits/apply-kit.ts'
import { hashPassword } from '../../src/server/auth/password.ts'
import { noPlatformSettings, type PlatformSettings } from '../../src/platforms/registry.ts'
import { createEngine, type Engine } from '../../src/engine/engine.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import type { EngineRef } from '../../src/create-platform-ports.ts'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import { sessionCookie } from '../../src/server/auth/session.ts'
import { createServer } from '../../src/server/create-server.ts'
import type { InviteJson, SessionJson } from '../../src/server/presenters.ts'
import type { ServerDeps } from '../../src/server/server-deps.ts'
import type { Dialect, Store } from '../../src/store/store.ts'
import { fakeClock, type FakeClock } from './fake-clock.ts'
import { openTestStore, testSecretKey } from './test-store.ts'

/** Every account the harness makes has this password. */
export const testPassword = 'correct horse battery'
export const testSetupToken = 'test-set-up-token'
export const testPublicUrl = 'http://localhost:3000'

/** json: the parsed body typed as the caller says (T = a presenters.ts type); undefined when not JSON. */
export interface TestResponse<T> {
  status: number
  json: T
  text: string
  headers: Record<string, string | string[] | undefined>
}

export interface TestClient {
  userId: number
  memberId: number
  username: string
  /** The session cookie's value (signed) and its CSRF token, for requests made by hand. */
  session: { cookie: string; csrfToken: string }
  get<T = unknown>(url: string): Promise<TestResponse<T>>
  /** The session cookie and X-CSRF-Token are added; a body, when given, is sent as JSON. */
  post<T = unknown>(url: string, body?: unknown): Promise<TestResponse<T>>
  put<T = unknown>(url: string, body?: unknown): Promise<TestResponse<T>>
  delete<T = unknown>(url: string): Promise<TestResponse<T>>
}

export interface TestServer {
  /** Not listening: requests go through `app.inject` (or call `app.listen` for a browser). */
  app: FastifyInstance
  store: Store
  engine: Engine
  clock: FakeClock
  communityId: number
  /** The set-up admin (the Admin role and the kit's creator roles), signed in. */
  admin: TestClient
  /** A new member of the community (local account, password `testPassword`), signed in. */
  member(username: string, options?: { roles?: string[] }): Promise<TestClient>
  close(): Promise<void>
}

export interface TestServerOptions {
  /** The starter kit the community is set up with (default `democracy`). */
  kit?: string
  dialect?: Dialect
  /** The dashboard's built files; null (the default) serves the API only. */
  webRoot?: string | null
  /** Platforms to run (each pointed at its fake); default none. */
  platformSettings?: PlatformSettings
  /** Where the server is reached (callback URLs platforms hand out); default `testPublicUrl`. */
  publicUrl?: string
}

export function toTestResponse<T>(res: LightMyRequestResponse): TestResponse<T> {
  const contentType = String(res.headers['content-type'] ?? '')
  const headers: Record<string, string | string[] | undefined> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    headers[name] = typeof value === 'number' ? String(value) : value
  }
  return {
    status: res.statusCode,
    // The caller names the shape it expects; tests assert on it.
    json: (contentType.includes('application/json') && res.body !== '' ? JSON.parse(res.body) : undefined) as T,
    text: res.body,
    headers,
  }
}

/** Every `Set-Cookie` header of a response. */
export function setCookies(headers: TestResponse<unknown>['headers']): string[] {
  const raw = headers['set-cookie']
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
}

/** A `name=value` cookie set (not cleared) by a response, or undefined. */
export function setCookie(headers: TestResponse<unknown>['headers'], name: string): string | undefined {
  const found = setCookies(headers).find((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`))
  return found?.split(';')[0]
}

/** The signed value of the session cookie a sign-in response set. */
export function sessionCookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === sessionCookie)
  if (!cookie) {
    throw new Error(`no ${sessionCookie} cookie in the response (status ${res.statusCode}: ${res.body})`)
  }
  return cookie.value
}

/** A client signed in by `res` (a SessionJson response that set the cookie). */
export function signedInClient(app: FastifyInstance, res: LightMyRequestResponse, communityId: number): TestClient {
  const session = toTestResponse<SessionJson>(res).json
  const membership = session.memberships.find((m) => m.communityId === communityId)
  const cookie = sessionCookieOf(res)
  const send = async <T>(method: InjectOptions['method'], url: string, body?: unknown): Promise<TestResponse<T>> => {
    const res = await app.inject({
      method,
      url,
      headers: {
        cookie: `${sessionCookie}=${cookie}`,
        ...(method !== 'GET' && { 'x-csrf-token': session.csrfToken }),
      },
      ...(body !== undefined && { payload: body as InjectOptions['payload'] }),
    })
    return toTestResponse<T>(res)
  }
  return {
    userId: session.user.id,
    memberId: membership?.memberId ?? 0,
    username: session.user.username,
    session: { cookie, csrfToken: session.csrfToken },
    get: (url) => send('GET', url),
    post: (url, body) => send('POST', url, body),
    put: (url, body) => send('PUT', url, body),
    delete: (url) => send('DELETE', url),
  }
}

/**
 * Another community, "Elsewhere" (testing kit), whose creator has an account `other` (password
 * `testPassword`), signed in there from `remoteAddress`: for what another community may not do.
 */
export async function otherCommunity(
  app: { store: Store; server: FastifyInstance },
  now: number,
  remoteAddress: string,
): Promise<{ communityId: number; client: TestClient }> {
  const { store, server } = app
  const name = 'Elsewhere'
  const username = 'other'
  const { community, creator } = await createCommunityWithKit(store, {
    name,
    kit: 'testing',
    creator: { username },
    now,
  })
  const user = await store.users.create({
    username,
    displayName: username,
    passwordHash: await hashPassword(testPassword),
    now,
  })
  await store.members.linkAccount(community.id, creator.id, {
    platform: localPlatform,
    externalId: String(user.id),
    username,
  })
  const signedIn = await server.inject({
    method: 'POST',
    url: '/api/session',
    remoteAddress,
    payload: { username, password: testPassword },
  })
  return { communityId: community.id, client: signedInClient(server, signedIn, community.id) }
}

/**
 * The first-run set-up by password (`POST /api/setup`): a community and its `admin` account
 * (password `testPassword`), signed in.
 */
export async function setUpByPassword(
  app: FastifyInstance,
  input: { token: string; communityName: string; kit: string; remoteAddress?: string },
): Promise<{ communityId: number; admin: TestClient }> {
  const setup = await app.inject({
    method: 'POST',
    url: '/api/setup',
    ...(input.remoteAddress !== undefined && { remoteAddress: input.remoteAddress }),
    payload: {
      token: input.token,
      communityName: input.communityName,
      kit: input.kit,
      username: 'admin',
      displayName: 'Admin',
      password: testPassword,
    },
  })
  if (setup.statusCode !== 200) {
    throw new Error(`set-up failed: ${setup.statusCode} ${setup.body}`)
  }
  const communityId = toTestResponse<SessionJson>(setup).json.memberships[0]?.communityId
  if (communityId === undefined) {
    throw new Error(`set-up made no community: ${setup.body}`)
  }
  return { communityId, admin: signedInClient(app, setup, communityId) }
}

/**
 * A new member of the community (local account, password `testPassword`), signed in: `admin`
 * makes an invite, accepted over the API from `remoteAddress` (the invite routes are limited per
 * address).
 */
export async function joinByInvite(
  app: FastifyInstance,
  input: { admin: TestClient; communityId: number; username: string; remoteAddress: string },
): Promise<TestClient> {
  const { admin, communityId, username } = input
  const invite = await admin.post<InviteJson>(`/api/communities/${communityId}/invites`, {})
  const token = invite.json.url?.split('/').pop()
  if (invite.status !== 201 || token === undefined) {
    throw new Error(`could not make an invite: ${invite.status} ${invite.text}`)
  }
  const accepted = await app.inject({
    method: 'POST',
    url: `/api/invites/${token}/accept`,
    remoteAddress: input.remoteAddress,
    payload: { username, password: testPassword },
  })
  if (accepted.statusCode !== 200) {
    throw new Error(`could not accept the invite as ${username}: ${accepted.statusCode} ${accepted.body}`)
  }
  return signedInClient(app, accepted, communityId)
}

export interface TestApp {
  app: FastifyInstance
  deps: ServerDeps
  store: Store
  engine: Engine
  clock: FakeClock
  close(): Promise<void>
}

/**
 * The real server over a fresh store, with the real engine (votes re-checked inline), the
 * QuickJS sandbox and a fake clock; nothing set up yet. Routes may still be added before the
 * first request.
 */
export async function createTestApp(
  options: { dialect?: Dialect; platformSettings?: PlatformSettings } & Partial<
    Pick<ServerDeps, 'webRoot' | 'publicUrl' | 'setupToken' | 'logger' | 'trustProxy'>
  > = {},
): Promise<TestApp> {
  const store = await openTestStore(options.dialect ?? 'sqlite')
  const sandbox = await createQuickJsSandbox({ poolSize: 2 })
  const clock = fakeClock()
  const engineRef: EngineRef = { current: null }
  const platforms = await enginePlatforms({
    store,
    sandbox,
    settings: options.platformSettings ?? noPlatformSettings,
    engine: engineRef,
    clock,
    logger: silentLogger,
    secretKey: testSecretKey,
    publicUrl: options.publicUrl ?? testPublicUrl,
  })
  const engine = createEngine({ store, sandbox, platforms, clock })
  engineRef.current = engine
  const deps: ServerDeps = {
    store,
    engine,
    platforms,
    sandbox,
    clock,
    logger: options.logger ?? silentLogger,
    secretKey: testSecretKey,
    publicUrl: options.publicUrl ?? testPublicUrl,
    webRoot: options.webRoot ?? null,
    setupToken: options.setupToken === undefined ? testSetupToken : options.setupToken,
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
  }
  const app = await createServer(deps)
  return {
    app,
    deps,
    store,
    engine,
    clock,
    async close() {
      await app.close()
      await sandbox.close()
      await store.close()
    },
  }
}

/**
 * `createTestApp`, set up through `POST /api/setup` with an admin signed in; each member joins
 * through an invite made by the admin and accepted over the API, as people do.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const testApp = await createTestApp({
    ...(options.dialect && { dialect: options.dialect }),
    webRoot: options.webRoot ?? null,
    ...(options.platformSettings && { platformSettings: options.platformSettings }),
    ...(options.publicUrl && { publicUrl: options.publicUrl }),
  })
  const { app, store, engine, clock } = testApp
  const close = () => testApp.close()
  // The sign-in routes are limited per address: each account the harness makes comes from its own.
  let address = 0
  const nextAddress = () => {
    address += 1
    return `10.0.${Math.floor(address / 250)}.${(address % 250) + 1}`
  }

  const { communityId, admin } = await setUpByPassword(app, {
    token: testSetupToken,
    communityName: 'Test community',
    kit: options.kit ?? 'democracy',
    remoteAddress: nextAddress(),
  }).catch(async (e: unknown) => {
    await close()
    throw e
  })

  return {
    app,
    store,
    engine,
    clock,
    communityId,
    admin,
    async member(username, memberOptions = {}) {
      const client = await joinByInvite(app, { admin, communityId, username, remoteAddress: nextAddress() })
      for (const name of memberOptions.roles ?? []) {
        const role = await store.roles.getByName(communityId, name)
        if (!role) {
          throw new Error(`no role ${name} in the community`)
        }
        await store.roles.assign(communityId, client.memberId, role.id)
      }
      return client
    },
    close,
  }
}
