import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { testDialects } from '../../support/test-store.ts'
import { startDiscordRig, type DiscordRig } from './discord-rig.ts'

/**
 * The interactions endpoint through the real server: signed by the fake Discord with its Ed25519
 * key, PING answered, anything forged, stale or unsigned refused with 401 before it is read, and
 * `/policykit <text>` reaching trigger policies once per interaction.
 */
for (const dialect of testDialects()) {
  describe(`Discord interactions (${dialect})`, () => {
    let rig: DiscordRig
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
      assert.deepEqual(delivered.answer, { type: 4, data: { content: 'Sent to PolicyKit.', flags: 64 } })
      await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'water the lawn')
      await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'plant daisies')
      await rig.fake.redeliverLast()

      const proposals = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policyId)
      assert.equal(proposals.length, 2, 'tulips and daisies, each once (not the lawn, not the forged roses)')
      const triggers = await Promise.all(proposals.map((p) => rig.store.actions.get(rig.communityId, p.actionId)))
      assert.deepEqual(triggers.map((t) => t?.params['text']).sort(), ['plant daisies', 'plant tulips'])
      const ada = await rig.store.members.findByAccount(rig.communityId, 'discord', rig.ada.user.id)
      assert.ok(ada, 'the member who used the command is provisioned')
      assert.equal(ada.displayName, 'Ada Lovelace')
      assert.ok(triggers.every((t) => t?.initiatorId === ada.id && t.params['user'] === rig.ada.user.id))
    })
  })
}
