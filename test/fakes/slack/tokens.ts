import type { Ids } from './ids.ts'

/** Access tokens the fake issued: bot (`xoxb-`) and user (`xoxp-`), with the scopes granted. */
export interface TokenRecord {
  token: string
  kind: 'bot' | 'user'
  userId: string
  scopes: string[]
  revoked: boolean
}

export interface Tokens {
  all: TokenRecord[]
  /** Issues a token, or widens and returns the one this user already holds (Slack keeps tokens across reinstalls). */
  issue(kind: 'bot' | 'user', userId: string, scopes: string[]): TokenRecord
  find(token: string): TokenRecord | undefined
  /** The app counts as installed while a bot token is valid: only then does it receive events. */
  installed(): boolean
}

/** What PolicyKit's Slack app asks for (platform-apis.md §1.1). */
export const defaultBotScopes = [
  'channels:history',
  'channels:join',
  'channels:manage',
  'channels:read',
  'chat:write',
  'chat:write.customize',
  'chat:write.public',
  'groups:history',
  'groups:read',
  'groups:write',
  'im:history',
  'im:read',
  'im:write',
  'mpim:history',
  'mpim:read',
  'mpim:write',
  'pins:read',
  'pins:write',
  'reactions:read',
  'reactions:write',
  'team:read',
  'users:read',
  'users:read.email',
]

export const defaultUserScopes = ['chat:write', 'channels:write', 'groups:write', 'im:write', 'mpim:write']

export function parseScopes(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '')
}

export function createTokens(ids: Ids): Tokens {
  const all: TokenRecord[] = []
  return {
    all,
    issue(kind, userId, scopes) {
      const held = all.find((t) => t.kind === kind && t.userId === userId && !t.revoked && !t.scopes.includes('openid'))
      if (held && !scopes.includes('openid')) {
        held.scopes = [...new Set([...held.scopes, ...scopes])]
        return held
      }
      const record = { token: ids.token(kind === 'bot' ? 'xoxb' : 'xoxp'), kind, userId, scopes, revoked: false }
      all.push(record)
      return record
    },
    find: (token) => all.find((t) => t.token === token),
    installed: () => all.some((t) => t.kind === 'bot' && !t.revoked),
  }
}
