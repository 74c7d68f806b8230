import type { JsonObject } from '../../../domain/json.ts'
import type { Member } from '../../../domain/member.ts'
import { isAppError } from '../../../errors.ts'
import { handleOnce } from '../../kit/delivery-ledger.ts'
import { echoKey } from '../echoes.ts'
import { mayBePerson, memberOfSlackUser, tellPrivately, type SlackListener } from './listener.ts'
import {
  channelRenameEvent,
  memberJoinedEvent,
  memberLeftEvent,
  messageEvent,
  pinEvent,
  reactionEvent,
  type SlackEventData,
} from './payloads.ts'
import { slackTriggers } from './triggers.ts'
import { voteRefusal } from '../../kit/vote-tally.ts'
import { castSlackVote, proposalOfVoteMessage, withdrawSlackVote } from './votes.ts'
import { slackPlatformName } from '../members.ts'
import { voteFromReaction } from '../voting/vote-message.ts'

/**
 * What an event turned out to be: PolicyKit's own doing (its bot, or an echo it expected), which
 * nothing reacts to; or someone's, offered to trigger policies with that person as initiator.
 */
type Seen =
  | { own: true }
  /** `member`: the user's member (null: none), when governing the event looked them up already. */
  | { own: false; user: string | null; member?: Member | null }

const own: Seen = { own: true }
const someone = (user: string | undefined | null): Seen => ({ own: false, user: user ?? null })

/** Messages in channels (public and private) are governed; direct messages are not. */
const governedChannelTypes = new Set(['channel', 'group'])

/**
 * Subtypes that are a member posting, governed like a plain message: a message with files, a
 * thread reply also sent to the channel, a `/me` message. Edits (`message_changed`) are not
 * governed: Slack lets nobody but the author edit a message, so PolicyKit could not undo one.
 */
const postedSubtypes = new Set(['file_share', 'thread_broadcast', 'me_message'])

/**
 * Handles one Events API event for the listener's community: governs it when it is a governed
 * kind (a message, a rename, a join, a pin), counts it as a vote when it is a reaction on a vote
 * message, and offers it to trigger policies as `slack.<type>`. A redelivered event (Slack's
 * retries carry the same event id) does nothing the second time, nor one that arrives while another
 * delivery is handling it; when handling fails, the event id is let go so that Slack's retry runs
 * it again, and a handling that died with its process is taken over by a retry after 30 s.
 */
export async function handleSlackEvent(listener: SlackListener, eventId: string, event: SlackEventData): Promise<void> {
  const { ports, communityId, logger } = listener
  const claim = await handleOnce(ports.deliveries, communityId, eventId, async () => {
    const seen = await governEvent(listener, eventId, event)
    if (!seen.own && Object.hasOwn(slackTriggers, event.type)) {
      // A bot, an app or someone outside the workspace triggers with no initiator.
      const initiator =
        seen.user === null
          ? null
          : seen.member === undefined
            ? await memberOfSlackUser(listener, seen.user)
            : seen.member
      await ports.trigger({
        communityId,
        type: `${slackPlatformName}.${event.type}`,
        data: event,
        initiatorId: initiator?.id ?? null,
      })
    }
  })
  if (claim !== 'claimed') {
    logger.debug({ platform: slackPlatformName, communityId, eventId, claim }, 'slack: event handled already')
  }
}

