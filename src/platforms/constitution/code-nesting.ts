/**
 * How deep policy code may nest brackets, braces and parentheses. Real policies nest a handful of
 * levels; QuickJS's parser recurses once per level and, in WebAssembly, on the host's own stack,
 * which a few hundred levels of `(` exhaust on the main thread.
 */
export const maxCodeNesting = 200

/**
 * The 1-based line where `code`'s brackets, braces and parentheses first nest deeper than
 * `maxCodeNesting`, or null: one pass, skipping strings, template text and comments (a bracket in
 * a regular expression may count; nothing real comes near the limit that way).
 */
export function findDeepNesting(code: string): number | null {
  let depth = 0
  let line = 1
  let i = 0
  const skipUntil = (end: string, escapes: boolean) => {
    while (i < code.length && !code.startsWith(end, i)) {
      if (code[i] === '\n') {
        line += 1
      }
      i += escapes && code[i] === '\\' ? 2 : 1
    }
    i += end.length
  }
  while (i < code.length) {
    const c = code[i]
    i += 1
    if (c === '\n') {
      line += 1
    } else if (c === '"' || c === "'" || c === '`') {
      skipUntil(c, true)
    } else if (c === '/' && code[i] === '/') {
      skipUntil('\n', false)
      line += 1
    } else if (c === '/' && code[i] === '*') {
      i += 1
      skipUntil('*/', false)
    } else if (c === '(' || c === '[' || c === '{') {
      depth += 1
      if (depth > maxCodeNesting) {
        return line
      }
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1)
    }
  }
  return null
}
