import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * The folder holding PolicyKit's package.json, found from this module: the same whether it runs
 * as TypeScript source (`src/…`) or bundled into `build/server/` (`npm start`).
 */
export const projectRoot = findRoot(import.meta.dirname)

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return dir
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`PolicyKit's package.json was not found above ${start}`)
    }
  }
}
