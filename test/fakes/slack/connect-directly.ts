import type { Store } from '../../../src/store/store.ts'
import type { FakeSlack } from './fake-slack.ts'
import type { FakeUser } from './workspace.ts'

/**
 * Connects the fake workspace to a community as a finished install would (tokens from
 * `fake.install`), without the OAuth dance: for tests of what happens after connecting.
 */
export async function connectFakeSlackDirectly(
  store: Store,
  fake: FakeSlack,
  communityId: number,
  installer: FakeUser,
  now: number,
): Promise<void> {
  const install = fake.install(installer)
  await store.integrations.create(communityId, {
    platform: 'slack',
    externalId: install.teamId,
    config: { teamName: fake.workspace.team.name, botUserId: install.botUserId, appId: install.appId },
    credentials: {
      botToken: install.botToken,
      userToken: install.userToken,
      installerUserId: installer.id,
      botUserId: install.botUserId,
    },
    now,
  })
}
