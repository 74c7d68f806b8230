import type { UsersInfoResponse, WebClient } from '@slack/web-api'
import type { Integration } from '../../../domain/community.ts'
import type { Member } from '../../../domain/member.ts'
import { isAppError, toError } from '../../../errors.ts'
import type { HostLogger, PlatformPorts } from '../../platform-ports.ts'
import { callSlack, slackClient } from '../client.ts'
import { readSlackCredentials, type SlackCredentials } from '../credentials.ts'
import { ensureSlackMember, isWorkspacePerson, slackbotId, slackPlatformName } from '../members.ts'
import type { SlackDeps } from '../slack-deps.ts'

/** What handling one event or interaction for one community is handed. */
export interface SlackListener {
  ports: PlatformPorts
  logger: HostLogger
  now(): number
  communityId: number
  integration: Integration
  credentials: SlackCredentials
  /** The Web API as PolicyKit's bot. */
  bot: WebClient
}

/** The listener for the community connected to this workspace; null when none is (or it was disconnected). */
export async function slackListener(deps: SlackDeps, teamId: string): Promise<SlackListener | null> {
  const { ports } = deps
  const integration = await ports.integrations.findByExternalId(teamId)
  if (!integration?.active) {
    return null
  }
  const credentials = readSlackCredentials(await ports.integrations.credentials(integration))
  return {
    ports,
    logger: ports.logger,
    now: () => ports.now(),
    communityId: integration.communityId,
    integration,
    credentials,
    bot: slackClient(credentials.botToken, deps.options),
  }
}

/** Whether a Slack user id may be a person at all: not PolicyKit's bot, not Slackbot. */
export function mayBePerson(listener: SlackListener, userId: string): boolean {
  return userId !== listener.credentials.botUserId && userId !== slackbotId
}

/**
 * The member for a Slack user; a person who joined the workspace since the install is looked up
 * and added (default role). Null for who is not a person of this workspace: PolicyKit's bot,
 * Slackbot, other bots and app users, deactivated accounts, people of another team (a channel
 * shared through Slack Connect), and ids Slack does not know. No member is made for them: they
 * neither vote nor initiate.
 */
export async function memberOfSlackUser(listener: SlackListener, userId: string): Promise<Member | null> {
  const { ports, communityId } = listener
  if (!mayBePerson(listener, userId)) {
    return null
  }
  const known = await ports.members.findByAccount(communityId, userId)
  if (known) {
    return known
  }
  const user = await slackUserInfo(listener, userId)
  // A user without a team id is not taken for one of this workspace.
  if (!user || user.team_id === undefined || !isWorkspacePerson(user, listener.integration.externalId)) {
    listener.logger.info(
      { platform: slackPlatformName, communityId, slackUser: userId },
      'slack: a bot, app, deactivated or outside user acted; not made a member',
    )
    return null
  }
  const displayName = user.real_name || user.profile?.display_name
  return ensureSlackMember(ports.members, communityId, {
    id: userId,
    name: user.name ?? userId.toLowerCase(),
    ...(displayName ? { displayName } : {}),
  })
}

/** `users.info`; undefined for an id Slack refuses (user_not_found: nothing for Slack to retry). */
async function slackUserInfo(listener: SlackListener, userId: string): Promise<UsersInfoResponse['user']> {
  try {
    return (await callSlack('users.info', () => listener.bot.users.info({ user: userId }))).user
  } catch (e) {
    if (isAppError(e, 'platform_rejected')) {
      return undefined
    }
    throw e
  }
}

/**
 * Tells one person something only they see: an ephemeral message in the channel where it
 * happened, or a direct message from the bot when they are no longer in it (a join that was
 * undone). A notice that cannot be delivered is logged, not thrown: the decision stands.
 */
export async function tellPrivately(
  listener: SlackListener,
  to: { channel: string; user: string; text: string },
): Promise<void> {
  const log = (e: unknown) =>
    listener.logger.warn(
      { platform: slackPlatformName, communityId: listener.communityId, channel: to.channel, err: toError(e) },
      'slack: could not tell a member privately',
    )
  try {
    await callSlack('chat.postEphemeral', () => listener.bot.chat.postEphemeral(to))
  } catch (e) {
    if (!isAppError(e, 'platform_rejected')) {
      log(e)
      return
    }
    try {
      await callSlack('chat.postMessage', () => listener.bot.chat.postMessage({ channel: to.user, text: to.text }))
    } catch (dm) {
      log(dm)
    }
  }
}
