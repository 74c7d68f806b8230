import { AppError } from '../../errors.ts'
import type { PlatformContext } from '../platform.ts'
import { callDiscourse } from './client.ts'
import { discourseCredentials, type DiscourseCredentials } from './credentials.ts'

export const discoursePlatformName = 'discourse'

/** The community's forum connection from its decrypted credentials. */
export function forumOf(ctx: PlatformContext): DiscourseCredentials {
  const parsed = discourseCredentials.safeParse(ctx.credentials)
  if (!parsed.success) {
    throw new AppError(
      'platform_rejected',
      'the Discourse connection has no usable credentials: connect the forum again',
    )
  }
  return parsed.data
}

/** A call to the community's forum. */
export const forumCall = (
  ctx: PlatformContext,
  ...call: Parameters<typeof callDiscourse> extends [unknown, unknown, ...infer R] ? R : never
) => callDiscourse(ctx.fetch, forumOf(ctx), ...call)
