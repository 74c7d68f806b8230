import { randomBytes } from 'node:crypto'
import { derivePlatformKey } from './derive-platform-key.ts'
import type { Engine } from './engine/engine.ts'
import type { Logger } from './engine/logger.ts'
import { cursors, type CursorsTable } from './platforms/kit/cursors.ts'
import { deliveryLedger, type DeliveriesTable } from './platforms/kit/delivery-ledger.ts'
import { echoRecords, type EchoesTable } from './platforms/kit/echo-records.ts'
import { listenerState, type ListenerStateTable } from './platforms/kit/listener-state.ts'
import type { PlatformPorts } from './platforms/platform-ports.ts'
import type { Store } from './store/store.ts'

/** The engine a platform's ports reach, once it is built (it is built from the platforms). */
export interface EngineRef {
  current: Engine | null
}

function engineOf(ref: EngineRef): Engine {
  if (ref.current === null) {
    throw new Error('the engine is not built yet: platform ports were used during start-up')
  }
  return ref.current
}

/**
 * The ports one platform is handed, over the store and the engine: each scoped to the
 * platform's name (its integrations, its accounts, its ledger and echo rows). Votes are cast and
 * withdrawn through the engine, which checks who may vote and re-checks the proposal.
 */
export function createPlatformPorts(deps: {
  platform: string
  store: Store
  engine: EngineRef
  logger: Logger
  now: () => number
  /** The server key keys are derived from; without it (tests), a random one for this run. */
  secretKey?: Buffer
  /** Where PolicyKit is reached; default `http://localhost:3000` (tests). */
  publicUrl?: string
}): PlatformPorts {
  const { platform, store, logger, now } = deps
  const secretKey = deps.secretKey ?? randomBytes(32)
  const kitTables = store.db.withTables<{
    platform_deliveries: DeliveriesTable
    platform_echoes: EchoesTable
    platform_cursors: CursorsTable
    listener_state: ListenerStateTable
  }>()
  const mine = <T extends { platform: string }>(rows: T[]) => rows.filter((r) => r.platform === platform)
  return {
    platform,
    logger,
    now,
    integrations: {
      findByExternalId: (externalId) => store.integrations.findByExternalId(platform, externalId),
      async get(communityId, integrationId) {
        const found = await store.integrations.get(communityId, integrationId)
        return found?.platform === platform ? found : undefined
      },
      list: async (communityId, options) => mine(await store.integrations.list(communityId, options)),
      listAll: (options) => store.integrations.listByPlatform(platform, options),
      credentials: (integration) => store.integrations.getCredentials(integration.communityId, integration.id),
      setCredentials: (integration, credentials) =>
        store.integrations.setCredentials(integration.communityId, integration.id, credentials),
      setActive: (integration, active) => store.integrations.setActive(integration.communityId, integration.id, active),
      createInactive: (communityId, input) =>
        store.transaction(async (trx) => {
          const created = await trx.integrations.create(communityId, { platform, ...input, now: now() })
          await trx.integrations.setActive(communityId, created.id, false)
          return { ...created, active: false }
        }),
    },
    members: {
      get: (communityId, memberId) => store.members.get(communityId, memberId),
      list: (communityId, ids) => (ids ? store.members.getMany(communityId, ids) : store.members.list(communityId)),
      getByUsername: (communityId, username) => store.members.getByUsername(communityId, username),
      findByAccount: (communityId, externalId) => store.members.findByAccount(communityId, platform, externalId),
      findByAccounts: (communityId, externalIds) => store.members.findByAccounts(communityId, platform, externalIds),
      accounts: (communityId, memberId) => store.members.accounts(communityId, memberId),
      async linkAccount(communityId, memberId, account) {
        await store.members.linkAccount(communityId, memberId, account)
      },
      createWithAccount: (communityId, { username, displayName, account }) =>
        store.transaction(async (trx) => {
          const member = await trx.members.create(communityId, { username, displayName, now: now() })
          await trx.members.linkAccount(communityId, member.id, { platform, ...account })
          return member
        }),
    },
    deliveries: deliveryLedger(kitTables, platform, now),
    echoes: echoRecords(kitTables, platform, now),
    cursors: cursors(kitTables, platform, now),
    listenerState: listenerState(kitTables, platform, now),
    votes: {
      proposalOfPost: (communityId, postId) => store.proposals.findByVotePost(communityId, platform, postId),
      proposal: (communityId, proposalId) => store.proposals.get(communityId, proposalId),
      pendingHosted: (afterId, limit) => store.proposals.pendingHostedPage(platform, afterId, limit),
      list: (communityId, proposalId) => store.votes.list(communityId, proposalId),
      cast: (communityId, proposalId, memberId, vote) =>
        engineOf(deps.engine).castVote(communityId, proposalId, memberId, vote),
      withdraw: (communityId, proposalId, memberId, vote) =>
        engineOf(deps.engine).withdrawVote(communityId, proposalId, memberId, vote),
      async recheck(communityId, proposalId) {
        await engineOf(deps.engine).recheck(communityId, proposalId)
      },
    },
    deriveKey: (purpose) => derivePlatformKey(secretKey, purpose),
    publicUrl: deps.publicUrl ?? 'http://localhost:3000',
    propose: (input) => engineOf(deps.engine).propose(input),
    async trigger(input) {
      await engineOf(deps.engine).trigger(input)
    },
    async communityLog(communityId, entries) {
      const at = now()
      await store.logs.add(
        communityId,
        entries.map((e) => ({ ...e, now: at })),
      )
    },
  }
}
