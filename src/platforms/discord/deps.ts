import type { PlatformPorts } from '../platform-ports.ts'
import type { DiscordOptions } from './options.ts'

/** What every part of the Discord platform is handed: its settings and its ports. */
export interface DiscordDeps {
  options: DiscordOptions
  ports: PlatformPorts
}
