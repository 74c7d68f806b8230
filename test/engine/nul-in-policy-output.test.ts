import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: NUL characters a policy writes`, () => {
    let h: EngineHarness
    before(async () => {
      h = await engineHarness(dialect)
    })
    after(() => h.close())

    it('are stored (as U+FFFD on PostgreSQL) instead of failing the evaluation', async () => {
      const author = await h.member('author')
      await h.policy({
        name: 'Writes NUL',
        actionTypes: ['test.post'],
        blocks: {
          check: `logger.info('a\\u0000b'); proposal.data.set('note', 'c\\u0000d'); throw new Error('e\\u0000f')`,
        },
      })
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: author.id,
        origin: 'platform',
        result: { postId: 'p1' },
      })
      assert.equal(outcome.status, 'ungoverned', 'the failing policy passes the action on; no other governs it')
      // SQLite keeps the NUL; PostgreSQL cannot, and gets U+FFFD.
      const messages = (await h.store.logs.list(h.community.id, { limit: 10 })).map((l) =>
        l.message.replaceAll('\u0000', '\ufffd'),
      )
      assert.ok(
        messages.some((m) => /^a\ufffdb$/.test(m)),
        messages.join(' | '),
      )
      assert.ok(messages.some((m) => /e\ufffdf/.test(m)))
    })
  })
}
