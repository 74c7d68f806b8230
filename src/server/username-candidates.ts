import { randomBytes } from 'node:crypto'

/** What `usernameSchema` accepts: lower case, 1 to 40 of letters, digits, `.`, `_`, `-`, starting alphanumeric. */
function usernameFrom(wish: string): string {
  const cleaned = wish
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 32)
  return cleaned === '' ? 'user' : cleaned
}

/**
 * Valid usernames for a login made from a platform's name for someone (a wish, possibly taken
 * or malformed), best first: the cleaned wish, then numbered variants, then a random one.
 */
export function usernameCandidates(wish: string): string[] {
  const base = usernameFrom(wish)
  return [base, ...[2, 3, 4, 5].map((n) => `${base}-${n}`), `${base}-${randomBytes(3).toString('hex')}`]
}
