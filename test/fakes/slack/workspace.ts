import type { Ids } from './ids.ts'

/** The workspace the fake Slack holds: users, channels (with messages, pins, reactions), ephemerals, schedules. */
export interface FakeUser {
  id: string
  name: string
  realName: string
  email: string
  isAdmin: boolean
  isOwner: boolean
  isBot: boolean
  /** For the app's bot user: its `B…` id. */
  botId: string | null
  /** An app user (`is_app_user`): acts for an app, not a person. */
  isAppUser?: boolean
  /** A deactivated account. */
  deleted?: boolean
  /** Someone of another team (Slack Connect): their home team's id; absent for this workspace. */
  teamId?: string
}

export interface FakeReaction {
  name: string
  users: string[]
}

export interface FakeMessage {
  ts: string
  channel: string
  user: string
  text: string
  blocks?: unknown[]
  threadTs?: string
  /** Set when our app posted it with its bot token. */
  botId?: string
  /** The name a bot message shows instead of the app's (`username`, with chat:write.customize). */
  username?: string
  iconUrl?: string
  /** System messages: `channel_name`, `channel_join`; absent for ordinary messages. */
  subtype?: string
  /** Fields a system message carries (`name`, `old_name`, `inviter`). */
  extra?: Record<string, string>
  clientMsgId?: string
  deleted?: boolean
  edited?: { user: string; ts: string }
  reactions: FakeReaction[]
  replies: string[]
}

export type ChannelKind = 'channel' | 'im' | 'mpim'

export interface FakeChannel {
  id: string
  name: string
  kind: ChannelKind
  isPrivate: boolean
  isGeneral: boolean
  isArchived: boolean
  created: number
  creator: string
  members: string[]
  messages: FakeMessage[]
  /** `ts` of pinned messages, oldest pin first. */
  pins: string[]
  previousNames: string[]
}

/** An ephemeral message: only `user` sees it, so it is kept apart from the channel's history. */
export interface FakeEphemeral {
  channel: string
  user: string
  text: string
  blocks?: unknown[]
  ts: string
  threadTs?: string
  /** Who sent it: the poster's user id. */
  from: string
}

export interface FakeScheduledMessage {
  id: string
  channel: string
  postAt: number
  text: string
  blocks?: unknown[]
  threadTs?: string
  user: string
}

export interface Team {
  id: string
  name: string
  domain: string
}

export interface Workspace {
  team: Team
  appId: string
  appName: string
  bot: FakeUser
  users: FakeUser[]
  channels: FakeChannel[]
  ephemerals: FakeEphemeral[]
  scheduled: FakeScheduledMessage[]
  ids: Ids
  now(): number
  addUser(user: { name: string; realName?: string; isAdmin?: boolean; isOwner?: boolean }): FakeUser
  addChannel(name: string, options?: { members?: FakeUser[]; isPrivate?: boolean; withBot?: boolean }): FakeChannel
  user(id: string): FakeUser | undefined
  /** By id, or by name with or without `#`. */
  findChannel(nameOrId: string): FakeChannel | undefined
  /** The IM (one other user) or group DM (several) between the given users, opened on first use. */
  openConversation(userIds: string[]): FakeChannel
  /** A message that is still there (not deleted). */
  message(channel: FakeChannel, ts: string): FakeMessage | undefined
}

/** USLACKBOT: every workspace has it, and `users.list` returns it with `is_bot: false`. */
const slackbotId = 'USLACKBOT'

export function createWorkspace(options: { ids: Ids; now: () => number; team: Team; appName: string }): Workspace {
  const { ids, now } = options
  const users: FakeUser[] = []
  const channels: FakeChannel[] = []
  const seconds = () => Math.floor(now() / 1000)

  const person = (fields: Partial<FakeUser> & { id: string; name: string }): FakeUser => ({
    realName: fields.name,
    email: `${fields.name}@${options.team.domain}.example.com`,
    isAdmin: false,
    isOwner: false,
    isBot: false,
    botId: null,
    ...fields,
  })

  const bot = person({ id: ids.next('U'), name: 'policykit', realName: options.appName, isBot: true })
  bot.botId = ids.next('B')
  users.push(person({ id: slackbotId, name: 'slackbot', realName: 'Slackbot' }), bot)

  const newChannel = (fields: Partial<FakeChannel> & { id: string; name: string; kind: ChannelKind }): FakeChannel => ({
    isPrivate: false,
    isGeneral: false,
    isArchived: false,
    created: seconds(),
    creator: bot.id,
    members: [],
    messages: [],
    pins: [],
    previousNames: [],
    ...fields,
  })

  const general = newChannel({ id: ids.next('C'), name: 'general', kind: 'channel', isGeneral: true })
  general.members.push(bot.id)
  channels.push(general)

  const workspace: Workspace = {
    team: options.team,
    appId: ids.next('A'),
    appName: options.appName,
    bot,
    users,
    channels,
    ephemerals: [],
    scheduled: [],
    ids,
    now,
    addUser(fields) {
      const user = person({
        id: ids.next('U'),
        name: fields.name,
        realName: fields.realName ?? fields.name,
        isAdmin: fields.isAdmin ?? fields.isOwner ?? false,
        isOwner: fields.isOwner ?? false,
      })
      users.push(user)
      general.members.push(user.id)
      return user
    },
    addChannel(name, channelOptions = {}) {
      if (workspace.findChannel(name)) {
        throw new Error(`fake Slack: channel #${name} exists already`)
      }
      const members = (channelOptions.members ?? []).map((member) => member.id)
      const channel = newChannel({
        id: ids.next('C'),
        name,
        kind: 'channel',
        isPrivate: channelOptions.isPrivate ?? false,
        creator: members[0] ?? bot.id,
        members: channelOptions.withBot === false ? members : [bot.id, ...members],
      })
      channels.push(channel)
      return channel
    },
    user: (id) => users.find((user) => user.id === id),
    findChannel(nameOrId) {
      const name = nameOrId.replace(/^#/, '')
      return channels.find((channel) => channel.id === nameOrId) ?? channels.find((channel) => channel.name === name)
    },
    openConversation(userIds) {
      const wanted = [...new Set(userIds)].sort()
      const existing = channels.find(
        (channel) => channel.kind !== 'channel' && [...channel.members].sort().join() === wanted.join(),
      )
      if (existing) {
        return existing
      }
      const isIm = wanted.length === 2
      const names = wanted.map((id) => workspace.user(id)?.name ?? id)
      const channel = newChannel({
        id: ids.next(isIm ? 'D' : 'G'),
        name: isIm ? '' : `mpdm-${names.join('--')}-1`,
        kind: isIm ? 'im' : 'mpim',
        isPrivate: true,
        members: wanted,
      })
      channels.push(channel)
      return channel
    },
    message: (channel, ts) => channel.messages.find((message) => message.ts === ts && !message.deleted),
  }
  return workspace
}
