import { createEngine, type Engine, type EngineJobs, type ProposeOutcome } from '../../src/engine/engine.ts'
import { createEngineRuntime, type EngineRuntime } from '../../src/engine-runtime.ts'
import type { JsonObject } from '../../src/domain/json.ts'
import type { Community } from '../../src/domain/community.ts'
import type { Member, Permission, Role } from '../../src/domain/member.ts'
import { emptyBlocks, type Policy, type PolicyBlocks } from '../../src/domain/policy.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { createConstitutionPlatform } from '../../src/platforms/constitution/manifest.ts'
import type { PlatformDef } from '../../src/platforms/platform.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { Dialect, PolicyInput, Store } from '../../src/store/store.ts'
import { createCommunityWithKit } from '../../src/kits/apply-kit.ts'
import { fakeClock } from './fake-clock.ts'
import { openTestStore } from './test-store.ts'
import { testPlatform, type TestWorld } from './test-platform.ts'

export interface EngineHarness {
  store: Store
  sandbox: Sandbox
  clock: ReturnType<typeof fakeClock>
  engine: Engine
  world: TestWorld
  /** The test platform the engine runs with (share it to build a second engine on one world). */
  platform: PlatformDef
  /** Every platform the engine runs with: the constitution and the test platform. */
  platforms: PlatformDef[]
  community: Community
  /** With the `kit` option: the member who created the community (username `creator`). */
  creator: Member | undefined
  member(username: string, roles?: string[]): Promise<Member>
  role(name: string, permissions: Permission[], options?: { isDefault?: boolean }): Promise<Role>
  policy(input: Partial<Omit<PolicyInput, 'blocks'>> & { blocks?: Partial<PolicyBlocks> }): Promise<Policy>
  /** Proposes `constitution.<name>` in PolicyKit as the member `initiatorId`. */
  constitution(name: string, params: JsonObject, initiatorId: number): Promise<ProposeOutcome>
  /** Proposes a `test.post` in PolicyKit (no initiator) through `engine`: the proposal it made. */
  post(text: string, engine?: Engine): Promise<Proposal>
  close(): Promise<void>
}

/**
 * A community on the test platform with a real store, the real sandbox and a fake clock. Its
 * default role may propose every action; tests add roles and policies as they need. With `kit`,
 * the community is instead created with that starter kit by a member named `creator`.
 */
export async function engineHarness(
  dialect: Dialect,
  options: { jobs?: (engine: () => Engine) => EngineJobs; sandbox?: Sandbox; kit?: string } = {},
): Promise<EngineHarness> {
  const store = await openTestStore(dialect)
  const sandbox = options.sandbox ?? (await createQuickJsSandbox({ poolSize: 2 }))
  const clock = fakeClock()
  const { platform, world } = testPlatform()
  let engineRef: Engine | undefined
  const getEngine = (): Engine => {
    if (!engineRef) {
      throw new Error('engine not built yet')
    }
    return engineRef
  }
  const platforms = [createConstitutionPlatform({ store, sandbox }), platform]
  const engine = createEngine({
    store,
    sandbox,
    platforms,
    clock,
    ...(options.jobs ? { jobs: options.jobs(getEngine) } : {}),
  })
  engineRef = engine
  let community: Community
  let creator: Member | undefined
  if (options.kit) {
    ;({ community, creator } = await createCommunityWithKit(store, {
      name: 'Test community',
      kit: options.kit,
      creator: { username: 'creator', displayName: 'Creator' },
      now: clock.now(),
    }))
  } else {
    community = await store.communities.create({ name: 'Test community', now: clock.now() })
    await store.roles.create(community.id, { name: 'Member', permissions: ['propose:*'], isDefault: true })
  }

  return {
    store,
    sandbox,
    clock,
    engine,
    world,
    platform,
    platforms,
    community,
    creator,
    async member(username, roles = []) {
      const member = await store.members.create(community.id, { username, now: clock.now() })
      for (const name of roles) {
        const role = await store.roles.getByName(community.id, name)
        if (!role) {
          throw new Error(`no role ${name}`)
        }
        await store.roles.assign(community.id, member.id, role.id)
      }
      return member
    },
    role(name, permissions, roleOptions = {}) {
      return store.roles.create(community.id, { name, permissions, isDefault: roleOptions.isDefault ?? false })
    },
    policy(input) {
      return store.policies.create(
        community.id,
        {
          name: input.name ?? 'Policy',
          description: input.description ?? '',
          kind: input.kind ?? 'platform',
          actionTypes: input.actionTypes ?? [],
          priority: input.priority ?? 0,
          variables: input.variables ?? [],
          blocks: { ...emptyBlocks(), ...input.blocks },
        },
        clock.now(),
      )
    },
    async post(text, through = engine) {
      const outcome = await through.propose({
        communityId: community.id,
        type: 'test.post',
        params: { text },
        initiatorId: null,
        origin: 'policykit',
      })
      if (!('proposal' in outcome) || !outcome.proposal) {
        throw new Error(`test.post '${text}' made no proposal (${outcome.status})`)
      }
      return outcome.proposal
    },
    constitution(name, params, initiatorId) {
      return engine.propose({
        communityId: community.id,
        type: `constitution.${name}`,
        params,
        initiatorId,
        origin: 'policykit',
      })
    },
    async close() {
      if (!options.sandbox) {
        await sandbox.close()
      }
      await store.close()
    },
  }
}

/**
 * A process running the engine on the durable queue over the harness's store, clock and
 * platforms (an owner id of its own), started; the fake clock waits for its jobs. Sweeps and
 * polls every minute unless told otherwise.
 */
export async function startEngineRuntime(
  h: EngineHarness,
  options: { sweepIntervalMs?: number; pollIntervalMs?: number } = {},
): Promise<EngineRuntime> {
  const runtime = createEngineRuntime({
    store: h.store,
    sandbox: h.sandbox,
    platforms: h.platforms,
    clock: h.clock,
    sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
  })
  h.clock.waitFor(() => runtime.idle())
  await runtime.start()
  return runtime
}
