import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import { AppError } from '../../../errors.ts'
import { voteOptionsArg } from '../../kit/policy-args.ts'
import { proposalTally } from '../../kit/vote-tally.ts'
import type { PolicyCallContext, PolicyFunction } from '../../platform.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordDeps } from '../deps.ts'
import { parseArgs, policyUser, resolvePeople, snowflakeArg, targetChannel } from '../functions/policy-call.ts'
import { maxVoteOptions, messageUrl, voteComponents, voteContent, voteEmoji, votePostId } from './vote-message.ts'
import { voteHeading } from '../../kit/vote-heading.ts'

const initiateVoteArgs = z.strictObject({
  text: z.string().max(1500).optional(),
  channel: snowflakeArg.optional(),
  /** Who may vote (members); everyone in the community without. */
  users: z.array(policyUser).optional(),
  options: voteOptionsArg({ length: 80, count: maxVoteOptions }),
})

function defaultText(ctx: PolicyCallContext): string {
  return voteHeading(ctx.proposal, `\`${ctx.action.type}\``)
}

const posted = z.object({ id: z.string(), channel_id: z.string() })

/**
 * `discord.initiateVote({ text?, channel?, users?, options? })`: posts the vote message (yes/no
 * without options, one choice among them otherwise) with its buttons, adds the reactions that
 * vote too, and records it as the proposal's vote (`proposal.votePostId`, `proposal.voteUrl`,
 * the message's link). With `users`, only they may vote. Returns the vote's post id
 * (`<channel>:<message>`).
 */
export function initiateVote(deps: DiscordDeps): PolicyFunction {
  return async (ctx, arg) => {
    const args = parseArgs('initiateVote', initiateVoteArgs, arg)
    if (ctx.integration === null) {
      throw new AppError('conflict', 'Discord is not connected to this community')
    }
    const guild = ctx.integration.externalId
    const channel = targetChannel(ctx, 'initiateVote', args.channel)
    const people =
      args.users === undefined ? null : await resolvePeople(deps.ports.members, ctx.communityId, args.users)
    const text = args.text?.trim() || defaultText(ctx)
    const options = args.options ?? null
    const tally = await proposalTally(deps.ports.votes, ctx.communityId, { ...ctx.proposal, voteOptions: options })
    const rest = discordRest(deps.options)
    const message = posted.parse(
      await callDiscord('post the vote', () =>
        rest.post(Routes.channelMessages(channel), {
          body: {
            content: voteContent({ text, options, tally, status: 'proposed' }),
            components: voteComponents(options, 'proposed'),
            allowed_mentions: { parse: [] },
          },
        }),
      ),
    )
    const postId = votePostId(message.channel_id, message.id)
    const url = messageUrl(guild, message.channel_id, message.id)
    if (people !== null) {
      await ctx.setVoters(people.map((p) => p.member.id))
    }
    await ctx.setVotePost({ postId, url, text, options })
    // The reactions are a second way to vote; the buttons already work without them.
    for (const emoji of voteEmoji(options)) {
      try {
        await callDiscord('react to the vote', () =>
          rest.put(Routes.channelMessageOwnReaction(message.channel_id, message.id, encodeURIComponent(emoji))),
        )
      } catch (e) {
        ctx.logger.warn('could not add a voting reaction to the Discord vote', { emoji, error: String(e) })
        break
      }
    }
    await deps.ports.communityLog(ctx.communityId, [
      {
        proposalId: ctx.proposal.id,
        actionId: ctx.action.id,
        level: 'info',
        message: `vote opened in Discord: ${text}`,
        details: {
          channel: message.channel_id,
          message: message.id,
          url,
          options,
          voters: people?.map((p) => p.member.id) ?? null,
        },
      },
    ])
    return postId
  }
}
