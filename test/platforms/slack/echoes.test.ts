import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { echoKey } from '../../../src/platforms/slack/echoes.ts'
import { forgetEcho, recordEcho, takeEcho } from '../../support/slack-records.ts'
import { openTestStore, testDialects } from '../../support/test-store.ts'

const day = 24 * 60 * 60_000

for (const dialect of testDialects()) {
  describe(`${dialect}: the echoes of PolicyKit's own Slack calls`, () => {
    it('recognises each expected event once, and forgets records whose event never came', async () => {
      const store = await openTestStore(dialect)
      try {
        const { id: communityId } = await store.communities.create({ name: 'Gardeners', now: 0 })
        const { id: otherId } = await store.communities.create({ name: 'Others', now: 0 })
        const rename = echoKey.rename('C1', 'seeds')
        await recordEcho(store, communityId, rename, 1_000)
        await recordEcho(store, communityId, rename, 1_000)
        assert.equal(await takeEcho(store, otherId, rename), false, "another community's record is not this one's")
        assert.equal(await takeEcho(store, communityId, rename), true)
        assert.equal(await takeEcho(store, communityId, rename), true, 'two calls, two events')
        assert.equal(await takeEcho(store, communityId, rename), false, 'a member doing it again is governed')

        const pin = echoKey.pin('C1', '1.000001')
        await recordEcho(store, communityId, pin, 2_000)
        await forgetEcho(store, communityId, pin)
        assert.equal(await takeEcho(store, communityId, pin), false, 'a refused call expects no event')

        const lost = echoKey.join('C1', 'U1')
        await recordEcho(store, communityId, lost, 3_000)
        await recordEcho(store, communityId, echoKey.join('C2', 'U2'), 3_000 + day + 1)
        assert.equal(await takeEcho(store, communityId, lost), false, 'dropped after a day')
        assert.equal(await takeEcho(store, communityId, echoKey.join('C2', 'U2')), true)
      } finally {
        await store.close()
      }
    })
  })
}
