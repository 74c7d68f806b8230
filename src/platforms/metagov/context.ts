import { AppError } from '../../errors.ts'
import type { PlatformContext } from '../platform.ts'
import { metagovCredentials, type MetagovCredentials } from './plugin-config.ts'

export const metagovPlatformName = 'metagov'

/** The community's gateway community (its slug) and enabled plugins. */
export function connectionOf(ctx: PlatformContext): { slug: string; credentials: MetagovCredentials } {
  const parsed = metagovCredentials.safeParse(ctx.credentials)
  if (ctx.integration === null || !parsed.success) {
    throw new AppError('platform_rejected', 'Metagov is not set up for this community: open /metagov/config')
  }
  return { slug: ctx.integration.externalId, credentials: parsed.data }
}
