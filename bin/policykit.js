#!/usr/bin/env node
// Runs the TypeScript CLI directly. An older system Node (without type stripping) hands over to
// the Node 24 that the project pins as a devDependency.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
const [major] = process.versions.node.split('.').map(Number)

if (major >= 23) {
  await import(cli)
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url))
  if (!existsSync(pinned)) {
    process.stderr.write(`policykit needs Node 24 (this is ${process.version}); run npm ci first\n`)
    process.exit(1)
  }
  const run = spawnSync(pinned, [cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(run.status ?? 1)
}
