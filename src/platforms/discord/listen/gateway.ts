import { REST } from '@discordjs/rest'
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws'
import { GatewayIntentBits, type APIGatewayBotInfo } from 'discord-api-types/v10'
import { toError } from '../../../errors.ts'
import type { ListenerDef } from '../../platform.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { gatewayMemory, handleDispatch } from './dispatch.ts'

/**
 * What the connection asks Discord for: guilds and channels, members (joins, the member list),
 * guild messages with their content (a privileged intent: switch it on in the Developer Portal),
 * and reactions (votes).
 */
export const discordGatewayIntents =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMembers |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.MessageContent |
  GatewayIntentBits.GuildMessageReactions

/** @discordjs/ws's manager, with the gateway's address from the settings (a fake's in tests). */
class ConfiguredManager extends WebSocketManager {
  private readonly gatewayUrl: string
  constructor(options: ConstructorParameters<typeof WebSocketManager>[0], gatewayUrl: string) {
    super(options)
    this.gatewayUrl = gatewayUrl
  }

  override async fetchGatewayInformation(force?: boolean): Promise<APIGatewayBotInfo> {
    const info = await super.fetchGatewayInformation(force)
    return { ...info, url: this.gatewayUrl }
  }
}

/**
 * The bot's gateway connection (`@discordjs/ws`: heartbeats, resuming a dropped connection with
 * its session id and sequence, reconnecting on op 7, identifying again after op 9, Discord's
 * identify limits), one per bot token across every PolicyKit process (`once`: a database lease
 * decides which process holds it). Dispatches are handled one after another, in Discord's order
 * (`dispatch.ts`); a failure in one is logged and the next goes on. A fatal gateway error (a bad
 * token, intents not allowed) ends the run with it, so the host starts it again after a backoff.
 */
export function discordGateway(deps: DiscordDeps): ListenerDef {
  const { options, ports } = deps
  return {
    name: 'gateway',
    scope: 'once',
    async run(signal) {
      const rest = new REST({ api: options.apiUrl, version: '10', retries: 1, timeout: 10_000 }).setToken(
        options.botToken,
      )
      const manager = new ConfiguredManager(
        { token: options.botToken, intents: discordGatewayIntents, rest, shardCount: 1 },
        options.gatewayUrl,
      )
      const memory = gatewayMemory(options.clientId)
      let chain = Promise.resolve()
      manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        const { t, d } = payload
        const data = typeof d === 'object' && d !== null ? { ...d } : {}
        chain = chain.then(async () => {
          try {
            await handleDispatch(deps, memory, t, data)
          } catch (e) {
            ports.logger.error(
              { platform: discordPlatformName, event: t, err: toError(e) },
              'discord: a gateway event failed',
            )
          }
        })
      })
      const failed = new Promise<Error>((resolve) => {
        manager.on(WebSocketShardEvents.Error, (error) => resolve(error))
      })
      const stopped = new Promise<null>((resolve) => {
        if (signal.aborted) {
          resolve(null)
        }
        signal.addEventListener('abort', () => resolve(null), { once: true })
      })
      try {
        await Promise.race([manager.connect(), stopped])
        const ended = await Promise.race([failed, stopped])
        if (ended !== null) {
          throw ended
        }
      } finally {
        await manager.destroy({ reason: 'PolicyKit is stopping or handing the connection over' })
        await chain
      }
    },
  }
}
