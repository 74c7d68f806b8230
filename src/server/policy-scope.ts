import { z } from 'zod'
import type { ActionKind } from '../domain/action.ts'
import type { PlatformDef } from '../platforms/platform.ts'
import type { PolicyNameJson, PolicyScopeJson } from './presenters.ts'

type Kind = PolicyNameJson['kind']

const name =
  (kind: Kind) =>
  (path: string, detail: string, doc: string): PolicyNameJson => ({ path, kind, detail, doc })
const variable = name('variable')
const property = name('property')
const method = name('method')
const constant = name('constant')

/**
 * The names in every block whatever the platforms (DESIGN §4, as the engine's run context makes
 * them): the action, the proposal, the policy, its variables, the logger and the results.
 */
export const basePolicyNames: readonly PolicyNameJson[] = [
  variable('action', 'object', "The action being governed: its fields, and its type's own params (text, channel, …)."),
  property('action.id', 'number', 'The action id.'),
  property('action.kind', "'platform' | 'constitution' | 'trigger'", 'What sort of action this is.'),
  property('action.type', 'string', 'The action type, e.g. slack.postMessage or constitution.addRole.'),
  property('action.platform', 'string', 'The platform of the action type.'),
  property(
    'action.initiator',
    'object | null',
    'The member who took or proposed the action, or null when PolicyKit did.',
  ),
  property('action.initiator.id', 'number', 'The member id in this community.'),
  property('action.initiator.username', 'string', 'The username.'),
  property('action.initiator.displayName', 'string', 'The name shown to people.'),
  property('action.initiator.platform', 'string', "The platform the action came from (e.g. 'slack', 'local')."),
  property('action.initiator.roles', 'string[]', 'The names of the roles the member has.'),
  method('action.initiator.hasRole', '(name: string) => boolean', 'Whether the member has the role with this name.'),
  property('action.createdAt', 'number', 'When the action was made (epoch milliseconds).'),
  variable('proposal', 'object', 'This evaluation of the action by the policy: its status, votes and data store.'),
  property('proposal.id', 'number', 'The proposal id.'),
  property(
    'proposal.number',
    'number',
    'Its number within the community (1, 2, 3…): what the dashboard and vote messages call "Proposal #3".',
  ),
  property('proposal.status', "'proposed' | 'passed' | 'failed'", 'Where the proposal stands.'),
  property('proposal.proposedAt', 'number', 'When the proposal started (epoch milliseconds).'),
  method('proposal.getTimeElapsed', '() => number', 'Milliseconds since the proposal started.'),
  method('proposal.getYesVotes', '(users?) => Vote[]', 'The yes votes, optionally only those of the given users.'),
  method('proposal.getNoVotes', '(users?) => Vote[]', 'The no votes, optionally only those of the given users.'),
  method('proposal.getChoiceVotes', '(value?, users?) => Vote[]', 'Votes for choices, optionally only for one value.'),
  method('proposal.getNumberVotes', '(value?, users?) => Vote[]', 'Votes with a number, optionally only one value.'),
  method(
    'proposal.getAllVotes',
    '(users?) => Vote[]',
    "Every vote cast. A Vote is { memberId, kind: 'boolean' | 'choice' | 'number', value, castAt }; users are member ids, usernames or members.",
  ),
  property('proposal.votePostId', 'string | null', "The id of the vote's post or message, once a vote is opened."),
  property('proposal.voteUrl', 'string | null', 'Where the vote is held, once a vote is opened.'),
  property(
    'proposal.data',
    'store',
    "The proposal's own data store: state kept from one block or evaluation to the next.",
  ),
  method('proposal.data.get', '(key: string) => value', 'The value stored under key, or undefined.'),
  method('proposal.data.set', '(key: string, value) => void', 'Stores a JSON value under key.'),
  method('proposal.data.remove', '(key: string) => void', 'Removes the value stored under key.'),
  variable('policy', 'object', 'This policy.'),
  property('policy.id', 'number', 'The policy id.'),
  property('policy.name', 'string', 'The policy name.'),
  property('policy.description', 'string', 'The policy description.'),
  property('policy.kind', "'platform' | 'constitution' | 'trigger'", 'Which actions the policy governs.'),
  property('policy.actionTypes', 'string[]', 'The action types it lists (none: a base policy).'),
  variable('variables', 'object', "The policy's configured variables by name."),
  variable('logger', 'object', "Writes to the proposal's evaluation log, shown on its page in the dashboard."),
  method('logger.debug', '(message, details?) => void', 'Logs at debug level.'),
  method('logger.info', '(message, details?) => void', 'Logs at info level.'),
  method('logger.warn', '(message, details?) => void', 'Logs a warning.'),
  method('logger.error', '(message, details?) => void', 'Logs an error.'),
  constant('PASSED', "'passed'", 'Return from check: the proposal passes.'),
  constant('FAILED', "'failed'", 'Return from check: the proposal fails.'),
  constant('PROPOSED', "'proposed'", 'Return from check: not decided yet.'),
]

