import type { Store } from '../../../src/store/store.ts'
import { configDigest } from '../../../src/platforms/metagov/plugin-config.ts'
import type { FakeGateway } from './fake-gateway.ts'

/**
 * Connects a community to the fake gateway as a finished connection would (a gateway community,
 * the integration stored switched on, no plugins yet), with `proposed` saved as a config awaiting
 * `metagov.configure`: for tests of what happens after connecting. Gives the slug and the
 * proposed config's digest.
 */
export async function connectFakeGatewayDirectly(
  store: Store,
  gateway: FakeGateway,
  communityId: number,
  now: number,
  proposed: { name: string; config: Record<string, string | number> }[] = [],
): Promise<{ slug: string; digest: string }> {
  const slug = `community-${communityId}`
  gateway.communities.set(slug, { slug, readable_name: 'Gardeners' })
  const digest = configDigest(proposed)
  await store.integrations.create(communityId, {
    platform: 'metagov',
    externalId: slug,
    config: { readableName: 'Gardeners' },
    credentials: { plugins: [], proposed: { [digest]: proposed } },
    now,
  })
  return { slug, digest }
}
