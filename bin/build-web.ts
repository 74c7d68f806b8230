// `npm run build:web` (and so `npm start`): builds the dashboard into a new folder next to
// web/dist and swaps it in with renames, so a server already running from web/dist never serves
// a half-written build; the previous build is removed once the new one is in place.
import { existsSync, renameSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { build } from 'vite'

const webDir = path.resolve(import.meta.dirname, '..', 'web')

/** Builds into `web/dist-<stamp>`, then makes it `web/dist`; returns the folder served now. */
export async function buildWeb(options: { dist?: string } = {}): Promise<string> {
  const dist = options.dist ?? path.join(webDir, 'dist')
  const stamp = `${process.pid}-${Date.now()}`
  const next = `${dist}-next-${stamp}`
  const old = `${dist}-old-${stamp}`
  try {
    await build({
      configFile: path.join(webDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: next, emptyOutDir: true },
    })
    // Back to back, with nothing in between: the served folder is missing only between two renames.
    if (existsSync(dist)) {
      renameSync(dist, old)
    }
    renameSync(next, dist)
  } finally {
    await rm(next, { recursive: true, force: true })
    await rm(old, { recursive: true, force: true })
  }
  return dist
}

if (import.meta.main) {
  await buildWeb()
}