/** A platform's `<name>` object and its functions, from what it declares. */
export function platformPolicyNames(platform: PlatformDef): PolicyNameJson[] {
  const functions = Object.keys(platform.functions ?? {}).sort()
  if (functions.length === 0) {
    return []
  }
  const docs = platform.policyDocs
  return [
    {
      path: platform.name,
      kind: 'namespace',
      detail: 'platform',
      doc: docs?.summary ?? `The ${platform.name} platform.`,
    },
    ...functions.map((fn) => {
      const doc = docs?.functions[fn]
      return method(`${platform.name}.${fn}`, doc?.signature ?? '(…)', doc?.doc ?? 'Not documented yet.')
    }),
  ]
}

/** A JSON Schema type as people read it: `string`, `number[]`, `'a' | 'b'`. */
function schemaType(schema: unknown): string {
  const parsed = jsonSchemaNode.safeParse(schema)
  if (!parsed.success) {
    return 'any'
  }
  const node = parsed.data
  if (node.enum) {
    return node.enum.map((v) => JSON.stringify(v).replaceAll('"', "'")).join(' | ')
  }
  if (node.const !== undefined) {
    return JSON.stringify(node.const).replaceAll('"', "'")
  }
  const union = node.anyOf ?? node.oneOf
  if (union) {
    return [...new Set(union.map(schemaType))].join(' | ')
  }
  const type = Array.isArray(node.type) ? node.type.join(' | ') : node.type
  if (type === 'array') {
    const item = schemaType(node.items)
    return item.includes(' ') ? `(${item})[]` : `${item}[]`
  }
  if (type === 'integer') {
    return 'number'
  }
  return type ?? 'any'
}

const jsonSchemaNode = z.object({
  type: z.union([z.string(), z.array(z.string())]).optional(),
  enum: z.array(z.unknown()).optional(),
  const: z.unknown().optional(),
  anyOf: z.array(z.unknown()).optional(),
  oneOf: z.array(z.unknown()).optional(),
  items: z.unknown().optional(),
  description: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  required: z.array(z.string()).optional(),
})

/** `action.<field>` for each of a schema's top-level properties (optional ones marked `?`). */
function fieldsOf(schema: z.ZodType): PolicyNameJson[] {
  let json: unknown
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  } catch {
    return []
  }
  const parsed = jsonSchemaNode.safeParse(json)
  if (!parsed.success || !parsed.data.properties) {
    return []
  }
  const required = new Set(parsed.data.required ?? [])
  return Object.entries(parsed.data.properties).map(([field, node]) => {
    const described = jsonSchemaNode.safeParse(node)
    const doc = described.success ? (described.data.description ?? '') : ''
    return property(`action.${field}`, `${schemaType(node)}${required.has(field) ? '' : ' | undefined'}`, doc)
  })
}

/**
 * Everything policy code can name with these platforms: the base names, each platform's object,
 * and each action and trigger type's fields. The editor's completion (`GET …/policy-api`) and
 * `docs/reference.md` (`npm run docs`) are both this.
 */
export function policyScope(platforms: readonly PlatformDef[]): PolicyScopeJson {
  const actionTypes: PolicyScopeJson['actionTypes'] = []
  for (const platform of platforms) {
    const kind: ActionKind = platform.kind ?? 'platform'
    for (const [action, def] of Object.entries(platform.actions)) {
      actionTypes.push({
        type: `${platform.name}.${action}`,
        kind,
        description: def.description,
        fields: fieldsOf(def.params),
      })
    }
    for (const [trigger, def] of Object.entries(platform.triggers ?? {})) {
      actionTypes.push({
        type: `${platform.name}.${trigger}`,
        kind: 'trigger',
        description: def.description,
        fields: fieldsOf(def.data),
      })
    }
  }
  return { names: [...basePolicyNames, ...platforms.flatMap(platformPolicyNames)], actionTypes }
}
