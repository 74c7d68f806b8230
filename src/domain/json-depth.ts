import { AppError } from '../errors.ts'

/** How deep JSON from outside may nest: far beyond any real payload, far below any stack. */
export const maxJsonDepth = 64

const quote = 0x22
const backslash = 0x5c
const openBrace = 0x7b
const openBracket = 0x5b
const closeBrace = 0x7d
const closeBracket = 0x5d

/**
 * Refuses (`invalid_input`) JSON text whose arrays and objects nest deeper than `maxJsonDepth`,
 * in one pass over its characters and before anything parses it: validators and walkers recurse,
 * so a body 10,000 levels deep would overflow their stack. Brackets inside strings do not count;
 * text that is not JSON at all is left for the parser to refuse.
 */
export function checkJsonDepth(text: string, what = 'the JSON body'): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === backslash) {
        i += 1
      } else if (c === quote) {
        inString = false
      }
    } else if (c === quote) {
      inString = true
    } else if (c === openBrace || c === openBracket) {
      depth += 1
      if (depth > maxJsonDepth) {
        throw new AppError('invalid_input', `${what} is nested deeper than ${maxJsonDepth} levels`)
      }
    } else if (c === closeBrace || c === closeBracket) {
      depth -= 1
    }
  }
}

/** `JSON.parse` for text from outside: depth checked first, and not-JSON is `invalid_input`. */
export function parseBoundedJson(text: string, what = 'the JSON body'): unknown {
  checkJsonDepth(text, what)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new AppError('invalid_input', `${what} is not JSON`)
  }
}
