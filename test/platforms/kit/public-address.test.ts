import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { privateAddressOf } from '../../../src/platforms/kit/public-address.ts'
import { checkForum } from '../../../src/platforms/discourse/connect.ts'
import { startFakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'

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
      await assert.rejects(checkForum(fetch, forum, 'invalid_input', { privateAddresses: false }), (e: Error) =>
        /is on a private network or this server \(127\.0\.0\.1\).*DISCOURSE_PRIVATE_ADDRESSES=allow/.test(e.message),
      )
      assert.equal(fake.requests.length, 0, 'nothing was asked of it')
      assert.equal(await checkForum(fetch, forum, 'invalid_input', { privateAddresses: true }), 'Inner forum')
      assert.ok(fake.requests.includes('GET /about.json'), fake.requests.join(', '))
      assert.deepEqual(fake.violations, [])
    } finally {
      await fake.close()
    }
  })
})
