import { z } from 'zod'
import { rowIdParam } from '../../domain/int4.ts'
import type {
  ApiTokenJson,
  HealthJson,
  InviteInfoJson,
  InviteJson,
  SessionJson,
  SetupStatusJson,
} from '../presenters.ts'
import { nameSchema } from '../../domain/names.ts'

/**
 * The zod schemas of the sign-in, set-up, invite and token routes (the shapes of presenters.ts,
 * which each `satisfies`): requests are parsed and responses checked with them, and the OpenAPI
 * document is made from them.
 */

/** Lower-cased, so `Ada` and `ada` cannot be two people. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'must be 1 to 40 letters, digits, dots, dashes or underscores')

export const displayNameSchema = nameSchema(100)

const id = z.number().int()

export const communityParams = z.object({ communityId: rowIdParam })

export const sessionJson = z.object({
  user: z.object({ id, username: z.string(), displayName: z.string() }),
  memberships: z.array(z.object({ communityId: id, communityName: z.string(), memberId: id })),
  csrfToken: z.string(),
}) satisfies z.ZodType<SessionJson>

export const setupStatusJson = z.object({
  needed: z.boolean(),
  kits: z.array(z.object({ name: z.string(), title: z.string(), description: z.string() })),
  platforms: z.array(
    z.object({
      platform: z.string(),
      title: z.string(),
      setupPath: z.string(),
      place: z.string(),
      who: z.string(),
      how: z.string(),
    }),
  ),
}) satisfies z.ZodType<SetupStatusJson>

const inviteStatuses = ['open', 'used', 'revoked', 'expired'] as const satisfies readonly InviteJson['status'][]

export const inviteJson = z.object({
  id,
  url: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
  usedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  status: z.enum(inviteStatuses),
  createdBy: z.string(),
  forMember: z.string().nullable(),
}) satisfies z.ZodType<InviteJson>

export const inviteInfoJson = z.object({
  communityId: id,
  communityName: z.string(),
  forMember: z.string().nullable(),
  valid: z.boolean(),
  status: z.enum(inviteStatuses),
}) satisfies z.ZodType<InviteInfoJson>

export const apiTokenJson = z.object({
  id,
  name: z.string(),
  token: z.string().optional(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
}) satisfies z.ZodType<ApiTokenJson>

export const healthJson = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['ok', 'unavailable']),
}) satisfies z.ZodType<HealthJson>

/** For 204 responses. */
export const noContent = z.undefined()
