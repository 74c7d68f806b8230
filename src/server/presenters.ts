/**
 * The JSON shapes of the HTTP API: what every route under `/api` returns. The dashboard imports
 * these types (never code) from here; the route schemas in `routes/` describe the same shapes
 * for validation and the OpenAPI document. Times are epoch milliseconds.
 */
import type { ActionKind, ActionOrigin, ExecutionState } from '../domain/action.ts'
import type { LogLevel } from '../domain/community.ts'
import type { ConnectForm, FormConnection } from '../domain/connect-form.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import type { BlockName, PolicyBlocks, PolicyVariable } from '../domain/policy.ts'
import type { ProposalStatus } from '../domain/proposal.ts'

/** Every error response: `{ error: { code, message, issues? } }`. */
export interface ErrorJson {
  error: {
    /** invalid_input (400), unauthenticated (401), forbidden (403), not_found (404), conflict (409),
     * payload_too_large (413), rate_limited (429), platform_rejected (502), platform_unavailable (503), internal (500) */
    code: string
    message: string
    /** For invalid_input: what was wrong, field by field. */
    issues?: { path: string; message: string }[]
  }
}

export interface MembershipJson {
  communityId: number
  communityName: string
  memberId: number
}

/** `GET /api/session`: who is signed in, where they are a member, the token for state-changing requests. */
export interface SessionJson {
  user: { id: number; username: string; displayName: string }
  memberships: MembershipJson[]
  /** Send as the `X-CSRF-Token` header on every POST/PUT/PATCH/DELETE made with the session cookie. */
  csrfToken: string
}

export interface KitJson {
  name: string
  title: string
  description: string
}

/** A configured platform the first community can be founded from (`Set up with Slack`): its `links.setup`. */
export interface SetupPlatformJson {
  platform: string
  title: string
  /** A full-page link the browser follows with `?setup=<set-up token>&kit=<kit name>`. */
  setupPath: string
  /** What the community is founded from, e.g. `Slack workspace`. */
  place: string
  /** Who may found it, e.g. `an admin or owner of the workspace`. */
  who: string
  /** What the founder does, e.g. `Install PolicyKit in your Slack workspace`. */
  how: string
}

/** `GET /api/setup` (public). */
export interface SetupStatusJson {
  /** True while no community exists: the set-up link printed by `npm start` is then valid. */
  needed: boolean
  kits: KitJson[]
  platforms: SetupPlatformJson[]
}

export interface InviteJson {
  id: number
  /** Only in the response that created it: the single-use link. */
  url?: string
  createdAt: number
  expiresAt: number
  usedAt: number | null
  revokedAt: number | null
  /** Decided by the server's clock: `used` once accepted, `revoked`, `expired` after `expiresAt`. */
  status: 'open' | 'used' | 'revoked' | 'expired'
  createdBy: string
  /** A claim link: the existing member it gives a dashboard account to. */
  forMember: string | null
}

/** `GET /api/invites/:token` (public): what the invite page shows before accepting. */
export interface InviteInfoJson {
  communityId: number
  communityName: string
  /** A claim link: the member whose place the account takes. */
  forMember: string | null
  valid: boolean
  /** Why it is not valid, when it is not. */
  status: InviteJson['status']
}

export interface ApiTokenJson {
  id: number
  name: string
  /** Only in the response that created it; sent as `Authorization: Bearer <token>`. */
  token?: string
  createdAt: number
  lastUsedAt: number | null
}

export interface RoleJson {
  id: number
  name: string
  description: string
  permissions: string[]
  isDefault: boolean
}

export interface MemberJson {
  id: number
  username: string
  displayName: string
  /** Effective roles: the default role for a member with none. */
  roles: string[]
  /** Platforms the member has accounts on (`local`, `slack`, …). */
  platforms: string[]
  createdAt: number
}

