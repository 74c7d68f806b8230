import type { JsonObject, JsonValue } from '../../src/domain/json.ts'

/** Which list an id field picks from (a select instead of a number to type). */
export type Reference = 'role' | 'member' | 'policy' | 'document' | 'integration'

interface Common {
  /** Dotted path from the params' root, e.g. `blocks.check`. */
  path: string
  name: string
  label: string
  description: string
  required: boolean
  /** May be set to null (e.g. `sweepSeconds: null`, back to the server's default). */
  nullable: boolean
  /** The schema's default, if it has one. */
  default: JsonValue | undefined
}

/** A form field for one property of an action's params, from its JSON Schema. */
export type SchemaField = Common &
  (
    | { kind: 'string'; multiline: boolean; minLength: number | null; maxLength: number | null }
    | { kind: 'number'; integer: boolean; min: number | null; max: number | null; reference: Reference | null }
    | { kind: 'boolean' }
    | { kind: 'enum'; options: string[] }
    | { kind: 'stringList' }
    | { kind: 'object'; fields: SchemaField[] }
    | { kind: 'json' }
  )

const references = new Map<string, Reference>([
  ['roleId', 'role'],
  ['memberId', 'member'],
  ['policyId', 'policy'],
  ['documentId', 'document'],
  ['integrationId', 'integration'],
])

const longText = new Set(['text', 'description', 'body', 'message'])

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `sweepSeconds` → "Sweep seconds"; `roleId` → "Role". */
export function humanize(name: string): string {
  const reference = references.get(name)
  const base = reference ?? name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
  return base.charAt(0).toUpperCase() + base.slice(1)
}

function resolve(schema: JsonObject, root: JsonObject): JsonObject {
  const ref = schema['$ref']
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    let target: JsonValue | undefined = root
    for (const part of ref.slice(2).split('/')) {
      target = isObject(target) ? target[part] : undefined
    }
    return isObject(target) ? target : {}
  }
  return schema
}

/** The schema without its `null` alternative, and whether there was one. */
function withoutNull(schema: JsonObject): { schema: JsonObject; nullable: boolean } {
  const anyOf = schema['anyOf'] ?? schema['oneOf']
  if (Array.isArray(anyOf)) {
    const options = anyOf.filter(isObject)
    const others = options.filter((o) => o['type'] !== 'null')
    const only = others[0]
    if (others.length === 1 && only && options.length === 2) {
      return {
        schema: { ...only, ...(schema['description'] !== undefined && { description: schema['description'] }) },
        nullable: true,
      }
    }
  }
  const type = schema['type']
  if (Array.isArray(type) && type.includes('null')) {
    const rest = type.filter((t) => t !== 'null')
    return { schema: { ...schema, type: rest.length === 1 ? (rest[0] ?? null) : rest }, nullable: true }
  }
  return { schema, nullable: false }
}

function numberOr(value: JsonValue | undefined): number | null {
  return typeof value === 'number' ? value : null
}

function toField(name: string, path: string, raw: JsonObject, root: JsonObject, required: boolean): SchemaField {
  const { schema, nullable } = withoutNull(resolve(raw, root))
  const common: Common = {
    path,
    name,
    label: humanize(name),
    description: typeof schema['description'] === 'string' ? schema['description'] : '',
    required,
    nullable,
    default: schema['default'],
  }
  const type = schema['type']
  const enumValues = schema['enum']
  if (Array.isArray(enumValues) && enumValues.every((v) => typeof v === 'string')) {
    return { ...common, kind: 'enum', options: enumValues }
  }
  if (type === 'string') {
    const maxLength = numberOr(schema['maxLength'])
    return {
      ...common,
      kind: 'string',
      multiline: longText.has(name) || (maxLength !== null && maxLength > 2000),
      minLength: numberOr(schema['minLength']),
      maxLength,
    }
  }
  if (type === 'integer' || type === 'number') {
    const exclusiveMinimum = numberOr(schema['exclusiveMinimum'])
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      min: numberOr(schema['minimum']) ?? (exclusiveMinimum === null ? null : exclusiveMinimum + 1),
      max: numberOr(schema['maximum']),
      reference: references.get(name) ?? null,
    }
  }
  if (type === 'boolean') {
    return { ...common, kind: 'boolean' }
  }
  if (type === 'array') {
    const items = isObject(schema['items']) ? resolve(schema['items'], root) : {}
    return items['type'] === 'string' && items['enum'] === undefined
      ? { ...common, kind: 'stringList' }
      : { ...common, kind: 'json' }
  }
  const properties = schema['properties']
  if (type === 'object' && isObject(properties)) {
    return { ...common, kind: 'object', fields: fieldsOf(schema, root, path) }
  }
  return { ...common, kind: 'json' }
}

