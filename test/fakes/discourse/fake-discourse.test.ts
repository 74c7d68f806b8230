import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { signDiscourseBody, startFakeDiscourse, type FakeDiscourse } from './fake-discourse.ts'
import type { ForumUser } from './forum.ts'
import { checkAnswer } from './spec.ts'

interface Received {
  headers: IncomingMessage['headers']
  body: string
}

describe('the fake Discourse', () => {
  let fake: FakeDiscourse
  let admin: ForumUser
  let ada: ForumUser
  const received: Received[] = []
  let hookServer: ReturnType<typeof createServer>

  const call = async (method: string, path: string, body?: unknown, as = admin.username, key = fake.apiKey) => {
    const response = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'api-key': key, 'api-username': as, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      json: text === '' ? null : (JSON.parse(text) as unknown),
    }
  }

  before(async () => {
    fake = await startFakeDiscourse()
    admin = fake.forum.addUser({ username: 'root', name: 'Root', admin: true })
    ada = fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace' })
    hookServer = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (c: Buffer) => chunks.push(c))
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
        response.writeHead(200).end()
      })
    })
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve))
    fake.hook = { url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`, secret: 'hook secret' }
  })
  after(async () => {
    await fake.close()
    await new Promise((resolve) => hookServer.close(resolve))
  })

  it('answers every route PolicyKit uses in the shapes openapi.json gives', async () => {
    const topic = await call('POST', '/posts.json', { title: 'Compost rota', raw: 'Who turns the heap?', category: 1 })
    assert.equal(topic.status, 200)
    const { id: postId, topic_id: topicId } = topic.json as { id: number; topic_id: number }
    const reply = await call('POST', '/posts.json', { raw: 'Me, on Mondays', topic_id: topicId }, 'ada')
    assert.equal(reply.status, 200)
    const replyId = (reply.json as { id: number }).id
    assert.equal((await call('PUT', `/posts/${replyId}.json`, { post: { raw: 'Me, on Tuesdays' } })).status, 200)
    const shown = await call('GET', `/posts/${replyId}.json`)
    assert.equal((shown.json as { raw: string; version: number }).raw, 'Me, on Tuesdays')
    assert.equal((shown.json as { version: number }).version, 2)
    assert.equal((await call('DELETE', `/posts/${replyId}.json`)).status, 200)
    assert.notEqual(fake.forum.post(replyId)?.deletedAt, null)
    assert.equal((await call('PUT', `/posts/${replyId}/recover`)).status, 200)
    assert.equal(fake.forum.post(replyId)?.deletedAt, null)
    assert.equal((await call('PUT', `/t/${topicId}/status.json`, { status: 'closed', enabled: 'true' })).status, 200)
    assert.equal(fake.forum.topic(topicId)?.closed, true)
    const garden = fake.forum.addCategory('Garden')
    assert.equal((await call('PUT', `/t/-/${topicId}.json`, { topic: { category_id: garden.id } })).status, 200)
    assert.equal(fake.forum.topic(topicId)?.categoryId, garden.id)
    assert.equal((await call('DELETE', `/t/${topicId}.json`)).status, 200)
    assert.notEqual(fake.forum.post(postId)?.deletedAt, null, 'deleting a topic deletes its posts')
    assert.equal((await call('PUT', `/t/${topicId}/recover`)).status, 200)
    assert.equal(fake.forum.topic(topicId)?.deletedAt, null)
    const users = await call('GET', '/admin/users/list/active.json')
    assert.deepEqual(
      (users.json as { id: number; username: string }[]).map((u) => u.username),
      ['system', 'discobot', 'root', 'ada'],
    )
    assert.equal((await call('GET', '/categories.json')).status, 200)
    const pm = await call('POST', '/posts.json', {
      title: 'A word in private',
      raw: 'Hello Ada',
      archetype: 'private_message',
      target_recipients: 'ada',
    })
    assert.equal(pm.status, 200)
    assert.deepEqual(fake.violations, [])
  })

  it('holds answers to the spec: a post without its required fields is a violation', () => {
    assert.notDeepEqual(checkAnswer('POST', '/posts.json', 200, { id: 1 }), [])
    assert.notDeepEqual(checkAnswer('GET', '/admin/users/list/{flag}.json', 200, [{ id: '1' }]), [])
  })

  it('holds a public poll from a post’s [poll] markup: votes, voters page by page, closing', async () => {
    const made = await call('POST', '/posts.json', {
      title: 'Pick a day',
      raw: 'When?\n\n[poll name=poll type=regular public=true]\n* Monday\n* Friday\n[/poll]',
    })
    const post = fake.forum.post((made.json as { id: number }).id)
    assert.ok(post)
    fake.as(ada).vote(post, ['Friday'])
    fake.as(admin).vote(post, ['Monday'])
    fake.as(admin).vote(post, ['Friday'])
    const shown = await call('GET', `/posts/${post.id}.json`)
    const [poll] = (shown.json as { polls: { options: { id: string; html: string; votes: number }[] }[] }).polls
    assert.deepEqual(
      poll?.options.map((o) => [o.html, o.votes]),
      [
        ['Monday', 0],
        ['Friday', 2],
      ],
    )
    const friday = poll?.options[1]?.id ?? ''
    const page = async (n: number) =>
      (await call('GET', `/polls/voters.json?post_id=${post.id}&poll_name=poll&option_id=${friday}&page=${n}&limit=1`))
        .json as { voters: Record<string, { username: string }[]> }
    assert.deepEqual(
      (await page(1)).voters[friday]?.map((u) => u.username),
      ['ada'],
    )
    assert.deepEqual(
      (await page(2)).voters[friday]?.map((u) => u.username),
      ['root'],
    )
    assert.deepEqual((await page(3)).voters[friday], [])
    const closed = await call('PUT', '/polls/toggle_status', { post_id: post.id, poll_name: 'poll', status: 'closed' })
    assert.equal(closed.status, 200)
    assert.equal(post.polls[0]?.status, 'closed')
    assert.throws(() => fake.as(ada).vote(post, ['Monday']), /no open poll/)
    const older = await call('GET', `/posts/${post.id}.json?version=1`)
    assert.equal(older.status, 200)
  })

  it('refuses a wrong key or username with 403 and Discourse error body', async () => {
    for (const answer of [
      await call('GET', '/categories.json', undefined, 'root', 'wrong'),
      await call('GET', '/categories.json', undefined, 'nobody'),
    ]) {
      assert.equal(answer.status, 403)
      assert.equal((answer.json as { error_type: string }).error_type, 'invalid_access')
      assert.ok(Array.isArray((answer.json as { errors: unknown }).errors))
    }
    const notStaff = await call('DELETE', '/t/1.json', undefined, 'ada')
    assert.equal(notStaff.status, 403)
  })

  it('answers 422 for a used title and 404 for a missing post', async () => {
    await call('POST', '/posts.json', { title: 'Seed swap day', raw: 'Bring seeds' })
    const again = await call('POST', '/posts.json', { title: 'Seed swap day', raw: 'Bring more seeds' })
    assert.equal(again.status, 422)
    assert.deepEqual((again.json as { errors: string[] }).errors, ['Title has already been used'])
    const missing = await call('GET', '/posts/9999.json')
    assert.equal(missing.status, 404)
    assert.equal((missing.json as { error_type: string }).error_type, 'not_found')
  })

  it('rate limits on demand with 429 and Retry-After', async () => {
    fake.rateLimitNext(1, 7)
    const limited = await call('GET', '/categories.json')
    assert.equal(limited.status, 429)
    assert.equal(limited.headers.get('retry-after'), '7')
    assert.deepEqual((limited.json as { extras: unknown }).extras, { wait_seconds: 7 })
    assert.equal((await call('GET', '/categories.json')).status, 200)
  })

  it('delivers a member’s new topic as topic_created and post_created, signed with the webhook secret', async () => {
    received.length = 0
    const { topic, post } = await fake.as(ada).createTopic({ title: 'Tomato blight', raw: 'Help, brown leaves' })
    assert.deepEqual(
      received.map((r) => r.headers['x-discourse-event']),
      ['topic_created', 'post_created'],
    )
    for (const r of received) {
      assert.equal(r.headers['x-discourse-event-signature'], signDiscourseBody('hook secret', r.body))
      assert.equal(r.headers['x-discourse-instance'], fake.url)
    }
    const [topicHook, postHook] = received.map((r) => JSON.parse(r.body) as Record<string, Record<string, unknown>>)
    assert.equal(topicHook?.topic?.id, topic.id)
    assert.equal((topicHook?.topic?.created_by as { username: string }).username, 'ada')
    assert.equal(postHook?.post?.id, post.id)
    assert.equal(postHook?.post?.post_number, 1)
    assert.notEqual(received[0]?.headers['x-discourse-event-id'], received[1]?.headers['x-discourse-event-id'])
  })

  it('sends a badly signed, an unsigned and a redelivered webhook on demand', async () => {
    received.length = 0
    const first = await fake.deliver('ping', { ping: 'OK' }, { badSignature: true })
    await fake.deliver('ping', { ping: 'OK' }, { unsigned: true })
    await fake.redeliver(first)
    const [bad, unsigned, again] = received
    assert.notEqual(bad?.headers['x-discourse-event-signature'], signDiscourseBody('hook secret', bad?.body ?? ''))
    assert.equal(unsigned?.headers['x-discourse-event-signature'], undefined)
    assert.equal(again?.headers['x-discourse-event-id'], bad?.headers['x-discourse-event-id'])
    assert.equal(again?.headers['x-discourse-event-signature'], signDiscourseBody('hook secret', again?.body ?? ''))
  })
})
