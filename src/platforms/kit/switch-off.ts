import type { Integration } from '../../domain/community.ts'
import type { JsonObject } from '../../domain/json.ts'
import type { PlatformPorts } from '../platform-ports.ts'

/**
 * What an uninstall (or a revoked token) means for a connection: switched off, when `switchOff`
 * (events are ignored, the platform's functions and sign-in gone, until an admin reconnects),
 * and a line in the community's log either way. A connection that is off already changes nothing.
 */
export async function noteLostAccess(
  ports: Pick<PlatformPorts, 'integrations' | 'communityLog' | 'logger' | 'platform'>,
  integration: Integration,
  notice: { switchOff: boolean; message: string; details: JsonObject },
): Promise<void> {
  if (notice.switchOff) {
    await ports.integrations.setActive(integration, false)
  }
  await ports.communityLog(integration.communityId, [
    {
      level: 'warn',
      message: notice.message,
      details: { platform: ports.platform, ...notice.details, integrationId: integration.id },
    },
  ])
  ports.logger.warn(
    { platform: ports.platform, communityId: integration.communityId, integrationId: integration.id },
    `${ports.platform}: ${notice.message}`,
  )
}
