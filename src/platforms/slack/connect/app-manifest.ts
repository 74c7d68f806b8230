import { slackBotEvents } from '../listen/event-subscriptions.ts'
import { installCallbackPath } from './install-grant.ts'
import { slackBotScopes, slackUserScopes } from './scopes.ts'
import { signInCallbackPath } from './signin.ts'

/** What Sign in with Slack asks for (OpenID Connect), on top of the installer's user scopes. */
const signInScopes = ['openid', 'profile'] as const

/**
 * The Slack app PolicyKit needs, as a Slack app manifest (_Create New App › From an app
 * manifest_): its redirect URLs, scopes, event subscriptions and interactivity URL, all made from
 * the lists the code itself uses, for the PolicyKit reachable at `publicUrl`.
 */
export function slackAppManifest(publicUrl: string, name = 'PolicyKit'): Record<string, unknown> {
  const base = publicUrl.replace(/\/+$/, '')
  return {
    display_information: {
      name,
      description: 'Community governance: policies decide what happens here, votes are held where members are.',
    },
    features: { bot_user: { display_name: name, always_online: true } },
    oauth_config: {
      redirect_urls: [`${base}${installCallbackPath}`, `${base}${signInCallbackPath}`],
      scopes: { bot: [...slackBotScopes], user: [...slackUserScopes, ...signInScopes] },
    },
    settings: {
      event_subscriptions: {
        request_url: `${base}/platforms/slack/events`,
        bot_events: [...slackBotEvents],
      },
      interactivity: { is_enabled: true, request_url: `${base}/platforms/slack/interactivity` },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  }
}
