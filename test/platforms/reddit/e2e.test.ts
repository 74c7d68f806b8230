import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { emptyBlocks } from '../../../src/domain/policy.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import type { RedditComment, RedditPost } from '../../fakes/reddit/subreddit.ts'
import { startRedditRig, type RedditRig } from './reddit-rig.ts'

/**
 * Reddit end to end: the real engine and server, the poller every 100 ms, and the fake Reddit.
 * A vote policy holds members' posts: removed within a poll, a sticky vote comment on them,
 * members reply +1/-1, and the post is approved (or stays removed and its author is messaged)
 * within a poll of the deciding reply. What the tests check is what Reddit shows afterwards.
 */

const votePolicy = {
  name: 'Posts need two yes votes',
  kind: 'platform' as const,
  actionTypes: ['reddit.submitPost'],
  priority: 10,
  blocks: {
    ...emptyBlocks(),
    filter: 'return true',
    notify: `reddit.initiateVote({ text: 'Keep this post? ' + action.title })`,
    check: `
      if (proposal.getYesVotes().length >= 2) return PASSED
      if (proposal.getNoVotes().length >= 2) return FAILED
      return PROPOSED`,
    fail: `reddit.sendMessage({ to: action.author, subject: 'Your post', text: 'It was voted down, so it stays removed.' })`,
  },
}

