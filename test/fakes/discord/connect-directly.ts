import type { Store } from '../../../src/store/store.ts'
import type { FakeDiscord, FakeMember } from './fake-discord.ts'

/**
 * Connects the fake guild to a community as a finished install would (the bot added with every
 * permission the governed actions need), without the OAuth round trip: for tests of what happens
 * after connecting.
 */
export async function connectFakeDiscordDirectly(
  store: Store,
  fake: FakeDiscord,
  communityId: number,
  installer: FakeMember,
  now: number,
): Promise<void> {
  fake.install()
  fake.registerCommand('policykit')
  await store.integrations.create(communityId, {
    platform: 'discord',
    externalId: fake.guild.id,
    config: { guildName: fake.guild.name },
    credentials: { installerUserId: installer.user.id },
    now,
  })
}
