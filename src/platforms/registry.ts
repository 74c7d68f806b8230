import type { PlatformModule } from './platform.ts'
import { discord } from './discord/manifest.ts'
import { discourse } from './discourse/manifest.ts'
import { metagov } from './metagov/manifest.ts'
import { reddit } from './reddit/manifest.ts'
import { slack } from './slack/manifest.ts'

/**
 * Every platform PolicyKit knows. Adding one is its folder and a line here: config reads its
 * settings, start-up runs it when they are given, the server mounts its webhooks and routes,
 * the dashboard shows its links and the CLI offers its commands, all from what it declares.
 */
export const platformModules: readonly PlatformModule[] = [slack, discord, reddit, discourse, metagov]

/** Each registered platform's settings from config, by name; null leaves that platform off. */
export type PlatformSettings = Readonly<Record<string, unknown>>

/** Every platform off. */
export const noPlatformSettings: PlatformSettings = {}
