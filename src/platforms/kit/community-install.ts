import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rowId, rowIdParam } from '../../domain/int4.ts'
import type { Member } from '../../domain/member.ts'
import { AppError, isAppError } from '../../errors.ts'
import type { PlatformHost } from '../platform-http.ts'
import { authorizationCode, type OAuthCallback } from './oauth.ts'
import { readState, signState } from './signed-state.ts'

/**
 * The OAuth round trip of connecting a community, bound to the dashboard session that started
 * it: only a member who may `manage_integrations` starts it, and the provider's callback must come
 * back to the same session, within ten minutes, for the community the state names.
 */

/** `?community=<id>` connects a community; `?setup=<set-up token>&kit=<kit>` founds the first one. */
export const installLinkQuery = z.object({
  community: rowIdParam.optional(),
  setup: z.string().max(200).optional(),
  kit: z.string().max(100).optional(),
})

/** How long an install may take between PolicyKit's redirect and the provider's callback. */
const lifetimeMs = 10 * 60_000

const installState = z.object({
  /** The community being connected. */
  c: rowId,
  /** The dashboard session that started the install (a hash): the callback must come back to it. */
  s: z.string(),
  n: z.string(),
})

/** The signed-in member of `communityId` allowed to connect platforms (`manage_integrations`). */
export async function managingMember(
  host: PlatformHost,
  request: FastifyRequest,
  communityId: number,
  title: string,
): Promise<Member> {
  if (host.sessionBinding(request) === null) {
    throw new AppError('unauthenticated', `Sign in to PolicyKit first, then connect ${title} from the settings page.`)
  }
  try {
    return await host.requirePermission(request, communityId, 'manage_integrations')
  } catch (e) {
    throw isAppError(e, 'forbidden')
      ? new AppError('forbidden', `Connecting ${title} needs the manage_integrations permission in this community.`)
      : e
  }
}

/** The `state` for the provider's authorize page, once the caller is found to manage the community. */
export async function startCommunityInstall(
  host: PlatformHost,
  request: FastifyRequest,
  install: { platform: string; title: string; communityId: number },
): Promise<string> {
  await managingMember(host, request, install.communityId, install.title)
  return signState(
    host.deriveKey(`${install.platform} install state`),
    { c: install.communityId, s: host.sessionBinding(request) ?? '', n: randomBytes(12).toString('base64url') },
    host.now() + lifetimeMs,
  )
}

/** The community the callback's `state` names, when it was made here, for this session, and has not expired. */
function communityOfInstall(
  host: PlatformHost,
  request: FastifyRequest,
  install: { platform: string; title: string; state: string | undefined },
): number {
  const key = host.deriveKey(`${install.platform} install state`)
  const parsed = install.state === undefined ? null : readState(key, install.state, installState, host.now())
  const binding = host.sessionBinding(request)
  if (!parsed || binding === null || parsed.s !== binding) {
    throw new AppError(
      'forbidden',
      `This ${install.title} install was not started in this session, or took longer than 10 minutes. Start again from the settings page.`,
    )
  }
  return parsed.c
}

/**
 * Step two, the provider's callback: the community its `state` names, the authorization code
 * (the provider's refusal is answered with `refused`), and the member of this session who may
 * connect it.
 */
export async function resumeCommunityInstall(
  host: PlatformHost,
  request: FastifyRequest,
  callback: OAuthCallback,
  install: { platform: string; title: string; refused: string },
): Promise<{ communityId: number; code: string; member: Member }> {
  const communityId = communityOfInstall(host, request, { ...install, state: callback.state })
  const code = authorizationCode(callback, install.refused, install.title)
  const member = await managingMember(host, request, communityId, install.title)
  return { communityId, code, member }
}
