import type { Store } from '../store/store.ts'
import type { PlatformDef } from './platform.ts'
import { createSlackPlatform } from './slack/manifest.ts'
import type { SlackOptions } from './slack/options.ts'

/** Each platform's settings from config; null leaves that platform off. */
export interface PlatformSettings {
  slack: SlackOptions | null
}

export const noPlatformSettings: PlatformSettings = { slack: null }

/** Every platform PolicyKit knows, each one included when its settings are given. */
export function registeredPlatforms(settings: PlatformSettings, store: Store): PlatformDef[] {
  return [...(settings.slack ? [createSlackPlatform({ options: settings.slack, store })] : [])]
}