describe('Reddit end to end', () => {
  let rig: RedditRig
  afterEach(() => rig.close())

  const voteCommentOn = (post: RedditPost): RedditComment | undefined =>
    rig.fake.world.comments(rig.subreddit).find((c) => c.parentId === post.fullname && c.author === rig.mod.name)

  const heldWithVote = async (post: RedditPost): Promise<RedditComment> => {
    await rig.until('the post is removed', () => post.removedBy === rig.mod.name)
    await rig.until('the vote comment is there, stickied', () => voteCommentOn(post)?.stickied === true)
    await rig.until('the proposal knows its vote', async () => (await proposalOf(post)).votePostId !== null)
    const vote = voteCommentOn(post)
    assert.ok(vote)
    return vote
  }

  const proposalOf = async (post: RedditPost): Promise<Proposal> => {
    const [action] = (await rig.actions('reddit.submitPost')).filter((a) => a.externalId === post.fullname)
    assert.ok(action, 'the post is an action')
    const proposal = (await rig.store.proposals.list(rig.communityId, { actionId: action.id }))[0]
    assert.ok(proposal)
    return proposal
  }

  it('holds a member’s post for a vote and approves it within a poll of the deciding reply', async (t) => {
    rig = await startRedditRig({ memberPermissions: ['propose:*', 'vote'], policies: [votePolicy] })
    const [bob, cy] = rig.voters
    assert.ok(bob && cy)
    const postedAt = performance.now()
    const post = rig.fake.as(rig.ada).post(rig.subreddit, { title: 'Tomatoes', text: 'Too many tomatoes' })
    const vote = await heldWithVote(post)
    const heldMs = performance.now() - postedAt
    assert.match(vote.body, /Keep this post\? Tomatoes/)
    const proposal = await proposalOf(post)
    assert.equal(proposal.votePostId, vote.fullname)
    assert.match(proposal.voteUrl ?? '', /^https:\/\/www\.reddit\.com\/r\/gardening\/comments\//)

    rig.fake.as(bob).comment(vote, '+1')
    await rig.until(
      'one vote counted',
      async () => (await rig.store.votes.list(rig.communityId, proposal.id)).length === 1,
    )
    assert.equal(post.removedBy, rig.mod.name, 'one yes is not enough')
    const decidingAt = performance.now()
    rig.fake.as(cy).comment(vote, 'yes, keep it')
    await rig.until('the post is approved', () => post.approvedBy === rig.mod.name && post.removedBy === null)
    const decidedMs = performance.now() - decidingAt
    // From the poll that read the deciding reply to the approval, as the fake Reddit saw them.
    const approved = rig.fake.calls.find((c) => c.path === '/api/approve' && c.params['id'] === post.fullname)
    const read = rig.fake.calls
      .filter((c) => c.path === '/r/gardening/comments' && approved && c.at <= approved.at)
      .at(-1)
    assert.ok(approved && read)
    t.diagnostic(
      `reddit e2e: post → removed with a vote ${heldMs.toFixed(0)} ms; deciding reply → approved ${decidedMs.toFixed(0)} ms; ` +
        `poll that read it → approved ${approved.at - read.at} ms (poll interval 100 ms)`,
    )

    assert.equal((await rig.actions('reddit.submitPost')).length, 1, 'one action for the post')
    assert.equal(
      (await rig.actions('reddit.postComment')).length,
      0,
      'neither the vote comment nor the replies are governed',
    )
    await rig.until('the vote comment shows the outcome', () => /Voting closed: passed/.test(vote.body))
  })

  it('leaves a voted-down post removed and messages its author', async () => {
    rig = await startRedditRig({ memberPermissions: ['propose:*', 'vote'], policies: [votePolicy] })
    const [bob, cy] = rig.voters
    assert.ok(bob && cy)
    const post = rig.fake.as(rig.ada).post(rig.subreddit, { title: 'Buy seeds', text: 'cheap' })
    const vote = await heldWithVote(post)
    rig.fake.as(bob).comment(vote, '-1')
    rig.fake.as(cy).comment(vote, '\\-1')
    await rig.until('the author is messaged', () => rig.fake.world.messages.some((m) => m.to === rig.ada.name))
    assert.equal(post.removedBy, rig.mod.name)
    assert.equal(post.approvedBy, null)
    assert.equal((await proposalOf(post)).status, 'failed')
  })

  it('moves a vote when its reply is edited and withdraws it when the reply is deleted', async () => {
    rig = await startRedditRig({ memberPermissions: ['propose:*', 'vote'], policies: [votePolicy] })
    const [bob] = rig.voters
    assert.ok(bob)
    const post = rig.fake.as(rig.ada).post(rig.subreddit, { title: 'Mulch', text: 'which kind?' })
    const vote = await heldWithVote(post)
    const proposal = await proposalOf(post)
    const votes = () => rig.store.votes.list(rig.communityId, proposal.id)
    const reply = rig.fake.as(bob).comment(vote, '+1')
    await rig.until('bob’s yes', async () => (await votes()).some((v) => v.kind === 'boolean' && v.value))
    rig.fake.as(bob).edit(reply, '-1 on second thought')
    await rig.until('bob’s vote moved to no', async () => {
      const cast = await votes()
      return cast.length === 1 && cast[0]?.kind === 'boolean' && !cast[0].value
    })
    rig.fake.as(bob).delete(reply)
    await rig.until('bob’s vote withdrawn', async () => (await votes()).length === 0)
    const latest = rig.fake.as(bob).comment(vote, 'yes')
    rig.fake.as(bob).comment(vote, 'no')
    await rig.until('the latest reply counts', async () => {
      const cast = await votes()
      return cast.length === 1 && cast[0]?.kind === 'boolean' && !cast[0].value
    })
    assert.ok(latest)
  })

  it('neither re-governs a post nor loses a reply across a restart mid-vote', async () => {
    rig = await startRedditRig({ memberPermissions: ['propose:*', 'vote'], policies: [votePolicy] })
    const [bob, cy] = rig.voters
    assert.ok(bob && cy)
    const post = rig.fake.as(rig.ada).post(rig.subreddit, { title: 'Beans', text: 'runner or broad?' })
    const vote = await heldWithVote(post)
    const proposal = await proposalOf(post)
    rig.fake.as(bob).comment(vote, '+1')
    await rig.until('bob’s vote', async () => (await rig.store.votes.list(rig.communityId, proposal.id)).length === 1)
    // A reply made while the app is down is read by the app that starts after it.
    await rig.restart(() => {
      rig.fake.as(cy).comment(vote, '+1')
    })
    await rig.until('the post is approved', () => post.approvedBy === rig.mod.name)
    assert.equal((await rig.actions('reddit.submitPost')).length, 1, 'the post was governed once')
    assert.equal((await rig.store.votes.list(rig.communityId, proposal.id)).length, 2, 'both replies counted')
    assert.equal(
      rig.fake.world.comments(rig.subreddit).filter((c) => c.author === rig.mod.name).length,
      1,
      'one vote comment',
    )
    assert.equal(
      rig.fake.calls.filter((c) => c.path === '/api/remove' && c.params['id'] === post.fullname).length,
      1,
      'removed once',
    )
  })

  it('refreshes an expired token once and carries on', async () => {
    rig = await startRedditRig({ memberPermissions: [] })
    rig.fake.expireTokens()
    const post = rig.fake.as(rig.ada).post(rig.subreddit, { title: 'Spam', text: 'buy now' })
    await rig.until('the post is removed (no permission)', () => post.removedBy === rig.mod.name)
    assert.equal(rig.fake.grants.filter((g) => g === 'refresh_token').length, 1)
    assert.ok(
      rig.fake.calls.some((c) => c.status === 401),
      'Reddit refused the expired token first',
    )
  })

  it('waits out a 429 and a spent budget, losing nothing', async () => {
    rig = await startRedditRig({ memberPermissions: [], ratePerWindow: 10, windowMs: 1000 })
    rig.fake.rateLimitNext(3)
    const posts = [1, 2, 3].map((n) => rig.fake.as(rig.ada).post(rig.subreddit, { title: `Spam ${n}`, text: 'x' }))
    await rig.until('every post is removed', () => posts.every((p) => p.removedBy === rig.mod.name))
    assert.ok(rig.fake.calls.filter((c) => c.status === 429).length >= 3)
    assert.equal((await rig.actions('reddit.submitPost')).length, 3)
  })

  it('governs a post the moderator made by hand (only PolicyKit’s own are known, by fullname)', async () => {
    rig = await startRedditRig({ memberPermissions: [] })
    const modPost = rig.fake.as(rig.mod).post(rig.subreddit, { title: 'By hand', text: 'the moderator posts' })
    await rig.until(
      'the moderator’s own post is governed',
      async () => (await rig.actions('reddit.submitPost')).length === 1,
    )
    assert.equal((await rig.actions('reddit.submitPost'))[0]?.externalId, modPost.fullname)
  })
})
