import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it } from 'node:test'

const src = (file: string) => pathToFileURL(path.resolve(import.meta.dirname, '..', '..', 'src', file)).href

/**
 * In a fresh process: records every module specifier resolved while the platforms for
 * `settings` are built (as start-up builds them, on SQLite) and prints the list.
 */
function specifiersLoaded(settings: Record<string, unknown>): string[] {
  const probe = `
import { registerHooks } from 'node:module'
const seen = new Set()
registerHooks({
  resolve(specifier, context, next) {
    seen.add(specifier)
    return next(specifier, context)
  },
})
const { enginePlatforms } = await import(${JSON.stringify(src('app.ts'))})
const { openStore } = await import(${JSON.stringify(src('store/open-store.ts'))})
const { createQuickJsSandbox } = await import(${JSON.stringify(src('sandbox/quickjs-sandbox.ts'))})
const { silentLogger } = await import(${JSON.stringify(src('engine/logger.ts'))})
const { systemClock } = await import(${JSON.stringify(src('scheduler/clock.ts'))})
const store = await openStore({ sqlitePath: ':memory:', secretKey: Buffer.alloc(32, 1) })
const sandbox = await createQuickJsSandbox({ poolSize: 1 })
const platforms = await enginePlatforms({
  store,
  sandbox,
  settings: ${JSON.stringify(settings)},
  engine: { current: null },
  clock: systemClock,
  logger: silentLogger,
})
await sandbox.close()
await store.close()
process.stdout.write(JSON.stringify({ platforms: platforms.map((p) => p.name), seen: [...seen] }))
`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(run.status, 0, run.stderr)
  const { platforms, seen } = JSON.parse(run.stdout) as { platforms: string[]; seen: string[] }
  assert.deepEqual(platforms, ['constitution', ...Object.keys(settings)])
  return seen
}

const heavy = ['@discordjs/rest', '@discordjs/ws', 'discord-api-types/v10', '@slack/web-api', 'pg', 'pg-boss']

// The server's memory target (10,000 pending proposals in 128 MiB) leaves no room for SDKs of
// platforms nobody configured: each is loaded by its registry entry's `load` only when needed.
describe('loading platforms', () => {
  it('loads no platform SDK, no PostgreSQL driver and no pg-boss when no platform is configured on SQLite', () => {
    const seen = specifiersLoaded({})
    assert.ok(seen.includes('better-sqlite3'), 'the probe sees the libraries the store loads')
    for (const name of heavy) {
      assert.ok(!seen.includes(name), `${name} was loaded`)
    }
  })

  it("loads a configured platform's SDK, and only that platform's", () => {
    const seen = specifiersLoaded({ discord: {} })
    assert.ok(seen.includes('@discordjs/rest'))
    assert.ok(!seen.includes('@slack/web-api'))
  })
})
