import type { WebClient } from '@slack/web-api'
import { AppError } from '../../errors.ts'
import type { PlatformContext } from '../platform.ts'
import { slackClient } from './client.ts'
import { slackCredentials, type SlackCredentials } from './credentials.ts'
import type { SlackOptions } from './options.ts'

/** The two tokens an install gives, as Web API clients. */
export interface SlackClients {
  /** `xoxb-…`: posting, reading, pinning, inviting. */
  bot: WebClient
  /** The installing admin's `xoxp-…`: what a bot may not do (deleting others' messages, renaming, kicking). */
  admin: WebClient
  credentials: SlackCredentials
}

export function slackClients(ctx: PlatformContext, options: Pick<SlackOptions, 'apiUrl'>): SlackClients {
  const parsed = slackCredentials.safeParse(ctx.credentials)
  if (!parsed.success) {
    throw new AppError('platform_rejected', 'the Slack connection has no usable tokens: reconnect Slack')
  }
  const credentials = parsed.data
  return {
    bot: slackClient(credentials.botToken, options),
    admin: slackClient(credentials.userToken, options),
    credentials,
  }
}
