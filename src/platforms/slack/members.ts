import type { Member } from '../../domain/member.ts'
import { isAppError } from '../../errors.ts'
import type { Store } from '../../store/store.ts'

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

/** A member handle that is free in the community: the Slack handle, else handle-<user id>. */
async function freeUsername(store: Store, communityId: number, user: SlackUserInfo): Promise<string> {
  const taken = await store.members.getByUsername(communityId, user.name)
  return taken ? `${user.name}-${user.id.toLowerCase()}` : user.name
}

/**
 * The member for a Slack user, created with a linked `slack` account the first time the user is
 * seen (install imports everyone; events may bring people who joined since). Safe when two events
 * for a new user race: the loser finds the winner's member.
 */
export async function ensureSlackMember(
  store: Store,
  communityId: number,
  user: SlackUserInfo,
  now: number,
): Promise<Member> {
  const existing = await store.members.findByAccount(communityId, slackPlatformName, user.id)
  if (existing) {
    return existing
  }
  try {
    return await store.transaction(async (trx) => {
      const member = await trx.members.create(communityId, {
        username: await freeUsername(trx, communityId, user),
        displayName: user.displayName || user.name,
        now,
      })
      await trx.members.linkAccount(communityId, member.id, {
        platform: slackPlatformName,
        externalId: user.id,
        username: user.name,
      })
      return member
    })
  } catch (e) {
    const raced = isAppError(e, 'conflict')
      ? await store.members.findByAccount(communityId, slackPlatformName, user.id)
      : undefined
    if (raced) {
      return raced
    }
    throw e
  }
}
