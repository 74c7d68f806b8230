import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { isAppError } from '../../../src/errors.ts'
import { addressCheckedFetch, privateAddressOf, publicOnlyFetch } from '../../../src/platforms/kit/public-address.ts'
import { callDiscourse, forumFetch } from '../../../src/platforms/discourse/client.ts'
import { checkForum } from '../../../src/platforms/discourse/connect.ts'
import { createDiscoursePlatform } from '../../../src/platforms/discourse/manifest.ts'
import { connectFakeDiscourseDirectly, testDiscourseOptions } from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import { fakeClock } from '../../support/fake-clock.ts'
import { platformAlone } from '../../support/platform-alone.ts'
import { openTestStore } from '../../support/test-store.ts'

const refusedAsPrivate = (e: unknown) =>
  isAppError(e, 'platform_rejected') && /is on a private network or this server \((127\.0\.0\.1|::1)\)/.test(e.message)

describe('addresses a community enters must be public', () => {
  it('names the address of this host, of private and link-local networks, IPv4 and IPv6', async () => {
    for (const [url, address] of [
      ['http://127.0.0.1:8080', '127.0.0.1'],
      ['https://10.1.2.3', '10.1.2.3'],
      ['https://172.20.0.5/forum', '172.20.0.5'],
      ['https://192.168.1.10', '192.168.1.10'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
      ['http://100.64.0.1', '100.64.0.1'],
      ['http://0.0.0.0', '0.0.0.0'],
      ['http://[::1]:3000', '::1'],
      ['http://[fd12:3456::1]', 'fd12:3456::1'],
      ['http://[fe80::1]', 'fe80::1'],
      ['http://[::ffff:192.168.0.1]', '::ffff:c0a8:1'],
    ]) {
      assert.equal(await privateAddressOf(url as string), address, url)
    }
  })

  it('finds the private address a name resolves to', async () => {
    assert.match((await privateAddressOf('http://localhost:3000')) ?? '', /^(127\.0\.0\.1|::1)$/)
  })

  it('lets public addresses through, and leaves a name that does not resolve to the request', async () => {
    for (const url of ['https://93.184.216.34', 'https://8.8.8.8', 'https://[2606:4700:4700::1111]']) {
      assert.equal(await privateAddressOf(url), undefined, url)
    }
    assert.equal(await privateAddressOf('https://forum.invalid'), undefined)
  })

  it('refuses to connect a forum on a private address before asking it anything, unless the operator allows it', async () => {
    // The fake forum listens on 127.0.0.1: this server's own address.
    const fake = await startFakeDiscourse({ title: 'Inner forum' })
    fake.forum.addUser({ username: 'policykit', admin: true })
    try {
      const forum = { url: fake.url, apiKey: fake.apiKey, apiUsername: 'policykit' }
      await assert.rejects(checkForum(forum, 'invalid_input', { privateAddresses: false }), (e: Error) =>
        /is on a private network or this server \(127\.0\.0\.1\).*DISCOURSE_PRIVATE_ADDRESSES=allow/.test(e.message),
      )
      assert.equal(fake.requests.length, 0, 'nothing was asked of it')
      assert.equal(await checkForum(forum, 'invalid_input', { privateAddresses: true }), 'Inner forum')
      assert.ok(fake.requests.includes('GET /about.json'), fake.requests.join(', '))
      assert.deepEqual(fake.violations, [])
    } finally {
      await fake.close()
    }
  })

  it('checks every call where it connects: a name resolving inside when connecting, an address in the URL before', async () => {
    const fake = await startFakeDiscourse({ title: 'Inner forum' })
    fake.forum.addUser({ username: 'policykit', admin: true })
    try {
      const { port } = new URL(fake.url)
      const forum = (host: string) => ({ url: `http://${host}:${port}`, apiKey: fake.apiKey, apiUsername: 'policykit' })
      for (const host of ['localhost', '127.0.0.1']) {
        await assert.rejects(callDiscourse(publicOnlyFetch, forum(host), 'GET', '/about.json'), refusedAsPrivate, host)
      }
      assert.deepEqual(fake.requests, [], 'nothing was asked of it')
      // The same checks, letting this host's addresses through: the forum answers.
      const loopback = addressCheckedFetch((address) => address === '127.0.0.1' || address === '::1')
      const about = await callDiscourse(loopback, forum('localhost'), 'GET', '/about.json')
      assert.equal((about as { about?: { title?: string } }).about?.title, 'Inner forum')
      assert.deepEqual(fake.violations, [])
    } finally {
      await fake.close()
    }
  })

  it('follows no redirect: where it points was never checked', async () => {
    const redirecting = createServer((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' })
      response.end()
    })
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = redirecting.address() as AddressInfo
      const loopback = addressCheckedFetch((address) => address === '127.0.0.1')
      const forum = { url: `http://127.0.0.1:${port}`, apiKey: 'k', apiUsername: 'policykit' }
      await assert.rejects(
        callDiscourse(loopback, forum, 'GET', '/about.json'),
        (e: unknown) =>
          isAppError(e, 'platform_rejected') &&
          /redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data/.test(e.message),
      )
    } finally {
      redirecting.close()
    }
  })

  it('keeps a connected forum’s calls to the public internet unless the operator allows private addresses', async () => {
    assert.equal(forumFetch({ privateAddresses: false }), publicOnlyFetch)
    assert.equal(forumFetch({ privateAddresses: true }, fetch), fetch)
    const store = await openTestStore('sqlite')
    const fake = await startFakeDiscourse({ title: 'Inner forum' })
    const clock = fakeClock()
    try {
      const bot = fake.forum.addUser({ username: 'policykit', admin: true })
      // Connected while the operator allowed it; the platform now runs with private addresses refused.
      const { communityId, run } = await platformAlone({
        store,
        name: 'discourse',
        now: () => clock.now(),
        create: (ports) => createDiscoursePlatform({ ...testDiscourseOptions, privateAddresses: false }, ports),
      })
      await connectFakeDiscourseDirectly(store, fake, communityId, bot, clock.now())
      const before = fake.requests.length
      await assert.rejects(
        run('createTopic', 'execute', { title: 'Inside', raw: 'Hello', category: 1 }),
        refusedAsPrivate,
      )
      assert.equal(fake.requests.length, before, 'nothing was asked of it')
    } finally {
      await fake.close()
      await store.close()
    }
  })
})
