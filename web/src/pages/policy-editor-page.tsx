import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import type { JsonObject, JsonValue } from '../../../src/domain/json.ts'
import type { BlockName, PolicyBlocks } from '../../../src/domain/policy.ts'
import type { PolicyCheckJson, PolicyJson, PolicyScopeJson, ProposeResultJson } from '../../../src/server/presenters.ts'
import { actionKindNames, toActionKind } from '../action-kind.ts'
import { errorMessage } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { BlockEditor } from '../components/block-editor.tsx'
import { ErrorText } from '../components/error-alert.tsx'
import { Link } from '../components/link.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { policyNames } from '../policy-api.ts'
import { policyCompletions } from '../policy-completions.ts'
import { followResult } from '../propose-result.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'

const blocks: { name: BlockName; about: string }[] = [
  { name: 'filter', about: 'Return true when this policy should govern the action.' },
  { name: 'initialize', about: 'Runs once, when the proposal starts.' },
  { name: 'check', about: 'Return PASSED, FAILED or PROPOSED (not decided yet).' },
  { name: 'notify', about: 'Runs once while the proposal is pending: open a vote, tell people.' },
  { name: 'pass', about: 'Runs when the proposal passes, before the action is carried out.' },
  { name: 'fail', about: 'Runs when the proposal fails.' },
]

const checkDelayMs = 500

const emptyBlocks: PolicyBlocks = { filter: '', initialize: '', check: '', notify: '', pass: '', fail: '' }

interface Draft {
  name: string
  description: string
  kind: string
  actionTypes: string
  priority: string
  variables: string
  active: boolean
  blocks: PolicyBlocks
}

function draftOf(policy: PolicyJson | null): Draft {
  return {
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    kind: policy?.kind ?? 'platform',
    actionTypes: policy?.actionTypes.join(', ') ?? '',
    priority: String(policy?.priority ?? 0),
    variables: JSON.stringify(policy?.variables ?? [], null, 2),
    active: true,
    blocks: { ...emptyBlocks, ...policy?.blocks },
  }
}

function splitTypes(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '')
}

function parseVariables(text: string): JsonValue[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.trim() === '' ? '[]' : text)
  } catch (e) {
    throw new Error(`Variables: not valid JSON (${errorMessage(e)})`, { cause: e })
  }
  if (!Array.isArray(parsed)) {
    throw new Error('Variables: must be a JSON list, e.g. [{ "name": "quorum", "type": "number", "default": 3 }]')
  }
  return parsed as JsonValue[]
}

function variableNames(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed)
      ? parsed.flatMap((v: unknown) =>
          typeof v === 'object' && v !== null && 'name' in v && typeof v.name === 'string' ? [v.name] : [],
        )
      : []
  } catch {
    return []
  }
}

/** The params of constitution.addPolicy (policyId null) or changePolicy (only what changed). */
function proposal(draft: Draft, initial: PolicyJson | null): { type: string; params: JsonObject } {
  const priority = Number(draft.priority)
  if (!Number.isInteger(priority)) {
    throw new Error('Priority: must be a whole number')
  }
  if (draft.name.trim() === '') {
    throw new Error('Name: must not be empty or only spaces')
  }
  const fields = {
    name: draft.name.trim(),
    description: draft.description,
    kind: draft.kind,
    actionTypes: splitTypes(draft.actionTypes),
    priority,
    variables: parseVariables(draft.variables),
  }
  if (initial === null) {
    return { type: 'constitution.addPolicy', params: { ...fields, blocks: { ...draft.blocks }, active: draft.active } }
  }
  const params: JsonObject = { policyId: initial.id }
  const before = draftOf(initial)
  if (fields.name !== initial.name) {
    params['name'] = fields.name
  }
  if (fields.description !== initial.description) {
    params['description'] = fields.description
  }
  if (fields.kind !== initial.kind) {
    params['kind'] = fields.kind
  }
  if (fields.actionTypes.join(',') !== initial.actionTypes.join(',')) {
    params['actionTypes'] = fields.actionTypes
  }
  if (fields.priority !== initial.priority) {
    params['priority'] = fields.priority
  }
  if (JSON.stringify(fields.variables) !== JSON.stringify(JSON.parse(before.variables))) {
    params['variables'] = fields.variables
  }
  const changedBlocks: JsonObject = {}
  for (const { name } of blocks) {
    if (draft.blocks[name] !== before.blocks[name]) {
      changedBlocks[name] = draft.blocks[name]
    }
  }
  if (Object.keys(changedBlocks).length > 0) {
    params['blocks'] = changedBlocks
  }
  if (Object.keys(params).length === 1) {
    throw new Error('Nothing has changed yet')
  }
  return { type: 'constitution.changePolicy', params }
}

