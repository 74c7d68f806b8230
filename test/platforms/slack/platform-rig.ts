import type { Action } from '../../../src/domain/action.ts'
import type { JsonObject, JsonValue } from '../../../src/domain/json.ts'
import type { Member } from '../../../src/domain/member.ts'
import { emptyBlocks } from '../../../src/domain/policy.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { PlatformAccess } from '../../../src/engine/platform-access.ts'
import type { ActionDef, PlatformContext, PlatformDef } from '../../../src/platforms/platform.ts'
import type { PlatformPorts } from '../../../src/platforms/platform-ports.ts'
import { createSlackPlatform } from '../../../src/platforms/slack/manifest.ts'
import { ensureSlackMember } from '../../../src/platforms/slack/members.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeSlackDirectly } from '../../fakes/slack/connect-directly.ts'
import { fakeSlackOptions } from '../../fakes/slack/fake-slack-options.ts'
import { startFakeSlack, type FakeChannel, type FakeSlack, type FakeUser } from '../../fakes/slack/fake-slack.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { slackPorts } from '../../support/slack-records.ts'
import { openTestStore } from '../../support/test-store.ts'

/**
 * The Slack platform on its own, against the fake Slack: a community with the workspace
 * connected (its integration written directly), platform contexts and policy functions built
 * by the engine's own PlatformAccess, and no HTTP server (the fake delivers no events).
 */
export interface PlatformRig {
  fake: FakeSlack
  store: Store
  clock: FakeClock
  platform: PlatformDef
  /** The ports the platform was handed (no engine: nothing here casts votes or proposes). */
  ports: PlatformPorts
  communityId: number
  /** The workspace admin who installed the app. */
  admin: FakeUser
  ada: FakeUser
  bob: FakeUser
  carol: FakeUser
  /** #garden: admin, ada, bob and the bot. */
  channel: FakeChannel
  /** The member linked to a Slack user, created as an install's import would. */
  member(user: FakeUser): Promise<Member>
  action(name: string): ActionDef
  context(): Promise<PlatformContext>
  /** A row for an action of `type` with `params`, as `initiator` (a member id) proposed it. */
  actionRow(type: string, params: JsonObject, initiatorId?: number | null): Promise<Action>
  /** A pending proposal governing a `slack.postMessage` in #garden. */
  proposal(params?: JsonObject): Promise<{ proposal: Proposal; action: Action }>
  /** `slack.<name>` as policy code calls it, for `proposal`. */
  call(
    name: string,
    proposal: { proposal: Proposal; action: Action },
    ...args: JsonValue[]
  ): Promise<JsonValue | undefined>
  /** Whether PolicyKit expects (and now consumes) the echo `key`. */
  takeEcho(key: string): Promise<boolean>
  close(): Promise<void>
}

export async function startPlatformRig(options: { maxPageSize?: number } = {}): Promise<PlatformRig> {
  const store = await openTestStore('sqlite')
  const clock = fakeClock()
  const fake = await startFakeSlack({ now: () => clock.now(), ...options })
  const admin = fake.addUser({ name: 'root', realName: 'Root Admin', admin: true })
  const ada = fake.addUser({ name: 'ada', realName: 'Ada Lovelace' })
  const bob = fake.addUser({ name: 'bob' })
  const carol = fake.addUser({ name: 'carol' })
  const channel = fake.addChannel({ name: 'garden', members: [admin, ada, bob] })
  const ports = slackPorts(store, () => clock.now())
  const platform = createSlackPlatform({ options: fakeSlackOptions(fake), ports })
  const access = new PlatformAccess({
    store,
    platforms: [platform],
    fetch,
    logger: silentLogger,
    now: () => clock.now(),
  })

  const community = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  const communityId = community.id
  await connectFakeSlackDirectly(store, fake, communityId, admin, clock.now())

  const member = (user: FakeUser) =>
    ensureSlackMember(ports.members, communityId, { id: user.id, name: user.name, displayName: user.realName })

  const actionRow = async (type: string, params: JsonObject, initiatorId: number | null = null) => {
    const { action } = await store.actions.create(communityId, {
      kind: 'platform',
      type,
      origin: 'policykit',
      initiatorId,
      params,
      now: clock.now(),
    })
    return action
  }

  return {
    fake,
    store,
    clock,
    platform,
    ports,
    communityId,
    admin,
    ada,
    bob,
    carol,
    channel,
    member,
    action(name) {
      const def = platform.actions[name]
      if (!def) {
        throw new Error(`no action slack.${name}`)
      }
      return def
    },
    context: () => access.context(communityId, platform),
    actionRow,
    async proposal(params = { channel: channel.id, text: 'hello' }) {
      const action = await actionRow('slack.postMessage', params, (await member(ada)).id)
      const policy = await store.policies.create(
        communityId,
        {
          name: 'vote on posts',
          description: '',
          kind: 'platform',
          actionTypes: ['slack.postMessage'],
          priority: 0,
          variables: [],
          blocks: emptyBlocks(),
        },
        clock.now(),
      )
      const proposal = await store.proposals.create(communityId, {
        actionId: action.id,
        policyId: policy.id,
        policyVersionId: policy.versionId,
        now: clock.now(),
      })
      return { proposal, action }
    },
    async call(name, { proposal, action }, ...args) {
      const fns = await access.policyFunctions(communityId, proposal, action, () => {})
      const fn = fns[`slack.${name}`]
      if (!fn) {
        throw new Error(`no function slack.${name}`)
      }
      return fn(...args)
    },
    takeEcho: (key) => ports.echoes.take(communityId, key),
    async close() {
      await fake.close()
      await store.close()
    },
  }
}
