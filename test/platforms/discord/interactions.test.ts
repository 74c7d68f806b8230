import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { testDialects } from '../../support/test-store.ts'
import { until } from '../../support/until.ts'
import { startDiscordRig, type DiscordRig } from './discord-rig.ts'

/**
 * The interactions endpoint through the real server: signed by the fake Discord with its Ed25519
 * key, PING answered, anything forged, stale or unsigned refused with 401 before it is read, and
 * `/policykit <text>` reaching trigger policies once per interaction.
 */
for (const dialect of testDialects()) {
  describe(`Discord interactions (${dialect})`, () => {
    let rig: DiscordRig
    const lastId = () => [...rig.fake.interactions.keys()].at(-1) ?? ''
    before(async () => {
      rig = await startDiscordRig(dialect)
    })
    after(async () => {
      await rig.close()
    })

    it('answers PING with PONG, and refuses forged, stale and unsigned requests with 401', async () => {
      const ping = await rig.fake.ping()
      assert.equal(ping.status, 200)
      assert.deepEqual(ping.answer, { type: 1 })
      for (const tamper of ['badSignature', 'staleTimestamp', 'unsigned'] as const) {
        assert.equal((await rig.fake.ping(tamper)).status, 401, tamper)
      }
    })

    it('hands /policykit <text> to trigger policies once, with the member who used it', async () => {
      const policyId = await rig.policy({
        kind: 'trigger',
        actionTypes: ['discord.slashCommand'],
        blocks: { filter: `return action.text.startsWith('plant')`, check: 'return PASSED' },
      })
      const forged = await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'plant roses', 'badSignature')
      assert.equal(forged.status, 401)
      const delivered = await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'plant tulips')
      assert.equal(delivered.status, 200)
      assert.deepEqual(
        delivered.answer,
        { type: 5, data: { flags: 64 } },
        'a deferred answer, seen by the invoker only',
      )
      assert.deepEqual((await rig.followedUp()).edits, [{ content: 'Sent to PolicyKit.' }])
      await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'water the lawn')
      await rig.followedUp()
      await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'plant daisies')
      await rig.followedUp()
      await rig.fake.redeliverLast()
      assert.ok(
        await until(() => (rig.fake.interactions.get(lastId())?.edits.length ?? 0) === 2),
        'the redelivery is answered too (and handed over no second time: below)',
      )

      const proposals = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policyId)
      assert.equal(proposals.length, 2, 'tulips and daisies, each once (not the lawn, not the forged roses)')
      const triggers = await Promise.all(proposals.map((p) => rig.store.actions.get(rig.communityId, p.actionId)))
      assert.deepEqual(triggers.map((t) => t?.params['text']).sort(), ['plant daisies', 'plant tulips'])
      const ada = await rig.store.members.findByAccount(rig.communityId, 'discord', rig.ada.user.id)
      assert.ok(ada, 'the member who used the command is provisioned')
      assert.equal(ada.displayName, 'Ada Lovelace')
      assert.ok(triggers.every((t) => t?.initiatorId === ada.id && t.params['user'] === rig.ada.user.id))
    })

    it('acknowledges /policykit at once while a slow policy runs, then follows the deferred answer up', async () => {
      await rig.policy({
        kind: 'trigger',
        actionTypes: ['discord.slashCommand'],
        blocks: {
          filter: `return action.text === 'slowly'`,
          check: `discord.postMessage({ text: 'done slowly' }); return PASSED`,
        },
      })
      // Discord is slow to take the policy's message: the policy cannot finish until released.
      const release = rig.fake.stall('POST', '/channels/:channel/messages')
      const delivered = await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'slowly')
      assert.deepEqual(delivered.answer, { type: 5, data: { flags: 64 } })
      const record = rig.fake.interactions.get(lastId())
      assert.deepEqual(record?.edits, [], 'not followed up while the policy is still running')
      release()
      assert.deepEqual((await rig.followedUp()).edits, [{ content: 'Sent to PolicyKit.' }])
      assert.ok(rig.fake.general.messages.some((m) => m.content === 'done slowly'))
    })
  })
}
