import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { discordAppSettings } from '../../../src/platforms/discord/connect/app-settings.ts'
import { discordInstallPermissions } from '../../../src/platforms/discord/connect/permissions.ts'

const cli = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts')

describe('the Discord application settings (policykit discord manifest)', () => {
  it('names the URLs, scopes, permissions and privileged intents PolicyKit uses, at the public URL', () => {
    const settings = discordAppSettings('https://pk.example.org/')
    assert.equal(
      settings.generalInformation.interactionsEndpointUrl,
      'https://pk.example.org/platforms/discord/interactions',
    )
    assert.deepEqual(settings.oauth2.redirects, [
      'https://pk.example.org/platforms/discord/install/callback',
      'https://pk.example.org/platforms/discord/signin/callback',
    ])
    assert.deepEqual(settings.installation.scopes, ['bot', 'applications.commands', 'identify'])
    assert.equal(settings.installation.permissions, discordInstallPermissions().toString())
    assert.deepEqual(settings.bot.privilegedGatewayIntents, ['SERVER MEMBERS INTENT', 'MESSAGE CONTENT INTENT'])
  })

  it('is printed by policykit discord manifest for POLICYKIT_PUBLIC_URL', () => {
    const run = spawnSync(process.execPath, [cli, 'discord', 'manifest'], {
      encoding: 'utf8',
      env: { ...process.env, POLICYKIT_PUBLIC_URL: 'https://governance.example.net' },
    })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), discordAppSettings('https://governance.example.net'))
  })
})
