import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { slackAppManifest } from '../../../src/platforms/slack/connect/app-manifest.ts'
import { slackBotEvents } from '../../../src/platforms/slack/listen/event-subscriptions.ts'
import { slackBotScopes, slackUserScopes } from '../../../src/platforms/slack/connect/scopes.ts'

const cli = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts')

describe('the Slack app manifest', () => {
  it('asks for what the code uses, at the public URL', () => {
    const manifest = slackAppManifest('https://pk.example.org/') as {
      oauth_config: { redirect_urls: string[]; scopes: { bot: string[]; user: string[] } }
      settings: {
        event_subscriptions: { request_url: string; bot_events: string[] }
        interactivity: { is_enabled: boolean; request_url: string }
      }
    }
    assert.deepEqual(manifest.oauth_config.redirect_urls, [
      'https://pk.example.org/platforms/slack/oauth/callback',
      'https://pk.example.org/platforms/slack/signin/callback',
    ])
    assert.deepEqual(manifest.oauth_config.scopes.bot, [...slackBotScopes])
    assert.deepEqual(manifest.oauth_config.scopes.user, [...slackUserScopes, 'openid', 'profile'])
    assert.equal(manifest.settings.event_subscriptions.request_url, 'https://pk.example.org/platforms/slack/events')
    assert.deepEqual(manifest.settings.event_subscriptions.bot_events, [...slackBotEvents])
    assert.deepEqual(manifest.settings.interactivity, {
      is_enabled: true,
      request_url: 'https://pk.example.org/platforms/slack/interactivity',
    })
  })

  it('is printed by policykit slack manifest for POLICYKIT_PUBLIC_URL', () => {
    const run = spawnSync(process.execPath, [cli, 'slack', 'manifest'], {
      encoding: 'utf8',
      env: { ...process.env, POLICYKIT_PUBLIC_URL: 'https://governance.example.net' },
    })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), slackAppManifest('https://governance.example.net'))
    const wrong = spawnSync(process.execPath, [cli, 'slack', 'manifests'], { encoding: 'utf8' })
    assert.equal(wrong.status, 2)
    assert.match(wrong.stderr, /usage: policykit slack manifest/)
  })
})