/** `/c/:cid/policies/new` and `/c/:cid/policies/:pid/edit`: propose a new policy or a change. */
export function PolicyEditorPage({ policyId }: { policyId: number | null }) {
  const { api } = useApp()
  const { community } = useCommunity()
  const path = `/api/communities/${community.id}/policies/${policyId ?? 'new'}`
  const scopePath = `/api/communities/${community.id}/policy-api`
  const loaded = useResource(`${path} ${scopePath}`, async (signal) => ({
    policy: policyId === null ? null : await api.get<PolicyJson>(path, signal),
    scope: await api.get<PolicyScopeJson>(scopePath, signal),
  }))
  return (
    <ResourceView resource={loaded}>
      {({ policy, scope }) => <PolicyForm initial={policy} scope={scope} />}
    </ResourceView>
  )
}

/** Two action types of a kind the server knows, for the hint (a policy's own kind first). */
function exampleTypes(scope: PolicyScopeJson, kind: string): string[] {
  const ofKind = scope.actionTypes.filter((t) => t.kind === kind).map((t) => t.type)
  const preferred = ofKind.filter((t) => !t.startsWith('constitution.') || kind === 'constitution')
  return (preferred.length > 0 ? preferred : ofKind).slice(0, 2)
}

function PolicyForm({ initial, scope }: { initial: PolicyJson | null; scope: PolicyScopeJson }) {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const title = initial ? `Change ${initial.name}` : 'New policy'
  usePageTitle(title)
  const [draft, setDraft] = useState(() => draftOf(initial))
  const [problems, setProblems] = useState<PolicyCheckJson['errors']>([])
  const [checkNote, setCheckNote] = useState('')
  const [message, setMessage] = useState('')
  const { busy, error, run } = useSubmit()

  const draftRef = useRef(draft)
  useEffect(() => {
    draftRef.current = draft
  }, [draft])
  const completions = useMemo(
    () =>
      policyCompletions(() =>
        policyNames(scope, splitTypes(draftRef.current.actionTypes), variableNames(draftRef.current.variables)),
      ),
    [scope],
  )
  const examples = exampleTypes(scope, draft.kind)

  const checkPath = `/api/communities/${community.id}/policies/check`
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      api.post<PolicyCheckJson>(checkPath, { blocks: draft.blocks }).then(
        (result) => {
          if (current) {
            setProblems(result.errors)
            setCheckNote('')
          }
        },
        (e: unknown) => {
          if (current) {
            setCheckNote(`The code could not be checked: ${errorMessage(e)}`)
          }
        },
      )
    }, checkDelayMs)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [api, checkPath, draft.blocks])

  function update<K extends keyof Draft>(key: K, value: Draft[K]) {
    setDraft((d) => ({ ...d, [key]: value }))
  }

  function updateBlock(name: BlockName, code: string) {
    setDraft((d) => (d.blocks[name] === code ? d : { ...d, blocks: { ...d.blocks, [name]: code } }))
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setMessage('')
    await run(async () => {
      // A draft the page cannot read (variables that are not JSON) throws here, before sending.
      const body = proposal(draft, initial)
      const result = await api.post<ProposeResultJson>(`/api/communities/${community.id}/actions`, body)
      setMessage(followResult(base, result) ?? '')
    })
  }

  const problemCount = problems.length
  return (
    <>
      <h1>{title}</h1>
      <p className="hint">
        Saving proposes {initial ? 'constitution.changePolicy' : 'constitution.addPolicy'}: the community's constitution
        policies decide.
      </p>
      <form className="form wide-form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="policy-name">Name</label>
          <input
            id="policy-name"
            required
            maxLength={200}
            value={draft.name}
            onChange={(e) => update('name', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="policy-description">Description</label>
          <textarea
            id="policy-description"
            rows={3}
            value={draft.description}
            onChange={(e) => update('description', e.target.value)}
          />
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="policy-kind">Kind</label>
            <select id="policy-kind" value={draft.kind} onChange={(e) => update('kind', toActionKind(e.target.value))}>
              {actionKindNames.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="policy-priority">Priority</label>
            <input
              id="policy-priority"
              type="number"
              step={1}
              required
              value={draft.priority}
              onChange={(e) => update('priority', e.target.value)}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="policy-action-types">Action types</label>
          <input
            id="policy-action-types"
            autoCapitalize="none"
            spellCheck={false}
            aria-describedby="policy-action-types-hint"
            value={draft.actionTypes}
            onChange={(e) => update('actionTypes', e.target.value)}
          />
          <p id="policy-action-types-hint" className="hint">
            Comma-separated{examples.length > 0 ? ', e.g. ' : ''}
            {examples.length > 0 && <code>{examples.join(', ')}</code>}. None: a base policy for every type of its kind.
          </p>
        </div>
        <div className="field">
          <label htmlFor="policy-variables">Variables (JSON)</label>
          <textarea
            id="policy-variables"
            className="mono"
            rows={Math.min(12, Math.max(3, draft.variables.split('\n').length))}
            spellCheck={false}
            aria-describedby="policy-variables-hint"
            value={draft.variables}
            onChange={(e) => update('variables', e.target.value)}
          />
          <p id="policy-variables-hint" className="hint">
            A list of <code>{'{ name, label, type, isList, default, value }'}</code>; type is string, number, boolean,
            timestamp, member, role or json. Blocks read them as <code>variables.name</code>.
          </p>
        </div>
        {initial === null && (
          <div className="checkbox">
            <input
              id="policy-active"
              type="checkbox"
              checked={draft.active}
              onChange={(e) => update('active', e.target.checked)}
            />
            <label htmlFor="policy-active">Active when added</label>
          </div>
        )}

        <h2>Code</h2>
        <p className="hint">
          Each block is the body of a function. Ctrl+Space lists the names you can use; Tab moves on to the next field.
        </p>
        <p role="status" className={problemCount > 0 ? 'error-text' : 'muted'}>
          {problemCount === 0
            ? 'No syntax errors found.'
            : `${problemCount} syntax ${problemCount === 1 ? 'error' : 'errors'} in the code.`}
        </p>
        {checkNote && <p className="muted">{checkNote}</p>}
        {blocks.map(({ name, about }) => {
          return (
            <BlockEditor
              key={name}
              name={name}
              about={about}
              value={draft.blocks[name]}
              onChange={(code) => updateBlock(name, code)}
              problems={problems.filter((p) => p.block === name)}
              completions={completions}
            />
          )
        })}

        <ErrorText text={error} />
        <div aria-live="polite">{message && <p className="alert alert-success">{message}</p>}</div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {initial ? 'Propose change' : 'Propose policy'}
          </button>
          <Link
            href={initial ? `${base}/policies/${initial.id}` : `${base}/policies`}
            className="button button-secondary"
          >
            Cancel
          </Link>
        </div>
      </form>
    </>
  )
}
