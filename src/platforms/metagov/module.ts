import { definePlatformModule } from '../platform.ts'
import { CallbackUrls } from './callback-urls.ts'
import type { MetagovOptions } from './options.ts'
import { metagovSettings } from './settings.ts'

/** Metagov's registry entry: its setting (METAGOV_URL), the platform (imported only when it runs) and `policykit metagov receiver-url`. */
export const metagov = definePlatformModule<MetagovOptions>({
  name: 'metagov',
  settings: metagovSettings,
  async load() {
    const { createMetagovPlatform } = await import('./manifest.ts')
    return { create: (options, ports) => createMetagovPlatform(options, ports) }
  },
  commands: {
    'receiver-url': {
      description: "prints the URL to set as the gateway's DRIVER_EVENT_RECEIVER_URL",
      run(_args, io) {
        if (io.deriveKey === undefined) {
          io.err('policykit metagov receiver-url: the server key is not available\n')
          return 1
        }
        io.out(`${new CallbackUrls(io.deriveKey('metagov callbacks'), io.publicUrl).eventReceiver()}\n`)
        return 0
      },
    },
  },
})
