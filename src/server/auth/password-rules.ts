import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { projectRoot } from '../../project-root.ts'

let common: ReadonlySet<string> | undefined

/**
 * 10,000 lines, lower case (about half a megabyte in memory): read when a password is first
 * checked, so a server nobody signs up to or changes a password on never holds them.
 */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(path.join(projectRoot, 'src', 'server', 'auth', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#')),
  )
  return common
}

/** As compared: NFKC (as hashed) and lower case, so `Password1` is `password1`. */
const folded = (text: string) => text.normalize('NFKC').toLowerCase()

/**
 * NIST SP 800-63B's rules for a password someone chooses: long enough, not one that attackers
 * try first (a list of common passwords, one character repeated), and no composition rules
 * (no "a digit and a symbol"), which make passwords harder to remember, not to guess.
 */
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters')
  .refine((password) => new Set(folded(password)).size > 1, 'must not be one character repeated')
  .refine(
    (password) => !commonPasswords().has(folded(password)),
    'is one of the 10,000 most common passwords, which are guessed first: choose another (a few unrelated words make a good one)',
  )

/** Whether `password` is the username (case and Unicode form aside): the first guess anyone makes. */
export function isUsername(password: string, username: string): boolean {
  return folded(password) === folded(username)
}

/**
 * For a body that chooses a username and a password (set-up, accepting an invite): the
 * password must not be the username, said as an issue on `password` like the other rules.
 */
export function refusePasswordAsUsername(body: { username?: string; password?: string }, ctx: z.RefinementCtx): void {
  if (body.username !== undefined && body.password !== undefined && isUsername(body.password, body.username)) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'must not be your username' })
  }
}