async function governEvent(listener: SlackListener, eventId: string, event: SlackEventData): Promise<Seen> {
  switch (event.type) {
    case 'message':
      return onMessage(listener, eventId, event)
    case 'member_joined_channel':
      return onJoin(listener, eventId, event)
    case 'pin_added':
      return onPin(listener, eventId, event)
    case 'reaction_added':
    case 'reaction_removed':
      return onReaction(listener, event, event.type === 'reaction_added')
    case 'member_left_channel': {
      const left = memberLeftEvent.safeParse(event)
      return left.success
        ? echoOr(listener, echoKey.leave(left.data.channel, left.data.user), left.data.user)
        : someone(null)
    }
    case 'pin_removed': {
      const unpinned = pinEvent.safeParse(event)
      return unpinned.success
        ? echoOr(listener, echoKey.unpin(unpinned.data.channel_id, unpinned.data.item.message.ts), unpinned.data.user)
        : someone(null)
    }
    case 'channel_rename':
    case 'group_rename': {
      // The `channel_name` message of the same rename is what is governed; this one only triggers.
      const renamed = channelRenameEvent.safeParse(event)
      return renamed.success
        ? echoOr(listener, echoKey.renamed(renamed.data.channel.id, renamed.data.channel.name), null)
        : someone(null)
    }
    default: {
      const user = typeof event['user'] === 'string' ? event['user'] : null
      return user !== null && user === listener.credentials.botUserId ? own : someone(user)
    }
  }
}

/** PolicyKit's own when it expected this event (or its bot did it), else `user`'s. */
async function echoOr(listener: SlackListener, key: string, user: string | null): Promise<Seen> {
  if (await listener.ports.echoes.take(listener.communityId, key)) {
    return own
  }
  return user !== null && user === listener.credentials.botUserId ? own : someone(user)
}

async function onMessage(listener: SlackListener, eventId: string, event: SlackEventData): Promise<Seen> {
  const parsed = messageEvent.safeParse(event)
  if (!parsed.success) {
    return someone(null)
  }
  const message = parsed.data
  const { botUserId } = listener.credentials
  // PolicyKit's bot posted it (a vote, a notice, a re-posted message), or changed it (a tally).
  if (message.user === botUserId || message.message?.user === botUserId || isOurApp(listener, message.app_id)) {
    return own
  }
  const { user, channel } = message
  if (message.subtype === 'message_deleted' && message.deleted_ts !== undefined) {
    // PolicyKit deletes with the admin's token: the event names nobody, only the echo tells.
    return echoOr(listener, echoKey.delete(channel, message.deleted_ts), user ?? null)
  }
  if (message.subtype === undefined || postedSubtypes.has(message.subtype)) {
    if (!user || message.bot_id !== undefined || !mayBePerson(listener, user)) {
      return someone(user)
    }
    if (!governedChannelTypes.has(message.channel_type ?? 'channel')) {
      return someone(user)
    }
    const threadTs = message.thread_ts !== undefined && message.thread_ts !== message.ts ? message.thread_ts : undefined
    const files = (message.files ?? []).flatMap((f) => (f.permalink === undefined ? [] : [f.permalink]))
    return governObserved(listener, eventId, {
      type: 'slack.postMessage',
      params: {
        channel,
        text: message.text ?? '',
        ...(threadTs === undefined ? {} : { threadTs }),
        ...(threadTs !== undefined && message.subtype === 'thread_broadcast' ? { broadcast: true } : {}),
        ...(files.length === 0 ? {} : { files }),
      },
      result: { channel, ts: message.ts },
      user,
      channel,
      what: 'your message',
    })
  }
  if (message.subtype === 'channel_name' && user && message.name !== undefined && message.old_name !== undefined) {
    if (
      (await listener.ports.echoes.take(listener.communityId, echoKey.rename(channel, message.name))) ||
      !mayBePerson(listener, user)
    ) {
      return own
    }
    return governObserved(listener, eventId, {
      type: 'slack.renameConversation',
      params: { channel, name: message.name, previousName: message.old_name },
      result: null,
      user,
      channel,
      what: `your renaming of #${message.old_name} to #${message.name}`,
    })
  }
  return someone(user)
}

async function onJoin(listener: SlackListener, eventId: string, event: SlackEventData): Promise<Seen> {
  const parsed = memberJoinedEvent.safeParse(event)
  if (!parsed.success) {
    return someone(null)
  }
  const { user, channel, inviter } = parsed.data
  const { botUserId } = listener.credentials
  // The echo first: its record is used up even when the bot's identity would tell as much.
  if (
    (await listener.ports.echoes.take(listener.communityId, echoKey.join(channel, user))) ||
    user === botUserId ||
    inviter === botUserId
  ) {
    return own
  }
  // Whoever added them did it; someone who joined by themselves did it themselves.
  const initiator = inviter ?? user
  return governObserved(listener, eventId, {
    type: 'slack.joinConversation',
    params: { channel, user },
    result: null,
    user: initiator,
    channel,
    what: inviter === undefined ? 'your joining this channel' : `your adding <@${user}> to this channel`,
  })
}

