import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { discordSettings } from '../../../src/platforms/discord/settings.ts'

/** DISCORD_* from the environment: all four credentials or none (off), each one checked by name. */
const all = {
  DISCORD_CLIENT_ID: '1300000000000000001',
  DISCORD_CLIENT_SECRET: 'secret',
  DISCORD_BOT_TOKEN: 'MTMw.bot.token',
  DISCORD_PUBLIC_KEY: 'AB'.repeat(32),
}

describe('Discord settings', () => {
  it('leave Discord off when none of the credentials is given (or they are empty)', () => {
    assert.equal(discordSettings.parse({}), null)
    assert.equal(discordSettings.parse({ DISCORD_CLIENT_ID: '', DISCORD_BOT_TOKEN: ' ' }), null)
  })

  it('turn it on with all four, against discord.com unless the URLs are overridden', () => {
    assert.deepEqual(discordSettings.parse(all), {
      clientId: all.DISCORD_CLIENT_ID,
      clientSecret: 'secret',
      botToken: 'MTMw.bot.token',
      publicKey: 'ab'.repeat(32),
      apiUrl: 'https://discord.com/api',
      authorizeUrl: 'https://discord.com/oauth2/authorize',
      gatewayUrl: 'wss://gateway.discord.gg',
    })
    const fake = discordSettings.parse({
      ...all,
      DISCORD_API_URL: 'http://127.0.0.1:9/api/',
      DISCORD_GATEWAY_URL: 'ws://127.0.0.1:9',
    })
    assert.equal(fake?.apiUrl, 'http://127.0.0.1:9/api')
    assert.equal(fake?.gatewayUrl, 'ws://127.0.0.1:9')
  })

  it('name each missing or malformed variable', () => {
    const partial = discordSettings.safeParse({ DISCORD_CLIENT_ID: all.DISCORD_CLIENT_ID, DISCORD_BOT_TOKEN: 'x' })
    assert.equal(partial.success, false)
    assert.deepEqual(partial.error?.issues.map((i) => i.path.join('.')).sort(), [
      'DISCORD_CLIENT_SECRET',
      'DISCORD_PUBLIC_KEY',
    ])
    const badKey = discordSettings.safeParse({ ...all, DISCORD_PUBLIC_KEY: 'not-hex' })
    assert.deepEqual(
      badKey.error?.issues.map((i) => i.path.join('.')),
      ['DISCORD_PUBLIC_KEY'],
    )
    const badGateway = discordSettings.safeParse({ ...all, DISCORD_GATEWAY_URL: 'http://gateway' })
    assert.deepEqual(
      badGateway.error?.issues.map((i) => i.path.join('.')),
      ['DISCORD_GATEWAY_URL'],
    )
  })
})
