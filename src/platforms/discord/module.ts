import { definePlatformModule } from '../platform.ts'
import { discordPlatformName } from './names.ts'
import type { DiscordOptions } from './options.ts'
import { discordSettings } from './settings.ts'

/**
 * Discord's registry entry: its settings (DISCORD_*), the platform (imported with Discord's
 * libraries only when it runs) and `policykit discord manifest`.
 */
export const discord = definePlatformModule<DiscordOptions>({
  name: discordPlatformName,
  settings: discordSettings,
  async load() {
    const { createDiscordPlatform } = await import('./manifest.ts')
    return { create: (options, ports) => createDiscordPlatform({ options, ports }) }
  },
  commands: {
    manifest: {
      description:
        'print the Discord application settings for POLICYKIT_PUBLIC_URL (enter them in the Developer Portal)',
      async run(args, io) {
        if (args.length > 0) {
          io.err('usage: policykit discord manifest\n')
          return 2
        }
        const { discordAppSettings } = await import('./connect/app-settings.ts')
        io.out(`${JSON.stringify(discordAppSettings(io.publicUrl), null, 2)}\n`)
        return 0
      },
    },
  },
})
