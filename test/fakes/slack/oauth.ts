import { randomBytes } from 'node:crypto'
import type { FakeState } from './fake-state.ts'
import type { MethodCall, SlackMethod } from './slack-method.ts'
import { SlackError, str } from './slack-method.ts'
import { signJwtHs256 } from './signing.ts'
import { parseScopes } from './tokens.ts'
import type { FakeUser } from './workspace.ts'

/**
 * OAuth v2 (install, with the installer's user token) and Sign in with Slack (OpenID Connect):
 * the authorize step (`approveInstall`/`approveSignIn`, or the HTML pages) hands out a code, and
 * `oauth.v2.access` / `openid.connect.token` exchange it.
 */

interface Grant {
  kind: 'install' | 'openid'
  userId: string
  botScopes: string[]
  userScopes: string[]
  redirectUri: string
  /** Whether the authorize request named the redirect URI (then the exchange must repeat it). */
  redirectNamed: boolean
  nonce: string | null
}

export interface OAuth {
  approveInstall(user: FakeUser, query: URLSearchParams): string
  approveSignIn(user: FakeUser, query: URLSearchParams): string
  methods: Record<string, SlackMethod>
}

export function createOAuth(state: FakeState): OAuth {
  const grants = new Map<string, Grant>()

  function approve(user: FakeUser, query: URLSearchParams, kind: Grant['kind']): string {
    if (query.get('client_id') !== state.clientId) {
      throw new Error(`fake Slack: authorize request with unknown client_id ${query.get('client_id') ?? '(none)'}`)
    }
    const redirectUri = query.get('redirect_uri') ?? state.redirectUri
    if (redirectUri === null) {
      throw new Error('fake Slack: authorize request without redirect_uri, and no redirectUri registered')
    }
    const scopes = parseScopes(query.get('scope'))
    if (kind === 'openid' && (query.get('response_type') !== 'code' || !scopes.includes('openid'))) {
      throw new Error('fake Slack: an OpenID Connect authorize request needs response_type=code and scope openid')
    }
    const userScopes = kind === 'openid' ? scopes : parseScopes(query.get('user_scope'))
    const botScopes = kind === 'openid' ? [] : scopes
    if (botScopes.length === 0 && userScopes.length === 0) {
      throw new Error('fake Slack: authorize request without scope or user_scope')
    }
    const code = `${state.ws.ids.next('')}.${randomBytes(8).toString('hex')}`
    const redirectNamed = query.get('redirect_uri') !== null
    const nonce = kind === 'openid' ? query.get('nonce') : null
    grants.set(code, { kind, userId: user.id, botScopes, userScopes, redirectUri, redirectNamed, nonce })
    const target = new URL(redirectUri)
    target.searchParams.set('code', code)
    const stateParam = query.get('state')
    if (stateParam !== null) {
      target.searchParams.set('state', stateParam)
    }
    return target.href
  }

  /** Checks the client and redeems the code once, as Slack does. */
  function redeem(call: MethodCall, kind: Grant['kind']): Grant {
    if (str(call.args, 'client_id') !== state.clientId) {
      throw new SlackError('invalid_client_id')
    }
    if (str(call.args, 'client_secret') !== state.clientSecret) {
      throw new SlackError('bad_client_secret')
    }
    const code = str(call.args, 'code') ?? ''
    const grant = grants.get(code)
    if (!grant || grant.kind !== kind) {
      throw new SlackError('invalid_code')
    }
    grants.delete(code)
    const redirectUri = str(call.args, 'redirect_uri')
    if ((grant.redirectNamed || redirectUri !== undefined) && redirectUri !== grant.redirectUri) {
      throw new SlackError('bad_redirect_uri')
    }
    return grant
  }

  const oauthV2Access: SlackMethod = {
    scopes: null,
    run(call) {
      const { ws, tokens } = state
      const grant = redeem(call, 'install')
      const authedUser: Record<string, unknown> = { id: grant.userId }
      if (grant.userScopes.length > 0) {
        const user = tokens.issue('user', grant.userId, grant.userScopes)
        Object.assign(authedUser, { scope: user.scopes.join(','), access_token: user.token, token_type: 'user' })
      }
      const body: Record<string, unknown> = { app_id: ws.appId, authed_user: authedUser }
      if (grant.botScopes.length > 0) {
        const bot = tokens.issue('bot', ws.bot.id, grant.botScopes)
        Object.assign(body, {
          scope: bot.scopes.join(','),
          token_type: 'bot',
          access_token: bot.token,
          bot_user_id: ws.bot.id,
        })
      }
      const team = { id: ws.team.id, name: ws.team.name }
      return { body: { ...body, team, enterprise: null, is_enterprise_install: false } }
    },
  }

  function claims(user: FakeUser, scopes: string[]): Record<string, unknown> {
    const { ws } = state
    const [given = '', ...family] = user.realName.split(' ')
    return {
      sub: user.id,
      'https://slack.com/user_id': user.id,
      'https://slack.com/team_id': ws.team.id,
      ...(scopes.includes('email')
        ? { email: user.email, email_verified: true, date_email_verified: 1_700_000_000 }
        : {}),
      ...(scopes.includes('profile')
        ? {
            name: user.realName,
            picture: `https://avatars.slack-edge.com/fake/${user.id.toLowerCase()}_512.png`,
            given_name: given,
            family_name: family.join(' '),
            locale: 'en-US',
            'https://slack.com/team_name': ws.team.name,
            'https://slack.com/team_domain': ws.team.domain,
          }
        : {}),
    }
  }

  const openidConnectToken: SlackMethod = {
    scopes: null,
    run(call) {
      const { ws, tokens } = state
      const grant = redeem(call, 'openid')
      const user = ws.user(grant.userId)
      if (!user) {
        throw new SlackError('invalid_code')
      }
      const token = tokens.issue('user', user.id, grant.userScopes)
      const now = Math.floor(ws.now() / 1000)
      const idToken = signJwtHs256(
        {
          iss: 'https://slack.com',
          aud: state.clientId,
          exp: now + 3600,
          iat: now,
          auth_time: now,
          ...(grant.nonce === null ? {} : { nonce: grant.nonce }),
          ...claims(user, grant.userScopes),
        },
        state.clientSecret,
      )
      return { body: { access_token: token.token, token_type: 'Bearer', id_token: idToken } }
    },
  }

  const openidConnectUserInfo: SlackMethod = {
    scopes: ['openid'],
    run(call) {
      return { body: claims(call.caller, call.token?.scopes ?? []) }
    },
  }

  return {
    approveInstall: (user, query) => approve(user, query, 'install'),
    approveSignIn: (user, query) => approve(user, query, 'openid'),
    methods: {
      'oauth.v2.access': oauthV2Access,
      'openid.connect.token': openidConnectToken,
      'openid.connect.userInfo': openidConnectUserInfo,
    },
  }
}
