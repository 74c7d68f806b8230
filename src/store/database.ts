import type { Generated } from 'kysely'

/**
 * Table types, shared by SQLite and PostgreSQL. Times are epoch milliseconds (bigint), booleans
 * 0/1 integers and JSON text, so both dialects read back the same values. Every row but `jobs`,
 * `users` and `sessions` (a user is global) carries `community_id`, and every repository query
 * filters on it.
 */
export interface Database {
  communities: CommunitiesTable
  integrations: IntegrationsTable
  members: MembersTable
  accounts: AccountsTable
  roles: RolesTable
  member_roles: MemberRolesTable
  documents: DocumentsTable
  policies: PoliciesTable
  policy_versions: PolicyVersionsTable
  actions: ActionsTable
  proposals: ProposalsTable
  votes: VotesTable
  evaluation_logs: EvaluationLogsTable
  jobs: JobsTable
  users: UsersTable
  sessions: SessionsTable
  api_tokens: ApiTokensTable
  invites: InvitesTable
  attempt_windows: AttemptWindowsTable
  listener_leases: ListenerLeasesTable
}

/** Which process runs a listener that must run once across processes, and until when (see the listeners host). */
export interface ListenerLeasesTable {
  name: string
  holder: string
  expires_at: number
}

/** Attempts at `key` in the window ending at `ends_at` (sign-in limits, the set-up guard). */
export interface AttemptWindowsTable {
  key: string
  attempts: number
  ends_at: number
}

export interface CommunitiesTable {
  id: Generated<number>
  name: string
  settings: string
  created_at: number
  /** Bumped by triggers when the community's members, roles or policies change (0019). */
  cache_version: Generated<number>
}

export interface IntegrationsTable {
  id: Generated<number>
  community_id: number
  platform: string
  external_id: string
  config: string
  /** AES-256-GCM ciphertext of the credentials JSON (see crypto.ts) */
  credentials: string
  active: number
  created_at: number
}

export interface MembersTable {
  id: Generated<number>
  community_id: number
  username: string
  display_name: string
  created_at: number
  /** When the member left or was removed (0020): the row stays for the history naming them. */
  left_at: number | null
}

export interface AccountsTable {
  id: Generated<number>
  community_id: number
  member_id: number
  platform: string
  external_id: string
  username: string
}

export interface RolesTable {
  id: Generated<number>
  community_id: number
  name: string
  description: string
  permissions: string
  is_default: number
}

export interface MemberRolesTable {
  community_id: number
  member_id: number
  role_id: number
}

export interface DocumentsTable {
  id: Generated<number>
  community_id: number
  name: string
  /** `nameKey(name)`: the name as people tell names apart. */
  name_key: string
  text: string
  active: number
  updated_at: number
}

/** The live head of a policy; its content is the row in policy_versions it points at. */
export interface PoliciesTable {
  id: Generated<number>
  community_id: number
  name: string
  /** `nameKey(name)`: the name as people tell names apart. */
  name_key: string
  kind: string
  action_types: string
  priority: number
  active: number
  current_version_id: number
  version: number
  updated_at: number
}

/** Immutable: every change to a policy adds a row. */
export interface PolicyVersionsTable {
  id: Generated<number>
  community_id: number
  policy_id: number
  version: number
  name: string
  description: string
  kind: string
  action_types: string
  priority: number
  variables: string
  blocks: string
  created_at: number
}

export interface ActionsTable {
  id: Generated<number>
  community_id: number
  kind: string
  type: string
  platform: string
  origin: string
  initiator_id: number | null
  params: string
  result: string | null
  execution_state: string
  /** When it entered `executing` or `reverting`, renewed by its holder's heartbeat; null otherwise. */
  execution_claimed_at: number | null
  /** The owner id of the process holding that claim. */
  execution_claimed_by: string | null
  /** The idempotency key of the last execute or revert claimed (`<platform>:<id>:<op>`). */
  execution_key: string | null
  /** How many times that operation was claimed: more than 1 means a retry. */
  execution_tries: Generated<number>
  external_id: string | null
  created_at: number
}

export interface ProposalsTable {
  id: Generated<number>
  community_id: number
  /** 1, 2, 3… within the community, without gaps (0020) */
  number: number
  action_id: number
  policy_id: number
  policy_version_id: number
  status: string
  proposed_at: number
  decided_at: number | null
  vote_post_id: string | null
  vote_url: string | null
  vote_platform: string | null
  /** JSON array of member ids who may vote; null: any member of the community */
  eligible_voters: string | null
  /** The question of a vote PolicyKit hosts; null when none was opened or another platform hosts it */
  vote_text: string | null
  /** JSON array of the vote's options; null: a yes/no vote */
  vote_options: string | null
  data: string
  /** 1 once notify has run (it runs at most once) */
  notified: number
  /** 1 once the pass or fail block has run (at most once) */
  outcome_ran: number
  /**
   * the first evaluation's lease (the proposal is born with it): who holds it, and until when;
   * a re-check meanwhile counts itself in recheck_requested instead (later re-checks hold the
   * proposal's lock, `Store.proposalLocks`, which writes nothing)
   */
  lease_token: string | null
  lease_until: number | null
  /** the owner id of the process holding the lease, which renews it while alive */
  lease_owner: string | null
  /** re-checks requested (a vote, a re-check that found the proposal held) and not answered yet */
  recheck_requested: number
}

export interface VotesTable {
  id: Generated<number>
  community_id: number
  proposal_id: number
  member_id: number
  kind: string
  /** JSON of the value: true/false, "choice", 3 */
  value: string
  cast_at: number
}

export interface EvaluationLogsTable {
  id: Generated<number>
  community_id: number
  proposal_id: number | null
  action_id: number | null
  policy_id: number | null
  level: string
  message: string
  details: string | null
  /** The platform the line is about (its action's, or its details' `platform`); null when none. */
  platform: string | null
  created_at: number
}

export interface JobsTable {
  id: Generated<number>
  community_id: number | null
  name: string
  payload: string
  /** at most one queued job per key (e.g. `recheck:42`) */
  singleton_key: string | null
  state: string
  run_at: number
  attempts: number
  max_attempts: number
  locked_by: string | null
  locked_until: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

/** A dashboard login; a member of a community through an `accounts` row (platform `local`, external id = user id). */
export interface UsersTable {
  id: Generated<number>
  username: string
  display_name: string
  /** `scrypt$<N>$<r>$<p>$<salt>$<hash>` */
  password_hash: string
  created_at: number
}

export interface SessionsTable {
  id: Generated<number>
  /** SHA-256 (hex) of the cookie's token; the token itself is never stored */
  token_hash: string
  user_id: number
  csrf_token: string
  created_at: number
  expires_at: number
}

/** Acts as its user in one community. */
export interface ApiTokensTable {
  id: Generated<number>
  user_id: number
  community_id: number
  name: string
  /** SHA-256 (hex) of the token */
  token_hash: string
  created_at: number
  last_used_at: number | null
}

/** A single-use link into a community. */
export interface InvitesTable {
  id: Generated<number>
  community_id: number
  /** SHA-256 (hex) of the link's token */
  token_hash: string
  created_by_member_id: number | null
  created_at: number
  expires_at: number
  used_at: number | null
  used_by_member_id: number | null
  /** A claim link: accepting it signs in as this existing member instead of making a new one. */
  for_member_id: number | null
  /** Revoked by a member who manages members: the link no longer works. */
  revoked_at: number | null
}
