/** The Slack app PolicyKit runs as (one app, installed in many workspaces), from config. */
export interface SlackOptions {
  clientId: string
  clientSecret: string
  /** Verifies that events and interactions come from Slack (v0 signatures). */
  signingSecret: string
  /** The Web API's base, ending in `/`: `https://slack.com/api/` (tests: the fake's). */
  apiUrl: string
  /** Where admins install the app: `https://slack.com/oauth/v2/authorize`. */
  authorizeUrl: string
  /** Where members sign in with Slack: `https://slack.com/openid/connect/authorize`. */
  oidcAuthorizeUrl: string
}
