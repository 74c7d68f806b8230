import { z } from 'zod'
import { int4 } from './int4.ts'
// errors.ts imports nothing: a parse at the edge throws the app's own error, as everywhere else.
import { AppError } from '../errors.ts'
import { actionKinds } from './action.ts'
import { jsonValueSchema, type JsonValue } from './json.ts'
import {
  blockNames,
  variableTypes,
  type Policy,
  type PolicyBlocks,
  type PolicyVariable,
  type VariableType,
} from './policy.ts'
import { nameSchema } from './names.ts'

/**
 * A policy as a portable JSON document: what `policy export` writes, `policy import` and
 * `constitution.addPolicy` read, and what the starter kits are made of. Ids, versions and the
 * active flag stay behind: they belong to one community's copy, not to the policy.
 */
export const policyDocumentFormat = 'policykit.policy/1'

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const actionType = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)+$/
const maxBlockLength = 100_000

/** Whether one (non-list) value fits a variable type; null means "no value" and always fits. */
function fitsType(type: VariableType, value: JsonValue): boolean {
  switch (type) {
    case 'string':
    case 'role':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'timestamp':
      // Milliseconds since the epoch, the unit of `proposal.proposedAt` and `getTimeElapsed()`.
      return typeof value === 'number' && Number.isInteger(value)
    case 'member':
      // A username travels between communities; a member id only names one community's member.
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))
    case 'json':
      return true
  }
}

function fitsVariable(variable: { type: VariableType; isList: boolean }, value: JsonValue): boolean {
  if (value === null) {
    return true
  }
  if (variable.isList) {
    return Array.isArray(value) && value.every((v) => v !== null && fitsType(variable.type, v))
  }
  return fitsType(variable.type, value)
}

function describeType(variable: { type: VariableType; isList: boolean }): string {
  return variable.isList ? `a list of ${variable.type} values` : `a ${variable.type} value`
}

const variableSchema = z
  .strictObject({
    name: z.string().regex(identifier, 'must be a JavaScript identifier'),
    label: z.string().max(200).default(''),
    type: z.enum(variableTypes),
    isList: z.boolean().default(false),
    default: jsonValueSchema.default(null),
    value: jsonValueSchema.optional(),
  })
  .superRefine((v, ctx) => {
    for (const key of ['default', 'value'] as const) {
      const value = v[key]
      if (value !== undefined && !fitsVariable(v, value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must be ${describeType(v)} or null` })
      }
    }
  })

const block = z.string().max(maxBlockLength).default('')

const blocksSchema = z
  .strictObject({
    filter: block,
    initialize: block,
    check: block,
    notify: block,
    pass: block,
    fail: block,
  })
  .default({ filter: '', initialize: '', check: '', notify: '', pass: '', fail: '' })

export const policyDocumentSchema = z
  .strictObject({
    format: z.literal(policyDocumentFormat),
    name: nameSchema(200),
    description: z.string().max(10_000).default(''),
    kind: z.enum(actionKinds),
    actionTypes: z.array(z.string().regex(actionType, 'must be an action type such as slack.postMessage')).default([]),
    priority: int4.default(0),
    variables: z.array(variableSchema).default([]),
    blocks: blocksSchema,
  })
  .superRefine((doc, ctx) => {
    const seenTypes = new Set<string>()
    doc.actionTypes.forEach((type, i) => {
      if (seenTypes.has(type)) {
        ctx.addIssue({ code: 'custom', path: ['actionTypes', i], message: `${type} is listed twice` })
      }
      seenTypes.add(type)
      const isConstitution = type.startsWith('constitution.')
      if (doc.kind === 'constitution' && !isConstitution) {
        ctx.addIssue({
          code: 'custom',
          path: ['actionTypes', i],
          message: 'a constitution policy governs constitution.* types only',
        })
      }
      if (doc.kind === 'platform' && isConstitution) {
        ctx.addIssue({
          code: 'custom',
          path: ['actionTypes', i],
          message: 'constitution.* types are governed by constitution policies',
        })
      }
    })
    if (doc.kind === 'trigger' && doc.actionTypes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['actionTypes'],
        message: 'a trigger policy must list the event types it reacts to',
      })
    }
    const seenNames = new Set<string>()
    doc.variables.forEach((v, i) => {
      if (seenNames.has(v.name)) {
        ctx.addIssue({ code: 'custom', path: ['variables', i, 'name'], message: `${v.name} is declared twice` })
      }
      seenNames.add(v.name)
    })
  })

export type PolicyDocument = z.infer<typeof policyDocumentSchema>

/** A policy's content, as the store takes it (structurally the store's PolicyInput). */
export type PolicyContent = Pick<
  Policy,
  'name' | 'description' | 'kind' | 'actionTypes' | 'priority' | 'variables' | 'blocks'
>

/** `path: message` for each problem, e.g. `variables.0.default: must be a number value or null`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`)
}

/** Parses a document from JSON; throws `invalid_input` listing every problem with its path. */
export function parsePolicyDocument(json: unknown): PolicyDocument {
  const parsed = policyDocumentSchema.safeParse(json)
  if (!parsed.success) {
    throw new AppError('invalid_input', `invalid policy document:\n  ${formatIssues(parsed.error).join('\n  ')}`)
  }
  return parsed.data
}

export function toPolicyDocument(policy: PolicyContent): PolicyDocument {
  const blocks: PolicyBlocks = { filter: '', initialize: '', check: '', notify: '', pass: '', fail: '' }
  for (const name of blockNames) {
    blocks[name] = policy.blocks[name] ?? ''
  }
  return {
    format: policyDocumentFormat,
    name: policy.name,
    description: policy.description,
    kind: policy.kind,
    actionTypes: [...policy.actionTypes],
    priority: policy.priority,
    variables: policy.variables.map((v) => ({
      name: v.name,
      label: v.label,
      type: v.type,
      isList: v.isList,
      default: v.default,
      // Only a value set in this community; null means "use the default".
      ...(v.value !== null && v.value !== undefined && { value: v.value }),
    })),
    blocks,
  }
}

export function toPolicyInput(doc: PolicyDocument): PolicyContent {
  return {
    name: doc.name,
    description: doc.description,
    kind: doc.kind,
    actionTypes: [...doc.actionTypes],
    priority: doc.priority,
    variables: doc.variables.map((v): PolicyVariable => ({
      name: v.name,
      label: v.label,
      type: v.type,
      isList: v.isList,
      default: v.default,
      value: v.value ?? null,
    })),
    blocks: { ...doc.blocks },
  }
}
