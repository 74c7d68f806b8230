/**
 * The part of JSON Schema (draft 4, as Swagger 2.0 uses it) that Slack's specs use: `$ref`,
 * `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const` (OpenAPI 3.1,
 * as Discord's spec uses it), `pattern`,
 * `minItems`, `uniqueItems`, `anyOf`/`oneOf`/`allOf`. Enough to hold the fake's answers to
 * the published shapes; `format` and annotations are ignored.
 */
export type Schema = { [keyword: string]: unknown }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function typeOf(value: unknown): string {
  if (value === null) {
    return 'null'
  }
  if (Array.isArray(value)) {
    return 'array'
  }
  return typeof value
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'object':
      return isObject(value)
    default:
      return typeOf(value) === type
  }
}

/** Problems found, as `path: message` lines; empty when `value` matches. */
export function validateSchema(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root)
    if (!isObject(target)) {
      return [`${path}: unresolved $ref ${schema.$ref}`]
    }
    return validateSchema(value, target, root, path)
  }
  const errors: string[] = []
  const sub = (v: unknown, s: unknown, p: string) => (isObject(s) ? validateSchema(v, s, root, p) : [])

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((type) => hasType(value, type))) {
      return [`${path}: ${typeOf(value)} where ${types.join('|')} expected`]
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => option === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`)
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`)
  }
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
  }
  if (Array.isArray(schema.allOf)) {
    errors.push(...schema.allOf.flatMap((s) => sub(value, s, path)))
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = schema[keyword]
    if (Array.isArray(options)) {
      const matching = options.filter((s) => sub(value, s, path).length === 0).length
      if (matching === 0 || (keyword === 'oneOf' && matching > 1)) {
        errors.push(`${path}: matches ${matching} of the ${keyword} schemas`)
      }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      errors.push(`${path}: ${value.length} items, at least ${schema.minItems} expected`)
    }
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      errors.push(`${path}: items are not unique`)
    }
    const items = schema.items
    value.forEach((item, i) => {
      errors.push(...sub(item, Array.isArray(items) ? items[i] : items, `${path}[${i}]`))
    })
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {}
    const required: unknown[] = Array.isArray(schema.required) ? schema.required : []
    for (const name of required) {
      if (typeof name === 'string' && !(name in value)) {
        errors.push(`${path}: missing required ${name}`)
      }
    }
    for (const [name, field] of Object.entries(value)) {
      const fieldPath = `${path}.${name}`
      if (name in properties) {
        errors.push(...sub(field, properties[name], fieldPath))
      } else if (schema.additionalProperties === false) {
        errors.push(`${fieldPath}: not allowed`)
      } else {
        errors.push(...sub(field, schema.additionalProperties, fieldPath))
      }
    }
  }
  return errors
}