/** The fields of an object schema, or null when it has no named properties (a free-form object). */
export function fieldsOf(schema: JsonObject, root: JsonObject = schema, prefix = ''): SchemaField[] {
  const properties = schema['properties']
  if (!isObject(properties)) {
    return []
  }
  const required = new Set(
    Array.isArray(schema['required']) ? schema['required'].filter((r) => typeof r === 'string') : [],
  )
  return Object.entries(properties).flatMap(([name, property]) =>
    isObject(property) ? [toField(name, prefix ? `${prefix}.${name}` : name, property, root, required.has(name))] : [],
  )
}

export type FormValues = Record<string, string | boolean>

/** What a field starts with: the schema's default, else empty. */
function initialValue(field: SchemaField): string | boolean {
  const value = field.default
  switch (field.kind) {
    case 'boolean':
      return value === true
    case 'stringList':
      return Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('\n') : ''
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2)
    case 'string':
    case 'enum':
      return typeof value === 'string' ? value : ''
    case 'number':
      return typeof value === 'number' ? String(value) : ''
    case 'object':
      return ''
  }
}

/** Every field's starting value by path, with `preset` (from the URL) over the defaults. */
export function initialValues(fields: SchemaField[], preset: Record<string, string>): FormValues {
  const values: FormValues = {}
  for (const field of fields) {
    if (field.kind === 'object') {
      Object.assign(values, initialValues(field.fields, preset))
      continue
    }
    const given = preset[field.path]
    values[field.path] = given === undefined ? initialValue(field) : field.kind === 'boolean' ? given === 'true' : given
  }
  return values
}

function fieldValue(field: SchemaField, values: FormValues, nulls: Record<string, boolean>): JsonValue | undefined {
  if (field.nullable && nulls[field.path]) {
    return null
  }
  if (field.kind === 'object') {
    const nested = buildParams(field.fields, values, nulls)
    return Object.keys(nested).length === 0 && !field.required ? undefined : nested
  }
  const raw = values[field.path]
  if (field.kind === 'boolean') {
    return raw === true
  }
  const text = typeof raw === 'string' ? raw : ''
  if (text.trim() === '' && field.kind !== 'string') {
    return undefined
  }
  switch (field.kind) {
    case 'string':
      return text === '' && !field.required ? undefined : text
    case 'enum':
      return text
    case 'number': {
      const number = Number(text)
      if (!Number.isFinite(number) || (field.integer && !Number.isInteger(number))) {
        throw new Error(`${field.label}: must be ${field.integer ? 'a whole number' : 'a number'}`)
      }
      return number
    }
    case 'stringList':
      return text
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter((item) => item !== '')
    case 'json':
      try {
        const parsed: unknown = JSON.parse(text)
        return parsed as JsonValue
      } catch (e) {
        throw new Error(`${field.label}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, {
          cause: e,
        })
      }
  }
}

/** The params the form says, leaving out optional fields left empty; throws on a value that does not parse. */
export function buildParams(fields: SchemaField[], values: FormValues, nulls: Record<string, boolean>): JsonObject {
  const params: JsonObject = {}
  for (const field of fields) {
    const value = fieldValue(field, values, nulls)
    if (value !== undefined) {
      params[field.name] = value
    }
  }
  return params
}
