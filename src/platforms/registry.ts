import type { PlatformModule } from './platform.ts'
import { discord } from './discord/module.ts'
import { discourse } from './discourse/module.ts'
import { metagov } from './metagov/module.ts'
import { reddit } from './reddit/module.ts'
import { slack } from './slack/module.ts'

/**
 * Every platform PolicyKit knows. Adding one is its folder (its entry in `module.ts`) and a line here: config reads its
 * settings, start-up runs it when they are given, the server mounts its webhooks and routes,
 * the dashboard shows its links and the CLI offers its commands, all from what it declares.
 */
export const platformModules: readonly PlatformModule[] = [slack, discord, reddit, discourse, metagov]

/** Each registered platform's settings from config, by name; null leaves that platform off. */
export type PlatformSettings = Readonly<Record<string, unknown>>

/** Every platform off. */
export const noPlatformSettings: PlatformSettings = {}
