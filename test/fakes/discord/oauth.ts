import type { FakeUser } from './guild.ts'
import { hasPermission, permissionBits } from './guild.ts'
import { DiscordError, json } from './replies.ts'
import type { Route } from './routes.ts'
import { channelJson, guildJson, userJson } from './shapes.ts'
import type { FakeState } from './state.ts'

/** The app's OAuth2 registration and the codes handed out by the authorize page. */
export interface OAuthApp {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  codes: Map<string, { userId: string; scopes: string[]; redirectUri: string; guild: boolean }>
}

const oauthError = (error: string, description: string) => json(400, { error, error_description: description })

/**
 * What Discord's authorize page does when `user` approves: with the `bot` scope, the bot joins
 * the guild with a role holding the `permissions` asked for, which only someone holding Manage
 * Guild there may grant; then the browser is sent to `redirect_uri?code&state&guild_id&permissions`.
 */
export function authorize(state: FakeState, app: OAuthApp, authorizeUrl: string, user: FakeUser): string {
  const query = new URL(authorizeUrl).searchParams
  const redirectUri = query.get('redirect_uri') ?? app.redirectUris[0] ?? ''
  if (query.get('client_id') !== app.clientId || !app.redirectUris.includes(redirectUri)) {
    throw new Error('fake Discord: the authorize URL names another client or an unregistered redirect_uri')
  }
  const scopes = (query.get('scope') ?? '').split(/[\s+]+/).filter((s) => s !== '')
  const target = new URL(redirectUri)
  const stateParam = query.get('state')
  if (stateParam !== null) {
    target.searchParams.set('state', stateParam)
  }
  const bot = scopes.includes('bot')
  if (bot) {
    if (!hasPermission(state.guild, user.id, permissionBits.manageGuild)) {
      target.searchParams.set('error', 'access_denied')
      target.searchParams.set('error_description', 'The resource owner or authorization server denied the request')
      return target.toString()
    }
    addBot(state, BigInt(query.get('permissions') ?? '0'))
    target.searchParams.set('guild_id', state.guild.id)
    target.searchParams.set('permissions', query.get('permissions') ?? '0')
  }
  const code = state.ids.token()
  app.codes.set(code, { userId: user.id, scopes, redirectUri, guild: bot })
  target.searchParams.set('code', code)
  return target.toString()
}

/** The bot joins the guild (once) with a managed role of `permissions`. */
export function addBot(state: FakeState, permissions: bigint): void {
  const { guild } = state
  const roleName = 'PolicyKit'
  const role = [...guild.roles.values()].find((r) => r.name === roleName) ?? {
    id: state.ids.next(),
    name: roleName,
    permissions,
    position: guild.roles.size,
  }
  role.permissions = permissions
  guild.roles.set(role.id, role)
  guild.users.set(state.bot.id, state.bot)
  if (!guild.members.has(state.bot.id)) {
    guild.members.set(state.bot.id, {
      user: state.bot,
      roleIds: new Set([role.id]),
      joinedAt: new Date(state.now()).toISOString(),
    })
    // As on joining, the whole guild: its channels too.
    state.dispatch('GUILD_CREATE', {
      ...guildJson(guild),
      unavailable: false,
      member_count: guild.members.size,
      channels: [...guild.channels.values()].filter((c) => c.type === 0).map(channelJson),
    })
  }
}

/** The client's credentials: HTTP Basic or `client_id`/`client_secret` in the form, as Discord takes either. */
function clientOf(app: OAuthApp, authorization: string | undefined, form: Record<string, unknown>): boolean {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')
  const [id, secret] =
    basic?.[1] !== undefined
      ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')
      : [form.client_id, form.client_secret]
  return id === app.clientId && secret === app.clientSecret
}

export function oauthRoutes(app: OAuthApp): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/oauth2/token',
      auth: 'none',
      handle(state, request) {
        if (!clientOf(app, request.authorization, request.body)) {
          return json(401, { error: 'invalid_client' })
        }
        if (request.body.grant_type !== 'authorization_code') {
          return oauthError('unsupported_grant_type', 'Unsupported grant type')
        }
        const code = app.codes.get(String(request.body.code))
        if (code === undefined || code.redirectUri !== request.body.redirect_uri) {
          return oauthError('invalid_grant', 'Invalid "code" in request.')
        }
        app.codes.delete(String(request.body.code))
        const accessToken = state.ids.token()
        state.accessTokens.set(accessToken, { userId: code.userId, scopes: code.scopes })
        return json(200, {
          token_type: 'Bearer',
          access_token: accessToken,
          expires_in: 604800,
          refresh_token: state.ids.token(),
          scope: code.scopes.join(' '),
          ...(code.guild ? { guild: guildJson(state.guild) } : {}),
        })
      },
    },
    {
      method: 'GET',
      pattern: '/oauth2/@me',
      auth: 'bearer',
      handle(state, request) {
        const caller = request.caller
        if (caller === null) {
          throw new DiscordError(401, 0, '401: Unauthorized')
        }
        return json(200, {
          application: {
            id: state.applicationId,
            name: 'PolicyKit',
            icon: null,
            description: '',
            type: null,
            verify_key: state.publicKey,
            flags: 0,
            flags_new: '0',
          },
          scopes: caller.scopes,
          expires: new Date(state.now() + 604800_000).toISOString(),
          user: userJson(caller.user),
        })
      },
    },
  ]
}
