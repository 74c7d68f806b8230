import { definePlatformModule } from '../platform.ts'
import type { RedditOptions } from './options.ts'
import { redditSettings } from './settings.ts'

/** Reddit's registry entry: its settings (REDDIT_*) and the platform (imported only when it runs). */
export const reddit = definePlatformModule<RedditOptions>({
  name: 'reddit',
  settings: redditSettings,
  async load() {
    const { createRedditPlatform } = await import('./manifest.ts')
    return { create: (options, ports) => createRedditPlatform(options, ports) }
  },
})
