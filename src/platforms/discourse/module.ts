import { definePlatformModule } from '../platform.ts'
import type { DiscourseOptions } from './options.ts'
import { discourseSettings } from './settings.ts'

/** Discourse's registry entry: its setting (DISCOURSE_WEBHOOK_KEY) and the platform (imported only when it runs). */
export const discourse = definePlatformModule<DiscourseOptions>({
  name: 'discourse',
  settings: discourseSettings,
  async load() {
    const { createDiscoursePlatform } = await import('./manifest.ts')
    return { create: (options, ports) => createDiscoursePlatform(options, ports) }
  },
})
