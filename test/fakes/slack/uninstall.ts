import type { SlackEvent } from './events.ts'
import type { TokenRecord, Tokens } from './tokens.ts'
import type { Workspace } from './workspace.ts'

/**
 * Revokes tokens as Slack does when an app is uninstalled or a person takes back its access:
 * every later call with them answers `token_revoked`. Returns the `tokens_revoked` event Slack
 * sends about them (user ids under `oauth` for user tokens, under `bot` for the bot's), or none
 * when nothing was revoked.
 */
export function revokeTokens(ws: Workspace, tokens: Tokens, which: (token: TokenRecord) => boolean): SlackEvent[] {
  const revoked = tokens.all.filter((t) => !t.revoked && which(t))
  for (const token of revoked) {
    token.revoked = true
  }
  if (revoked.length === 0) {
    return []
  }
  const ids = (kind: TokenRecord['kind']) => [...new Set(revoked.filter((t) => t.kind === kind).map((t) => t.userId))]
  return [
    {
      event: { type: 'tokens_revoked', tokens: { oauth: ids('user'), bot: ids('bot') }, event_ts: ws.ids.nextTs() },
      channel: null,
      needsBotMember: false,
      lifecycle: true,
    },
  ]
}

/**
 * Uninstalling the app from the workspace: all its tokens (bot, installers', sign-ins') revoked,
 * then `app_uninstalled`; Slack sends both events.
 */
export function uninstallApp(ws: Workspace, tokens: Tokens): SlackEvent[] {
  return [
    ...revokeTokens(ws, tokens, () => true),
    {
      event: { type: 'app_uninstalled', event_ts: ws.ids.nextTs() },
      channel: null,
      needsBotMember: false,
      lifecycle: true,
    },
  ]
}
