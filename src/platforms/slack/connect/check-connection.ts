import type { JsonObject } from '../../../domain/json.ts'
import { AppError, isAppError } from '../../../errors.ts'
import { callSlack, slackClient } from '../client.ts'
import { readSlackCredentials } from '../credentials.ts'
import type { SlackOptions } from '../options.ts'

/**
 * Whether Slack still takes the connection's bot token (`auth.test`). After the app was
 * uninstalled, or its tokens revoked, switching the integration back on would only fail later:
 * it is refused now, with what to do instead. Slack being unreachable is not a refusal.
 */
export function slackCheckConnection(options: SlackOptions) {
  return async (credentials: JsonObject): Promise<void> => {
    const { botToken } = readSlackCredentials(credentials)
    try {
      await callSlack('auth.test', () => slackClient(botToken, options).auth.test())
    } catch (e) {
      if (isAppError(e, 'platform_rejected')) {
        throw new AppError(
          'conflict',
          `Slack no longer accepts this connection (${e.message}): reconnect Slack from Settings instead`,
          { cause: e },
        )
      }
      throw e
    }
  }
}
