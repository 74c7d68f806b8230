import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { JsonObject } from '../domain/json.ts'
import type { Member } from '../domain/member.ts'
import type { User } from '../domain/user.ts'
import type { Engine } from '../engine/engine.ts'
import type { Logger } from '../engine/logger.ts'
import type { Clock } from '../scheduler/clock.ts'
import type { Store } from '../store/store.ts'

/**
 * What a platform's HTTP routes (webhooks, OAuth callbacks, sign-in) are handed by the server.
 * Routes see every community, so each one finds the community from what it authenticated (a
 * signed webhook's team id, an OAuth state bound to the session) and never from the caller's say.
 */
export interface PlatformHost {
  store: Store
  engine: Engine
  clock: Clock
  logger: Logger
  /** Where users reach PolicyKit, e.g. `http://localhost:3000`, for redirect URLs. */
  publicUrl: string
  /** A 32-byte key for one purpose (e.g. `slack oauth state`), derived from the server key. */
  deriveKey(purpose: string): Buffer
  /**
   * A new dashboard user with no usable password, for someone who signs in through the platform.
   * `username` is a wish: a free, valid variant of it is used when it is taken or malformed.
   */
  createUser(input: { username: string; displayName: string }): Promise<User>
  /**
   * The signed-in caller's member in `communityId` when they hold `permission` there (the API's
   * own check); `not_found`, `unauthenticated` or `forbidden` AppErrors otherwise.
   */
  requirePermission(request: FastifyRequest, communityId: number, permission: string): Promise<Member>
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
 * Registers a platform's routes. The server mounts them under `/platforms/<name>` in their own
 * Fastify context, so a platform may add content-type parsers (raw bodies for signatures) there.
 * `request.caller` is set as on every route (null when not signed in).
 */
export type PlatformHttp = (app: FastifyInstance, host: PlatformHost) => Promise<void>
