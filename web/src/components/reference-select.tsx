import type {
  DocumentJson,
  IntegrationJson,
  MemberJson,
  PolicySummaryJson,
  RoleJson,
} from '../../../src/server/presenters.ts'
import type { ApiClient } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import type { Reference } from '../schema-fields.ts'
import { useResource } from '../use-resource.ts'

interface Choice {
  id: number
  label: string
}

const sources: Record<
  Reference,
  { path: string; load: (api: ApiClient, path: string, signal: AbortSignal) => Promise<Choice[]> }
> = {
  role: {
    path: 'roles',
    load: async (api, path, signal) =>
      (await api.get<RoleJson[]>(path, signal)).map((r) => ({ id: r.id, label: r.name })),
  },
  member: {
    path: 'members',
    load: async (api, path, signal) =>
      (await api.get<MemberJson[]>(path, signal)).map((m) => ({ id: m.id, label: `${m.displayName} (${m.username})` })),
  },
  policy: {
    path: 'policies',
    load: async (api, path, signal) =>
      (await api.get<PolicySummaryJson[]>(path, signal)).map((p) => ({
        id: p.id,
        label: `${p.name} (${p.kind}${p.active ? '' : ', inactive'})`,
      })),
  },
  document: {
    path: 'documents?all=true',
    load: async (api, path, signal) =>
      (await api.get<DocumentJson[]>(path, signal)).map((d) => ({
        id: d.id,
        label: `${d.name}${d.active ? '' : ' (inactive)'}`,
      })),
  },
  integration: {
    path: 'integrations',
    load: async (api, path, signal) =>
      (await api.get<IntegrationJson[]>(path, signal)).map((i) => ({
        id: i.id,
        label: `${i.platform} ${i.externalId}${i.active ? '' : ' (inactive)'}`,
      })),
  },
}

interface ReferenceSelectProps {
  id: string
  reference: Reference
  value: string
  required: boolean
  describedBy: string | undefined
  onChange: (value: string) => void
}

/** Picks a role, member, policy… by name for an id param; a number field when the list cannot be read. */
export function ReferenceSelect({ id, reference, value, required, describedBy, onChange }: ReferenceSelectProps) {
  const { api } = useApp()
  const { community } = useCommunity()
  const source = sources[reference]
  const path = `/api/communities/${community.id}/${source.path}`
  const choices = useResource(path, (signal) => source.load(api, path, signal))

  if (choices.state === 'failed') {
    return (
      <input
        id={id}
        type="number"
        min={1}
        step={1}
        required={required}
        aria-describedby={describedBy}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    )
  }
  return (
    <select
      id={id}
      required={required}
      aria-describedby={describedBy}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{choices.state === 'loading' ? 'Loading…' : `Choose a ${reference}`}</option>
      {choices.data?.map((c) => (
        <option key={c.id} value={String(c.id)}>
          {c.label}
        </option>
      ))}
    </select>
  )
}