/** `GET /api/communities/:cid`: the community and the caller's standing in it. */
export interface CommunityJson {
  id: number
  name: string
  settings: JsonObject
  createdAt: number
  me: {
    memberId: number
    username: string
    displayName: string
    roles: string[]
    /** The union of the caller's roles' permissions, for showing and hiding controls. */
    permissions: string[]
  }
}

export interface DocumentJson {
  id: number
  name: string
  text: string
  active: boolean
  updatedAt: number
}

export interface PolicySummaryJson {
  id: number
  name: string
  description: string
  kind: ActionKind
  actionTypes: string[]
  priority: number
  active: boolean
  version: number
  updatedAt: number
}

export interface PolicyJson extends PolicySummaryJson {
  variables: PolicyVariable[]
  blocks: PolicyBlocks
}

export interface PolicyVersionJson {
  versionId: number
  version: number
  name: string
  description: string
  kind: ActionKind
  actionTypes: string[]
  priority: number
  variables: PolicyVariable[]
  blocks: PolicyBlocks
  createdAt: number
}

/** `GET /policies/governing?kind=&type=`: who would govern an action of that type, in the order tried. */
export interface GoverningJson {
  kind: ActionKind
  type: string
  /** Candidates in evaluation order; the first whose filter accepts the action governs it. */
  candidates: PolicySummaryJson[]
}

/** `POST /policies/check`: a compile check of policy code before it is proposed. */
export interface PolicyCheckJson {
  ok: boolean
  errors: { block: BlockName; line: number | null; message: string }[]
}

/** `GET /action-types`: what can be proposed here, with a JSON Schema of each type's params for forms. */
export interface ActionTypeJson {
  type: string
  platform: string
  kind: ActionKind
  description: string
  /** JSON Schema (draft 2020-12) of `params`. */
  paramsSchema: JsonObject
  canPropose: boolean
  canExecute: boolean
  revertible: boolean
}

/**
 * One name policy code can use, by its dotted path (`proposal.data.get`): what the editor
 * completes and `docs/reference.md` lists, both made from the platforms' declarations.
 */
export interface PolicyNameJson {
  path: string
  kind: 'variable' | 'property' | 'method' | 'constant' | 'namespace'
  /** Its type or call signature. */
  detail: string
  doc: string
}

/** `GET /policy-api`: the names in scope in a policy block here, and each action type's own fields. */
export interface PolicyScopeJson {
  names: PolicyNameJson[]
  /** `action.<field>` for an action of each type (its params; a trigger's data is open-ended). */
  actionTypes: { type: string; kind: ActionKind; description: string; fields: PolicyNameJson[] }[]
}

export interface ActionJson {
  id: number
  kind: ActionKind
  type: string
  platform: string
  origin: ActionOrigin
  initiator: { id: number; username: string; displayName: string } | null
  params: JsonObject
  executionState: ExecutionState
  createdAt: number
}

/** `POST /actions` (propose) and `POST /policies/import`. */
export interface ProposeResultJson {
  /** executed: at once (the proposer holds execute); ungoverned: no policy governs it and it ran;
   * proposed/passed/failed/errored: a proposal was made; duplicate: seen before. */
  status: 'executed' | 'ungoverned' | 'duplicate' | ProposalStatus
  /** As it is when the response is sent: an action carried out within the request is `executed`. */
  action: ActionJson
  proposalId: number | null
  /** That proposal's number within the community ("Proposal #3"). */
  proposalNumber: number | null
  /**
   * The ids of what carrying the action out made, once it has (`documentId`, `roleId`, a new
   * policy's `policyId` and `versionId`, a changed policy's new `versionId`); `{}` otherwise.
   */
  created: Record<string, number | string>
}

export interface VoteTallyJson {
  yes: number
  no: number
  /** For a choice vote: votes per option. */
  choices: Record<string, number>
  total: number
}