async function onPin(listener: SlackListener, eventId: string, event: SlackEventData): Promise<Seen> {
  const parsed = pinEvent.safeParse(event)
  if (!parsed.success) {
    return someone(null)
  }
  const { user, channel_id: channel } = parsed.data
  const { ts } = parsed.data.item.message
  if (
    (await listener.ports.echoes.take(listener.communityId, echoKey.pin(channel, ts))) ||
    !mayBePerson(listener, user)
  ) {
    return own
  }
  return governObserved(listener, eventId, {
    type: 'slack.pinMessage',
    params: { channel, ts },
    result: null,
    user,
    channel,
    what: 'your pin',
  })
}

/** A reaction on a vote message is a vote (👍/👎, or a numbered emoji for a choice); removing it takes the vote back. */
async function onReaction(listener: SlackListener, event: SlackEventData, added: boolean): Promise<Seen> {
  const parsed = reactionEvent.safeParse(event)
  if (!parsed.success) {
    return someone(null)
  }
  const { user, reaction, item } = parsed.data
  if (!mayBePerson(listener, user)) {
    return own
  }
  if (item.type !== 'message' || item.channel === undefined || item.ts === undefined) {
    return someone(user)
  }
  const proposal = await proposalOfVoteMessage(listener, item.channel, item.ts)
  const vote = proposal && voteFromReaction(reaction, proposal.voteOptions)
  if (!proposal || !vote) {
    return someone(user)
  }
  if (!added) {
    await withdrawSlackVote(listener, proposal, user, vote)
    return someone(user)
  }
  const outcome = await castSlackVote(listener, proposal, user, vote)
  // A bot's or an outsider's reaction is simply not a vote: only a click (someone asking) is answered.
  if (outcome === 'ineligible' || outcome === 'closed') {
    await tellPrivately(listener, { channel: item.channel, user, text: voteRefusal[outcome] })
  }
  return someone(user)
}

function isOurApp(listener: SlackListener, appId: string | undefined): boolean {
  return appId !== undefined && appId === listener.integration.config['appId']
}

interface Observed {
  type: string
  params: JsonObject
  /** What revert needs of an action that already happened. */
  result: JsonObject | null
  /** The Slack user who did it. */
  user: string
  channel: string
  /** For the notice when it is undone: "your message", "your pin", … */
  what: string
}

/**
 * Something a member did in Slack, handed to the engine as a governed action that already
 * happened. A member who may not propose it has it undone at once and is told why, privately.
 */
async function governObserved(listener: SlackListener, eventId: string, observed: Observed): Promise<Seen> {
  // Someone who is no member (a person of another team in a shared channel) is governed with the
  // default role's permissions, as any action without an initiator.
  const member = await memberOfSlackUser(listener, observed.user)
  try {
    const outcome = await listener.ports.propose({
      communityId: listener.communityId,
      type: observed.type,
      params: observed.params,
      result: observed.result,
      initiatorId: member?.id ?? null,
      origin: 'platform',
      externalId: eventId,
    })
    if (outcome.status === 'forbidden') {
      await tellPrivately(listener, {
        channel: observed.channel,
        user: observed.user,
        text: `PolicyKit undid ${observed.what}: ${outcome.reason}.`,
      })
    }
  } catch (e) {
    // An event PolicyKit cannot describe as its action (say, a message with no text but a
    // file) is left alone rather than retried by Slack forever.
    if (!isAppError(e, 'invalid_input')) {
      throw e
    }
    listener.logger.warn(
      {
        platform: slackPlatformName,
        communityId: listener.communityId,
        eventId,
        type: observed.type,
        reason: e.message,
      },
      'slack: event not governed',
    )
  }
  return { own: false, user: observed.user, member }
}
