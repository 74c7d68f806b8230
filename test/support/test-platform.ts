import { z } from 'zod'
import type { JsonObject } from '../../src/domain/json.ts'
import { AppError } from '../../src/errors.ts'
import { defineAction, definePlatform, type PlatformDef } from '../../src/platforms/platform.ts'

/** The test platform's side of the world: what PolicyKit did there, as a platform would see it. */
export interface TestWorld {
  posts: Map<string, { text: string; channel: string }>
  channelNames: Map<string, string>
  /** Every execute and revert, in order. */
  calls: { op: 'execute' | 'revert'; type: string; params: JsonObject }[]
  votePosts: { postId: string; text: string; options: string[] | null; proposalId: number }[]
  messages: { text: string; proposalId: number }[]
  /** The next N platform calls answer "unavailable" (a 503), the way a platform outage would. */
  unavailable: number
  /** Each `voting.close` call: the proposal as the platform was given it. */
  closedVotes: { proposalId: number; status: string; postId: string | null }[]
  /** While true, `voting.close` throws (after recording the call). */
  closeVoteFails: boolean
  /** Awaited inside each `postMessage` call: something else happening while a block runs. */
  duringMessage: ((text: string, proposalId: number) => Promise<void>) | null
  /**
   * While true, a platform call (execute, revert, a policy function) never returns: its process
   * is as good as dead in the middle of it. Each such call is counted here.
   */
  hang: boolean
  hungCalls: number
  /** The idempotency key and retry flag of each execute and revert of `test.post`. */
  attempts: { key: string; retry: boolean }[]
}

function takeOutage(world: TestWorld): Promise<void> | void {
  if (world.hang) {
    world.hungCalls++
    return new Promise<void>(() => {})
  }
  if (world.unavailable > 0) {
    world.unavailable--
    throw new AppError('platform_unavailable', 'test platform is unavailable (503)')
  }
}

/**
 * A small platform that exercises every part of the contract: actions with execute and revert,
 * one that can only be observed, a trigger, and votes hosted on the platform (told when closed).
 */
export function testPlatform(): { platform: PlatformDef; world: TestWorld } {
  const world: TestWorld = {
    posts: new Map(),
    channelNames: new Map(),
    calls: [],
    votePosts: [],
    messages: [],
    unavailable: 0,
    closedVotes: [],
    closeVoteFails: false,
    duringMessage: null,
    hang: false,
    hungCalls: 0,
    attempts: [],
  }
  let nextId = 1

  const post = defineAction({
    description: 'Post a message in a channel',
    params: z.object({ text: z.string(), channel: z.string().default('general') }),
    async execute(ctx, params) {
      await takeOutage(world)
      world.attempts.push({ key: ctx.idempotencyKey, retry: ctx.retry })
      const postId = `p${nextId++}`
      world.posts.set(postId, { text: params.text, channel: params.channel })
      world.calls.push({ op: 'execute', type: 'test.post', params })
      return { postId }
    },
    async revert(ctx, params, result) {
      await takeOutage(world)
      world.attempts.push({ key: ctx.idempotencyKey, retry: ctx.retry })
      const postId = result?.['postId']
      if (typeof postId === 'string') {
        world.posts.delete(postId)
      }
      world.calls.push({ op: 'revert', type: 'test.post', params })
    },
  })

  const rename = defineAction({
    description: 'Rename a channel',
    params: z.object({ channel: z.string(), name: z.string().min(1) }),
    async execute(_ctx, params) {
      await takeOutage(world)
      const previousName = world.channelNames.get(params.channel) ?? params.channel
      world.channelNames.set(params.channel, params.name)
      world.calls.push({ op: 'execute', type: 'test.rename', params })
      return { previousName }
    },
    async revert(_ctx, params, result) {
      await takeOutage(world)
      const previousName = result?.['previousName']
      world.channelNames.set(params.channel, typeof previousName === 'string' ? previousName : params.channel)
      world.calls.push({ op: 'revert', type: 'test.rename', params })
    },
  })

  const observe = defineAction({
    description: 'Something that happens on the platform and can be neither done nor undone by PolicyKit',
    params: z.object({ note: z.string() }),
  })

  const platform = definePlatform({
    name: 'test',
    builtIn: true,
    actions: { post, rename, observe },
    triggers: {
      event: { description: 'Something happened', data: z.record(z.string(), z.json()) },
    },
    functions: {
      async initiateVote(ctx, options) {
        await takeOutage(world)
        const opts = options && typeof options === 'object' && !Array.isArray(options) ? options : {}
        const text = typeof opts['text'] === 'string' ? opts['text'] : 'Please vote'
        const choices = Array.isArray(opts['options']) ? opts['options'].map(String) : null
        const postId = `v${nextId++}`
        world.votePosts.push({ postId, text, options: choices, proposalId: ctx.proposal.id })
        await ctx.setVotePost({ postId, url: `https://test.example/votes/${postId}` })
        return postId
      },
      async postMessage(ctx, text) {
        await takeOutage(world)
        const message = { text: typeof text === 'string' ? text : JSON.stringify(text), proposalId: ctx.proposal.id }
        world.messages.push(message)
        await world.duringMessage?.(message.text, message.proposalId)
        return true
      },
      async reject(_ctx, message) {
        throw new AppError('platform_rejected', typeof message === 'string' ? message : JSON.stringify(message))
      },
    },
    voting: {
      open: 'initiateVote',
      async refresh() {},
      async close(_ctx, proposal) {
        world.closedVotes.push({ proposalId: proposal.id, status: proposal.status, postId: proposal.votePostId })
        if (world.closeVoteFails) {
          throw new AppError('platform_unavailable', 'test platform cannot close the vote (503)')
        }
      },
    },
  })
  return { platform, world }
}
