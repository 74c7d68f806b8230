import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { JsonObject } from '../../../src/domain/json.ts'
import { isAppError } from '../../../src/errors.ts'
import { testDialects } from '../../support/test-store.ts'
import { startDiscordRig, type DiscordRig } from './discord-rig.ts'

/**
 * Discord's governed actions against the fake: what the guild shows after execute and after
 * revert, a member's message re-posted under their own name, and a 429 handed to the engine's
 * durable retry (with Discord's wait) instead of slept through.
 */
for (const dialect of testDialects()) {
  describe(`Discord actions (${dialect})`, () => {
    let rig: DiscordRig
    before(async () => {
      rig = await startDiscordRig(dialect)
    })
    after(async () => {
      await rig.close()
    })

    async function run(name: string, params: JsonObject, initiatorId: number | null = null) {
      const def = rig.platform.actions[name]
      if (!def?.execute) {
        return assert.fail(`no discord.${name} to carry out`)
      }
      const parsed = def.params.parse(params)
      const { action } = await rig.store.actions.create(rig.communityId, {
        kind: 'platform',
        type: `discord.${name}`,
        origin: 'policykit',
        initiatorId,
        params: parsed,
        now: rig.clock.now(),
      })
      const attempt = async (op: 'execute' | 'revert') => ({
        ...(await rig.context()),
        idempotencyKey: `discord:${action.id}:${op}`,
        retry: false,
      })
      const result = (await def.execute(await attempt('execute'), parsed, action)) ?? null
      return {
        result,
        revertWith: async () => def.revert?.(await attempt('revert'), parsed, result, { ...action, result }),
      }
    }

    it("re-posts a member's message through the channel webhook under their Discord name, and deletes it on revert", async () => {
      const ada = await rig.store.members.create(rig.communityId, {
        username: 'ada',
        displayName: 'ada (PolicyKit)',
        now: rig.clock.now(),
      })
      await rig.store.members.linkAccount(rig.communityId, ada.id, {
        platform: 'discord',
        externalId: rig.ada.user.id,
        username: 'ada',
      })
      const { result, revertWith } = await run(
        'postMessage',
        { channel: rig.fake.general.id, text: 'hello garden' },
        ada.id,
      )
      const shown = rig.fake.general.messages.find((m) => m.content === 'hello garden')
      assert.ok(shown)
      assert.equal(shown.author.username, 'Ada Lovelace', 'her Discord display name')
      assert.ok(shown.webhookId, 'posted by the channel webhook')
      assert.deepEqual(result, { channel: rig.fake.general.id, message: shown.id })

      await run('postMessage', { channel: rig.fake.general.id, text: 'second' }, ada.id)
      assert.equal(rig.fake.guild.webhooks.size, 1, 'one webhook per channel, made once')

      await revertWith()
      assert.equal(
        rig.fake.general.messages.some((m) => m.id === shown.id),
        false,
      )
    })

    it('renames a channel and names it back, creates a channel and deletes it, pins and unpins', async () => {
      const renamed = await run('renameChannel', { channel: rig.fake.general.id, name: 'seedlings' })
      assert.equal(rig.fake.general.name, 'seedlings')
      assert.deepEqual(renamed.result, { previousName: 'general' })
      await renamed.revertWith()
      assert.equal(rig.fake.general.name, 'general')

      const created = await run('createChannel', { name: 'greenhouse' })
      const channelId = created.result?.['channel']
      assert.ok(typeof channelId === 'string')
      assert.equal(rig.fake.guild.channels.get(channelId)?.name, 'greenhouse')
      await created.revertWith()
      assert.equal(rig.fake.guild.channels.has(channelId), false)

      const message = rig.fake.as(rig.fake.owner).post(rig.fake.general, 'pin me')
      const pinned = await run('pinMessage', { channel: rig.fake.general.id, message: message.id })
      assert.equal(message.pinned, true)
      await pinned.revertWith()
      assert.equal(message.pinned, false)
    })

    it('hands a 429 to the durable retry with Discord’s wait, and carries the action out on the retry', async () => {
      rig.fake.failNext('PATCH', '/channels/:channel', { status: 429, retryAfterSeconds: 0.3 })
      const error = await run('renameChannel', { channel: rig.fake.general.id, name: 'later' }).then(
        () => assert.fail('expected the 429 to reject'),
        (e: unknown) => e,
      )
      assert.ok(isAppError(error, 'platform_unavailable'), String(error))
      const waitMs = error.retryAfterMs ?? 0
      assert.ok(waitMs >= 300, `retry after ${waitMs} ms`)
      assert.equal(rig.fake.general.name, 'general', 'nothing changed yet')
      // @discordjs/rest knows the route's bucket is empty until then: a retry sooner is refused
      // before it is sent. The durable queue waits this long; so does the test, in real time.
      await new Promise((resolve) => setTimeout(resolve, waitMs))
      await run('renameChannel', { channel: rig.fake.general.id, name: 'later' })
      assert.equal(rig.fake.general.name, 'later')
    })

    it('refuses params that are not Discord ids or names', () => {
      const def = rig.platform.actions['renameChannel']
      assert.ok(def)
      assert.equal(def.params.safeParse({ channel: 'C123', name: 'ok' }).success, false)
      assert.equal(def.params.safeParse({ channel: rig.fake.general.id, name: 'Has Spaces' }).success, false)
    })
  })
}
