// `npm run docs`: writes the generated pages of docs/ (the policy reference and the starter kits)
// from the declarations they describe; `--check` only reports which are out of date (exit 1).
// A platform added to the registry is picked up by running it again.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { enginePlatforms } from '../src/app.ts'
import type { EngineRef } from '../src/create-platform-ports.ts'
import { silentLogger } from '../src/engine/logger.ts'
import { listKits } from '../src/kits/list-kits.ts'
import { platformModules } from '../src/platforms/registry.ts'
import { createQuickJsSandbox } from '../src/sandbox/quickjs-sandbox.ts'
import { systemClock } from '../src/scheduler/clock.ts'
import { renderKits, renderPolicyReference } from '../src/server/policy-reference.ts'
import { openStore } from '../src/store/open-store.ts'

export const docsDir = path.resolve(import.meta.dirname, '..', 'docs')

/**
 * The generated pages by file name under docs/. Every registered platform is built (with empty
 * settings: building a definition uses none) on a throwaway in-memory store, next to the
 * constitution, as a server running all of them would have them.
 */
export async function generatedDocs(): Promise<Map<string, string>> {
  const store = await openStore({ sqlitePath: ':memory:', secretKey: Buffer.alloc(32) })
  // Its worker threads start only when a block runs, and none does here.
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  try {
    const engine: EngineRef = { current: null }
    const settings = Object.fromEntries(platformModules.map((module) => [module.name, {}]))
    const platforms = await enginePlatforms({
      store,
      sandbox,
      settings,
      engine,
      clock: systemClock,
      logger: silentLogger,
    })
    // Written as made (.prettierignore lists them): the kits' code is shown exactly as it runs.
    return new Map([
      ['reference.md', renderPolicyReference(platforms)],
      ['kits.md', renderKits(listKits())],
    ])
  } finally {
    await sandbox.close()
    await store.close()
  }
}

/** The generated pages whose committed text differs from what they would be now. */
export async function staleDocs(): Promise<string[]> {
  const stale: string[] = []
  for (const [name, text] of await generatedDocs()) {
    const committed = await readFile(path.join(docsDir, name), 'utf8').catch(() => null)
    if (committed !== text) {
      stale.push(name)
    }
  }
  return stale
}

if (import.meta.main) {
  if (process.argv.includes('--check')) {
    const stale = await staleDocs()
    for (const name of stale) {
      process.stderr.write(`docs/${name} is out of date: run npm run docs\n`)
    }
    process.exitCode = stale.length > 0 ? 1 : 0
  } else {
    for (const [name, text] of await generatedDocs()) {
      await writeFile(path.join(docsDir, name), text)
      process.stdout.write(`wrote docs/${name}\n`)
    }
  }
}
