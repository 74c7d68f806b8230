import { REST } from '@discordjs/rest'
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws'
import { GatewayIntentBits, Routes, type APIGatewayBotInfo } from 'discord-api-types/v10'
import { z } from 'zod'
import { toError } from '../../../errors.ts'
import type { ListenerDef } from '../../platform.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { callDiscord, discordRest } from '../client.ts'
import { gatewayMemory, handleDispatch, type GatewayMemory } from './dispatch.ts'
import { GatewaySession } from './gateway-session.ts'

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

/** A close code that leaves the session resumable (Discord ends it on 1000 and 1001). */
const keepSessionCode = 4000

/**
 * Each connected guild's channel names, as Discord has them now: a process that resumes the
 * session (taking the connection over) gets no GUILD_CREATE, yet must know a renamed channel's
 * previous name to revert it. A guild out of reach is left to its GUILD_CREATE.
 */
async function rememberChannelNames(deps: DiscordDeps, memory: GatewayMemory): Promise<void> {
  const rest = discordRest(deps.options)
  for (const integration of await deps.ports.integrations.listAll({ activeOnly: true })) {
    try {
      const channels = channelList.parse(
        await callDiscord('list the channels', () => rest.get(Routes.guildChannels(integration.externalId))),
      )
      for (const c of channels) {
        if (typeof c.name === 'string') {
          memory.channelNames.set(c.id, c.name)
        }
      }
    } catch (e) {
      deps.ports.logger.warn(
        { platform: discordPlatformName, guild: integration.externalId, err: toError(e) },
        'discord: could not read the channels of a guild',
      )
    }
  }
}

const channelList = z.array(z.object({ id: z.string(), name: z.string().nullable().optional() }))

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
      const session = new GatewaySession(ports)
      const manager = new ConfiguredManager(
        {
          token: options.botToken,
          intents: discordGatewayIntents,
          rest,
          shardCount: 1,
          retrieveSessionInfo: () => session.retrieve(),
          updateSessionInfo: (_shard, info) => session.update(info),
        },
        options.gatewayUrl,
      )
      const memory = gatewayMemory(options.clientId)
      await rememberChannelNames(deps, memory)
      let chain = Promise.resolve()
      manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        const { t, d, s } = payload
        const data = typeof d === 'object' && d !== null ? { ...d } : {}
        const within = session.of()
        chain = chain.then(async () => {
          try {
            await handleDispatch(deps, memory, t, data)
          } catch (e) {
            ports.logger.error(
              { platform: discordPlatformName, event: t, err: toError(e) },
              'discord: a gateway event failed',
            )
          }
          await session.handled(within, s).catch((e: unknown) => {
            ports.logger.warn(
              { platform: discordPlatformName, err: toError(e) },
              'discord: could not keep the gateway session for the next holder',
            )
          })
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
        session.stop()
        // Not 1000: Discord keeps the session, so that the next holder resumes it.
        await manager.destroy({ reason: 'PolicyKit is stopping or handing the connection over', code: keepSessionCode })
        await chain
      }
    },
  }
}
