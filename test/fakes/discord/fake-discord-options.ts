import type { DiscordOptions } from '../../../src/platforms/discord/options.ts'
import type { FakeDiscord } from './fake-discord.ts'

/** The Discord application settings that point PolicyKit at `fake`, as config gives them for discord.com. */
export const fakeDiscordOptions = (fake: FakeDiscord): DiscordOptions => ({
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  botToken: fake.botToken,
  publicKey: fake.publicKey,
  apiUrl: fake.apiUrl,
  authorizeUrl: fake.authorizeUrl,
  gatewayUrl: fake.gateway.url,
})
