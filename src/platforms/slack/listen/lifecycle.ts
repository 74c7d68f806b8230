import { z } from 'zod'
import type { Integration } from '../../../domain/community.ts'
import { handleOnce } from '../../kit/delivery-ledger.ts'
import { noteLostAccess } from '../../kit/switch-off.ts'
import { slackCredentials } from '../credentials.ts'
import type { SlackDeps } from '../slack-deps.ts'
import type { SlackEventData } from './payloads.ts'
import { slackPlatformName } from '../members.ts'

/**
 * Events about the app's hold on a workspace rather than about the workspace: handled here
 * whether or not its integration is on, neither governed nor offered to trigger policies.
 */
export const slackLifecycleEvents: ReadonlySet<string> = new Set(['app_uninstalled', 'tokens_revoked'])

/** `tokens_revoked`: the Slack user ids whose user tokens (`oauth`) and bot tokens (`bot`) were revoked. */
const tokensRevokedEvent = z.object({
  tokens: z.object({
    oauth: z.array(z.string()).optional(),
    bot: z.array(z.string()).optional(),
  }),
})

const reconnect = 'Reconnecting Slack from Settings turns it back on.'

/**
 * The app was uninstalled from a workspace, or Slack revoked its tokens there. Without the bot
 * token nothing PolicyKit does in Slack works, so the integration is switched off (events are
 * ignored, the `slack` functions and Slack sign-in are gone) until an admin reconnects. Without
 * only the installing admin's user token, the integration stays on, but what needs an admin
 * (deleting members' messages, renaming, removing people) fails: the community is told.
 * Either way a line goes into the community's log. A delivery Slack retries changes nothing.
 */
export async function handleLifecycleEvent(
  deps: SlackDeps,
  teamId: string,
  eventId: string,
  event: SlackEventData,
): Promise<void> {
  const { ports } = deps
  const integration = await ports.integrations.findByExternalId(teamId)
  const context = { platform: slackPlatformName, teamId, eventId, type: event.type }
  if (!integration) {
    ports.logger.info(context, 'slack: lifecycle event from a workspace no community is connected to; ignored')
    return
  }
  const { communityId } = integration
  await handleOnce(ports.deliveries, communityId, eventId, async () => {
    const notice = await lifecycleNotice(deps, integration, event)
    if (notice === null) {
      ports.logger.debug({ ...context, communityId }, 'slack: lifecycle event changes nothing here')
      return
    }
    await noteLostAccess(ports, integration, { ...notice, details: { teamId, event: event.type } })
  })
}

interface Notice {
  /** Whether the integration is to be switched off. */
  switchOff: boolean
  /** The line for the community's log. */
  message: string
}

/** What the event means for this integration; null when nothing new (it is off already, or someone else's sign-in token was revoked). */
async function lifecycleNotice(
  deps: SlackDeps,
  integration: Integration,
  event: SlackEventData,
): Promise<Notice | null> {
  // Off already (disconnected, or the other of the two events Slack sends on an uninstall came
  // first): nothing new to tell, so an uninstall makes one line.
  if (!integration.active) {
    return null
  }
  const workspace = `the Slack workspace ${workspaceName(integration)}`
  const off =
    'so the Slack integration is switched off: nothing in Slack is governed or triggers policies, and members cannot sign in with Slack'
  if (event.type === 'app_uninstalled') {
    return { switchOff: true, message: `The PolicyKit app was uninstalled from ${workspace}, ${off}. ${reconnect}` }
  }
  const parsed = tokensRevokedEvent.safeParse(event)
  if (!parsed.success) {
    return null
  }
  const { oauth = [], bot = [] } = parsed.data.tokens
  const stored = slackCredentials.safeParse(await deps.ports.integrations.credentials(integration))
  const botUserId = stored.success ? stored.data.botUserId : integration.config['botUserId']
  if (bot.some((id) => id === botUserId)) {
    return {
      switchOff: true,
      message: `PolicyKit lost its access to ${workspace} (the app was uninstalled there, or its bot token revoked), ${off}. ${reconnect}`,
    }
  }
  const installer = stored.success ? stored.data.installerUserId : null
  if (installer !== null && oauth.includes(installer)) {
    return {
      switchOff: false,
      message:
        `Slack revoked the user token of the admin who connected ${workspace} (Slack user ${installer}). ` +
        `The integration stays on, but deleting members' messages, renaming channels and removing people ` +
        `from them will fail until an admin reconnects Slack from Settings.`,
    }
  }
  return null
}

function workspaceName(integration: Integration): string {
  const name = integration.config['teamName']
  return typeof name === 'string' && name !== '' ? name : integration.externalId
}
