// Fails when the TypeScript sources under the given folder import each other in a cycle, type-only
// imports included (a cycle of types still ties the modules' meanings together): `npm run lint`
// runs it over src/. ESLint's import plugins skip type-only imports, so this walks the imports itself.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/** The `.ts` files under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) {
      return sourceFiles(file)
    }
    return file.endsWith('.ts') && !file.endsWith('.d.ts') ? [file] : []
  })
}

/** Each file's relative imports (and re-exports) inside `files`, as absolute paths. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.resolve(path.dirname(file), name))
      .filter((target) => known.has(target))
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** The strongly connected components of more than one file, or of one that imports itself (Tarjan). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (file: string): void => {
    index.set(file, next)
    low.set(file, next)
    next += 1
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0))
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = []
      for (;;) {
        const member = stack.pop()
        if (member === undefined) {
          break
        }
        onStack.delete(member)
        component.push(member)
        if (member === file) {
          break
        }
      }
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
        cycles.push(component.toSorted())
      }
    }
  }
  for (const file of graph.keys()) {
    if (!index.has(file)) {
      visit(file)
    }
  }
  return cycles
}

const root = path.resolve(process.argv[2] ?? 'src')
const cycles = importCycles(importGraph(sourceFiles(root)))
for (const cycle of cycles) {
  process.stderr.write(`import cycle: ${cycle.map((f) => path.relative(process.cwd(), f)).join(' ⇄ ')}\n`)
}
process.exitCode = cycles.length > 0 ? 1 : 0
