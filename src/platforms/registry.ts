import type { PlatformDef } from './platform.ts'

/** Every platform PolicyKit knows; main.ts decides from config which of them run. */
export const platforms: readonly PlatformDef[] = []
