import { definePlatformModule } from '../platform.ts'
import type { SlackOptions } from './options.ts'
import { slackSettings } from './settings.ts'

/**
 * Slack's registry entry: its settings (SLACK_*), the platform (imported with Slack's SDK only
 * when it runs) and `policykit slack manifest`.
 */
export const slack = definePlatformModule<SlackOptions>({
  name: 'slack',
  settings: slackSettings,
  async load() {
    const { createSlackPlatform } = await import('./manifest.ts')
    return { create: (options, ports) => createSlackPlatform({ options, ports }) }
  },
  commands: {
    manifest: {
      description: 'print the Slack app manifest for POLICYKIT_PUBLIC_URL (create the app from it)',
      async run(args, io) {
        if (args.length > 0) {
          io.err('usage: policykit slack manifest\n')
          return 2
        }
        const { slackAppManifest } = await import('./connect/app-manifest.ts')
        io.out(`${JSON.stringify(slackAppManifest(io.publicUrl), null, 2)}\n`)
        return 0
      },
    },
  },
})
