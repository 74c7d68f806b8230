import type { Member } from '../../domain/member.ts'
import { ensureMember } from '../kit/ensure-member.ts'
import type { MembersPort } from '../platform-ports.ts'

/** A Slack user as `users.list`/`users.info` describe them (only what PolicyKit keeps). */
export interface SlackUserInfo {
  /** `U…` */
  id: string
  /** The handle (`name`), e.g. `ada`. */
  name: string
  /** `real_name` or the profile's display name; the handle when empty. */
  displayName?: string
}

export const slackPlatformName = 'slack'

/** Slackbot: a person by its flags (`is_bot: false`), but nobody PolicyKit governs. */
export const slackbotId = 'USLACKBOT'

/** What `users.list` / `users.info` say of a user that decides whether they are a person. */
export interface SlackUserFlags {
  id?: string | undefined
  is_bot?: boolean | undefined
  is_app_user?: boolean | undefined
  deleted?: boolean | undefined
  team_id?: string | undefined
  profile?: { bot_id?: string | undefined } | undefined
}

/**
 * Whether a Slack user is a person who may be a member: not Slackbot, a bot or app user, nor a
 * deactivated account, and (given the workspace's team id) not someone of another team, as in a
 * channel shared through Slack Connect. The one rule for imports, events, votes, sign-in and
 * `slack.getUsersInChannel`.
 */
export function isWorkspacePerson(user: SlackUserFlags, teamId?: string): boolean {
  return !(
    user.id === slackbotId ||
    user.is_bot === true ||
    user.is_app_user === true ||
    user.deleted === true ||
    user.profile?.bot_id !== undefined ||
    (teamId !== undefined && user.team_id !== undefined && user.team_id !== teamId)
  )
}

/**
 * The member for a Slack user, created with a linked `slack` account the first time the user is
 * seen (install imports everyone; events may bring people who joined since).
 */
export function ensureSlackMember(members: MembersPort, communityId: number, user: SlackUserInfo): Promise<Member> {
  return ensureMember(members, communityId, { externalId: user.id, name: user.name, displayName: user.displayName })
}
