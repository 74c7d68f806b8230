/** Discord's settings for a run (from DISCORD_* in the environment, `settings.ts`). */
export interface DiscordOptions {
  /** The application's id (OAuth2 client id; also the bot's user id). */
  clientId: string
  clientSecret: string
  /** `Bot <token>`: one bot for every guild that installs the application. */
  botToken: string
  /** The application's Ed25519 public key (hex), which verifies interactions. */
  publicKey: string
  /** REST base without the version, e.g. `https://discord.com/api`. */
  apiUrl: string
  authorizeUrl: string
  gatewayUrl: string
}
