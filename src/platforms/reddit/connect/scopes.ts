/**
 * What a moderator's connection may do, and no more: read the subreddit and its mod queue and
 * log (`read`, `modposts`, `modlog`), post and comment as them (`submit`, `edit` for the vote's
 * tally), ban (`modcontributors`), send messages (`privatemessages`), know who they are and which
 * subreddits they moderate (`identity`, `mysubreddits`).
 */
export const redditModScopes = [
  'identity',
  'mysubreddits',
  'read',
  'submit',
  'edit',
  'modposts',
  'modlog',
  'modcontributors',
  'privatemessages',
] as const

/** Sign in with Reddit asks only who the person is. */
export const redditSignInScopes = ['identity'] as const

/** The moderator permissions PolicyKit's actions need on the subreddit (`all` covers them). */
export const neededModPermissions = ['posts', 'access', 'mail'] as const

export function holdsNeededPermissions(permissions: readonly string[]): boolean {
  return permissions.includes('all') || neededModPermissions.every((p) => permissions.includes(p))
}
