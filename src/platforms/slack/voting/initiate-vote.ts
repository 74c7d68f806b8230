import { z } from 'zod'
import { AppError } from '../../../errors.ts'
import type { ActionPresentation, PolicyCallContext, PolicyFunction } from '../../platform.ts'
import { callSlack } from '../client.ts'
import { openConversation, parseArgs, targetChannel } from '../functions/policy-call.ts'
import { policyUser, resolvePeople, slackIdsOf } from '../functions/policy-users.ts'
import { slackClients } from '../slack-clients.ts'
import type { SlackDeps } from '../slack-deps.ts'
import { voteOptionsArg } from '../../kit/policy-args.ts'
import { proposalTally } from '../../kit/vote-tally.ts'
import { voteHeading } from '../../kit/vote-heading.ts'
import { maxVoteOptions, voteBlocks, votePostId } from './vote-message.ts'

const initiateVoteArgs = z.strictObject({
  text: z.string().max(3000).optional(),
  channel: z.string().min(1).optional(),
  /** Who may vote; for `mpim` and `im`, also whom the vote is sent to. */
  users: z.array(policyUser).optional(),
  options: voteOptionsArg({ length: 200, count: maxVoteOptions }),
  /** `channel` (default), `mpim`: a group DM with `users`, `im`: a direct message to one user. */
  postType: z.enum(['channel', 'mpim', 'im']).default('channel'),
})

function defaultText(ctx: PolicyCallContext, title: string): string {
  return voteHeading(ctx.proposal, title)
}

/** Slack's limit on a message's text; a longer diff is cut there. */
const maxMessageText = 3900

/**
 * What a change would change (a policy's diff against the version in force), as a reply in the
 * vote message's thread, so members see it where they vote. Best effort: the vote stands without.
 */
async function postChange(
  ctx: PolicyCallContext,
  bot: ReturnType<typeof slackClients>['bot'],
  channel: string,
  ts: string,
  presentation: ActionPresentation,
): Promise<void> {
  if (presentation.diff === undefined || presentation.diff === '') {
    return
  }
  const head = `${presentation.title}: the change against the version in force`
  const room = maxMessageText - head.length - 10
  const diff = presentation.diff.length > room ? `${presentation.diff.slice(0, room)}\n…` : presentation.diff
  const text = `${head}\n\`\`\`\n${diff}\n\`\`\``
  try {
    await callSlack('chat.postMessage', () => bot.chat.postMessage({ channel, thread_ts: ts, text }))
  } catch (e) {
    ctx.logger.warn('could not post the change under the Slack vote message', { error: String(e) })
  }
}

/**
 * `slack.initiateVote({ text?, channel?, users?, options?, postType? })`: posts the vote message
 * (yes/no without options, one choice among them otherwise) and records it as the proposal's
 * vote, so `proposal.votePostId` and `proposal.voteUrl` are set and button clicks and reactions
 * on it count. With `users`, only they may vote. Returns the vote's post id (`<channel>:<ts>`).
 */
export function initiateVote(deps: SlackDeps): PolicyFunction {
  return async (ctx, arg) => {
    const args = parseArgs('initiateVote', initiateVoteArgs, arg)
    const { bot } = slackClients(ctx, deps.options)
    const people =
      args.users === undefined ? null : await resolvePeople(deps.ports.members, ctx.communityId, args.users)
    const presentation = await ctx.presentAction()
    const text = args.text?.trim() || defaultText(ctx, presentation.title)
    const options = args.options ?? null

    let channel: string
    if (args.postType === 'channel') {
      channel = targetChannel(ctx, 'initiateVote', args.channel)
    } else {
      const ids = slackIdsOf(people ?? [], 'vote in Slack')
      if (args.postType === 'im' && ids.length !== 1) {
        throw new AppError(
          'invalid_input',
          `slack.initiateVote: postType 'im' sends the vote to one user, not ${ids.length}`,
        )
      }
      channel = await openConversation(bot, ids)
    }

    const tally = await proposalTally(deps.ports.votes, ctx.communityId, { ...ctx.proposal, voteOptions: options })
    const blocks = voteBlocks({ text, options, tally, status: 'proposed' })
    const posted = await callSlack('chat.postMessage', () => bot.chat.postMessage({ channel, text, blocks }))
    const ts = posted.ts
    if (ts === undefined) {
      throw new AppError('platform_rejected', 'chat.postMessage: Slack gave no ts for the vote message')
    }
    const postedIn = posted.channel ?? channel

    // The vote stands without its link: a permalink Slack will not give now is no reason to fail.
    let url: string | null = null
    try {
      const link = await callSlack('chat.getPermalink', () =>
        bot.chat.getPermalink({ channel: postedIn, message_ts: ts }),
      )
      url = link.permalink ?? null
    } catch (e) {
      ctx.logger.warn('no permalink for the Slack vote message', { error: String(e) })
    }

    await postChange(ctx, bot, postedIn, ts, presentation)

    const postId = votePostId(postedIn, ts)
    if (people !== null) {
      await ctx.setVoters(people.map((p) => p.member.id))
    }
    await ctx.setVotePost({ postId, url, text, options })
    await deps.ports.communityLog(ctx.communityId, [
      {
        proposalId: ctx.proposal.id,
        actionId: ctx.action.id,
        level: 'info',
        message: `vote opened in Slack: ${text}`,
        details: { channel: postedIn, ts, url, options, voters: people?.map((p) => p.member.id) ?? null },
      },
    ])
    return postId
  }
}
