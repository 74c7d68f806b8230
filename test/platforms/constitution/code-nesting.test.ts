import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { findDeepNesting, maxCodeNesting } from '../../../src/platforms/constitution/code-nesting.ts'

describe('code nesting', () => {
  it('finds the line where brackets first nest past the limit', () => {
    assert.equal(findDeepNesting(`return ${'('.repeat(maxCodeNesting)}1${')'.repeat(maxCodeNesting)}`), null)
    assert.equal(findDeepNesting(`let a = 1\n\nreturn ${'[{('.repeat(maxCodeNesting)}`), 3)
  })

  it('does not count brackets in strings, template text or comments', () => {
    const many = '('.repeat(maxCodeNesting + 1)
    for (const code of [
      `return "${many}"`,
      `return '${many}\\'${many}'`,
      `return \`${many}\n${many}\``,
      `// ${many}\nreturn 1`,
      `/* ${many} */ return 1`,
    ]) {
      assert.equal(findDeepNesting(code), null, code.slice(0, 20))
    }
    assert.equal(findDeepNesting(`/* a\nb */ "x\\"" // c\n${many}`), 3, 'lines still count past them')
  })
})