export interface ProposalSummaryJson {
  /** For people: `Add policy ‘Documents need two yeses’` (the action type's own title, or its description). */
  title: string
  id: number
  /** Its number within the community (1, 2, 3…): "Proposal #3". Routes take `id`. */
  number: number
  status: ProposalStatus
  action: ActionJson
  policy: { id: number; name: string; version: number }
  proposedAt: number
  decidedAt: number | null
  tally: VoteTallyJson
}

export interface VoteJson {
  memberId: number
  username: string
  displayName: string
  value: JsonValue
  castAt: number
}

export interface LogJson {
  id: number
  level: LogLevel
  message: string
  details: JsonObject | null
  /** The platform the line is about (its action's, or one its details name); null when none. */
  platform: string | null
  proposalId: number | null
  /** That proposal's number within the community. */
  proposalNumber: number | null
  actionId: number | null
  policyId: number | null
  createdAt: number
}

export interface TimelineEntryJson {
  at: number
  what: 'proposed' | 'vote_opened' | 'voted' | 'decided' | 'executed' | 'reverted' | 'failed'
  text: string
}

export interface ProposalDetailJson extends ProposalSummaryJson {
  /** What the action is about, to link to: its name and its page under the community (`policies/3`). */
  subject: { name: string; path: string } | null
  /** What it would change against what is in force now (a changed policy or document): unified diff hunks. */
  diff: string | null
  /** While a vote is open: who may vote on it and has not yet; null otherwise. */
  stillToVote: { memberId: number; username: string; displayName: string }[] | null
  /**
   * The other proposals of the same action, oldest first: when one errored, the action moved on
   * to the next eligible policy, whose proposal replaced it.
   */
  related: Pick<ProposalSummaryJson, 'id' | 'number' | 'status' | 'policy'>[]
  /** The vote hosted here (in the dashboard), when the policy opened one; null otherwise. */
  vote: {
    platform: string
    url: string | null
    text: string
    /** null: a yes/no vote; otherwise the choices. */
    options: string[] | null
    /** Whether the caller may vote on it now (open, eligible, hosted in the dashboard). */
    canVote: boolean
    /** The caller's current vote, if any. */
    myVote: JsonValue | null
  } | null
  votes: VoteJson[]
  data: JsonObject
  /** Only for members holding view_logs; otherwise an empty list. */
  logs: LogJson[]
  timeline: TimelineEntryJson[]
}

export interface ProposalPageJson {
  items: ProposalSummaryJson[]
  /** Pass as `before` for the next page; null on the last. */
  nextBefore: number | null
}

export interface OverviewJson {
  pending: ProposalSummaryJson[]
  /** Of `pending`, those with a vote open that the caller may cast and has not. */
  waitingForYou: ProposalSummaryJson[]
  recentDecisions: ProposalSummaryJson[]
  /** Decisions per day (UTC, `YYYY-MM-DD`) over the last 30 days, oldest first. */
  decisionsByDay: { day: string; passed: number; failed: number }[]
}

export interface IntegrationJson {
  id: number
  platform: string
  externalId: string
  config: JsonObject
  active: boolean
  createdAt: number
}

/** `GET /api/auth/providers` (public): a platform people can sign in with (a full-page link). */
export interface SignInProviderJson {
  platform: string
  title: string
  url: string
}

/** `GET /api/communities/:id/integrations/connectable`: a platform this community can connect (a full-page link). */
export interface ConnectablePlatformJson {
  platform: string
  title: string
  /** The link that starts an OAuth install, for platforms that connect so. */
  installUrl?: string
  /** The form that connects it, for platforms that connect with an API key. */
  form?: ConnectFormJson
}

/** A platform's connect form. */
export type ConnectFormJson = ConnectForm

/** What a platform's connect form (`ConnectForm.path`) answers. */
export type FormConnectionJson = FormConnection

/** `GET /healthz`. */
export interface HealthJson {
  status: 'ok' | 'unavailable'
  database: 'ok' | 'unavailable'
}
