import fc from 'fast-check'
import type { JsonSchema } from './openapi-operations.ts'

/** Strings that have broken servers: NUL, lone surrogates, numbers past int4, paths, markup, SQL. */
export const hostileStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '💥'.repeat(50),
  'x'.repeat(101),
  'x'.repeat(5000),
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '1e309',
  'NaN',
  '-0',
  'true',
  'null',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '%00',
  '\r\nSet-Cookie: x=1',
  'ADMIN',
  ' admin ',
  'Admin\u200b',
  // Policy code that nests past any parser's stack.
  `return ${'('.repeat(5000)}1`,
  `return ${'!'.repeat(20000)}1`,
]

/** Numbers at and past the edges of int4, doubles and JSON. */
export const hostileNumbers = [
  0,
  -1,
  1,
  -0,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e308,
  Number.MIN_VALUE,
]

/** Path or query values (already URL-encoded where they need to be) that ids and tokens get. */
export const hostileParams = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  'Infinity',
  'NaN',
  'abc',
  '%00',
  '1%00',
  '%20',
  '%E2%80%AE',
  '%F0%9F%92%A5',
  '%25',
  '..',
  '%2e%2e%2f',
  '%D9%A3',
  'x'.repeat(300),
]

export interface ValueContext {
  /**
   * Mostly well-formed values (right types, ordinary strings, real ids), to get past validation
   * into what runs after it; otherwise mostly hostile ones.
   */
  mild?: boolean
  /** Strings worth sending where a string goes: real usernames, role names, action types… */
  strings: string[]
  /** Numbers worth sending where an integer goes: real ids. */
  ids: number[]
}

const anyJson = fc.jsonValue({ maxDepth: 2 })

/** Anything, mostly hostile. */
export function hostileValue(context: ValueContext): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...hostileStrings),
    fc.constantFrom(...hostileNumbers),
    fc.constantFrom(null, true, false, [], {}),
    context.ids.length > 0 ? fc.constantFrom(...context.ids) : fc.constant(1),
    anyJson,
  )
}

function stringValue(schema: JsonSchema, context: ValueContext): fc.Arbitrary<unknown> {
  if (context.mild === true) {
    return fc.string({ minLength: 1, maxLength: Math.min(schema.maxLength ?? 20, 20), unit: 'grapheme-ascii' })
  }
  const choices: fc.WeightedArbitrary<unknown>[] = [
    { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  ]
  if (context.strings.length > 0) {
    choices.push({ weight: 3, arbitrary: fc.constantFrom(...context.strings) })
  }
  if (schema.maxLength !== undefined) {
    choices.push({ weight: 1, arbitrary: fc.constant('y'.repeat(schema.maxLength + 1)) })
  }
  return fc.oneof(...choices)
}

function numberValue(context: ValueContext): fc.Arbitrary<unknown> {
  if (context.mild === true) {
    return context.ids.length > 0 ? fc.constantFrom(...context.ids) : fc.integer({ min: 1, max: 10 })
  }
  return fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 50 }) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
    { weight: 3, arbitrary: context.ids.length > 0 ? fc.constantFrom(...context.ids) : fc.constant(1) },
    { weight: 1, arbitrary: fc.double() },
  )
}

/** The schema a `$ref` names, within `root` (`#/$defs/x`, `#/components/schemas/x`); undefined when it names nothing. */
function resolve(ref: string, root: JsonSchema): JsonSchema | undefined {
  let at: unknown = root
  for (const part of ref.replace(/^#\//, '').split('/')) {
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined
  }
  return typeof at === 'object' && at !== null ? at : undefined
}

/**
 * Values for a JSON Schema, malformed on purpose: mostly the right shape with hostile contents
 * (NUL, numbers past int4, over-long strings, real ids of other things), sometimes a field
 * missing, of the wrong type or added, so refusals and near-misses both get exercised.
 */
export function valueFor(
  schema: JsonSchema,
  context: ValueContext,
  root: JsonSchema = schema,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (depth > 5) {
    return hostileValue(context)
  }
  const wrong = { weight: context.mild === true ? 0 : 1, arbitrary: hostileValue(context) }
  if (schema.$ref !== undefined) {
    const target = resolve(schema.$ref, root)
    return target ? valueFor(target, context, root, depth + 1) : anyJson
  }
  if (schema.const !== undefined) {
    return fc.oneof({ weight: 6, arbitrary: fc.constant(schema.const) }, wrong)
  }
  if (schema.enum !== undefined && schema.enum.length > 0) {
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...schema.enum) }, wrong)
  }
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives !== undefined && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((s) => valueFor(s, context, root, depth + 1)))
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => valueFor({ ...schema, type }, context, root, depth)))
  }
  const right = ((): fc.Arbitrary<unknown> => {
    switch (types[0] ?? 'any') {
      case 'string':
        return stringValue(schema, context)
      case 'integer':
      case 'number':
        return numberValue(context)
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      case 'array':
        return fc.array(schema.items ? valueFor(schema.items, context, root, depth + 1) : anyJson, { maxLength: 4 })
      case 'object':
        return objectValue(schema, context, root, depth)
      default:
        return anyJson
    }
  })()
  return fc.oneof({ weight: 8, arbitrary: right }, wrong)
}

/** Keys an attacker adds: prototype names, NUL, empty. */
const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'a\u0000', '', 'extra')

function objectValue(
  schema: JsonSchema,
  context: ValueContext,
  root: JsonSchema,
  depth: number,
): fc.Arbitrary<unknown> {
  const required = new Set(schema.required ?? [])
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    fc
      .oneof(
        { weight: required.has(name) ? 9 : 5, arbitrary: valueFor(property, context, root, depth + 1).map((v) => [v]) },
        { weight: 1, arbitrary: fc.constant([]) },
      )
      .map((found) => (found.length === 0 ? [] : [[name, found[0]] as const])),
  )
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant<(readonly [string, unknown])[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(hostileKeys, hostileValue(context)), { maxLength: 2 }) },
  )
  return fc.tuple(fc.tuple(...fields), extras).map(([present, extra]) => {
    const object: Record<string, unknown> = {}
    for (const [key, value] of [...present.flat(), ...extra]) {
      // defineProperty: `__proto__` becomes a key of the JSON text, not the object's prototype.
      Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true })
    }
    return object
  })
}
