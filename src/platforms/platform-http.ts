import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { JsonObject } from '../domain/json.ts'
import type { Member } from '../domain/member.ts'
import type { User } from '../domain/user.ts'
import type { HostLogger } from './platform-ports.ts'

/**
 * What a platform's browser routes (OAuth installs, sign-in, set-up) are handed by the server,
 * besides the platform's own ports: the dashboard's sessions and permissions, keys and first-run
 * set-up. Routes see every community, so each one finds the community from what it authenticated
 * (an OAuth state bound to the session) and never from the caller's say.
 */
export interface PlatformHost {
  logger: HostLogger
  now(): number
  /** Calls `fn` after `ms` unless cancelled (the server's clock: tests move it). */
  setTimer(ms: number, fn: () => void): { cancel(): void }
  /** Where users reach PolicyKit, e.g. `http://localhost:3000`, for redirect URLs. */
  publicUrl: string
  /** A 32-byte key for one purpose (e.g. `slack oauth state`), derived from the server key. */
  deriveKey(purpose: string): Buffer
  /**
   * A fingerprint of the signed-in dashboard session (null when signed in otherwise, or not at
   * all), for an OAuth state bound to it: the callback must come back to the same session.
   */
  sessionBinding(request: FastifyRequest): string | null
  /**
   * The signed-in caller's member in `communityId` when they hold `permission` there (the API's
   * own check); `not_found`, `unauthenticated` or `forbidden` AppErrors otherwise.
   */
  requirePermission(request: FastifyRequest, communityId: number, permission: string): Promise<Member>
  /**
   * Signs `member` in to the dashboard (session cookie) as their dashboard user, made on first
   * sign-in (no usable password) and linked to the member.
   */
  signInMember(request: FastifyRequest, reply: FastifyReply, communityId: number, member: Member): Promise<User>
  /** Signs `user` in to the dashboard (session cookie), as password sign-in does. */
  startSession(request: FastifyRequest, reply: FastifyReply, user: User): Promise<void>
  /** First run: whether `token` is the one-time set-up token and no community exists yet. */
  setupNeeded(token: string): Promise<boolean>
  /** The names of the starter kits a community can be set up with. */
  starterKits(): string[]
  /**
   * First run: founds the first community from a platform, as the set-up page does with a
   * password, in one transaction (the token checked again): the kit plus the Admin role for the
   * founder, their dashboard user (no usable password) linked to them with a `local` account,
   * their platform account, and the platform's integration, stored switched on.
   */
  setUpCommunity(input: PlatformSetUp): Promise<{ communityId: number; memberId: number; user: User }>
}

/** What a platform founds the first community from. */
export interface PlatformSetUp {
  /** The one-time set-up token. */
  token: string
  communityName: string
  /** A starter kit's name (`starterKits()`). */
  kit: string
  founder: {
    /** Their member's name; their dashboard login gets a free, valid variant of it. */
    username: string
    displayName: string
    /** Their account on the platform. */
    account: { platform: string; externalId: string; username: string }
  }
  integration: { platform: string; externalId: string; config: JsonObject; credentials: JsonObject }
}

/**
 * Registers a platform's browser routes. The server mounts them under `/platforms/<name>` in their
 * own Fastify context. `request.caller` is set as on every route (null when not signed in).
 */
export type PlatformHttp = (app: FastifyInstance, host: PlatformHost) => Promise<void>
