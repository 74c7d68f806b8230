/**
 * The names in scope in a policy block (DESIGN.md §4), as data for the editor's completion:
 * what each is, with a line of documentation.
 */
export interface PolicyApiEntry {
  name: string
  kind: 'variable' | 'property' | 'method' | 'function' | 'constant' | 'namespace'
  /** Shown beside the name, e.g. a signature. */
  detail: string
  doc: string
  members?: PolicyApiEntry[]
}

const member = (name: string, detail: string, doc: string): PolicyApiEntry => ({
  name,
  kind: 'property',
  detail,
  doc,
})

const method = (name: string, detail: string, doc: string): PolicyApiEntry => ({ name, kind: 'method', detail, doc })

const initiator: PolicyApiEntry = {
  name: 'initiator',
  kind: 'property',
  detail: 'object | null',
  doc: 'The member who took or proposed the action, or null when PolicyKit did.',
  members: [
    member('id', 'number', 'The member id in this community.'),
    member('username', 'string', 'The username.'),
    member('displayName', 'string', 'The name shown to people.'),
    member('platform', 'string', "The platform the action came from (e.g. 'slack', 'local')."),
    member('roles', 'string[]', 'The names of the roles the member has.'),
    method('hasRole', '(name: string) => boolean', 'Whether the member has the role with this name.'),
  ],
}

export const policyApi: PolicyApiEntry[] = [
  {
    name: 'action',
    kind: 'variable',
    detail: 'object',
    doc: "The action being governed: its fields, and its type's own params (text, channel, …).",
    members: [
      member('id', 'number', 'The action id.'),
      member('kind', "'platform' | 'constitution' | 'trigger'", 'What sort of action this is.'),
      member('type', 'string', 'The action type, e.g. slack.postMessage or constitution.addRole.'),
      member('platform', 'string', 'The platform of the action type.'),
      initiator,
      member('createdAt', 'number', 'When the action was made (epoch milliseconds).'),
    ],
  },
  {
    name: 'proposal',
    kind: 'variable',
    detail: 'object',
    doc: 'This evaluation of the action by the policy: its status, votes and data store.',
    members: [
      member('id', 'number', 'The proposal id.'),
      member('status', "'proposed' | 'passed' | 'failed'", 'Where the proposal stands.'),
      member('proposedAt', 'number', 'When the proposal started (epoch milliseconds).'),
      method('getTimeElapsed', '() => number', 'Milliseconds since the proposal started.'),
      method('getYesVotes', '(users?) => Vote[]', 'The yes votes, optionally only those of the given users.'),
      method('getNoVotes', '(users?) => Vote[]', 'The no votes, optionally only those of the given users.'),
      method('getChoiceVotes', '(value?) => Vote[]', 'Votes for choices, optionally only for one value.'),
      method('getNumberVotes', '(value?) => Vote[]', 'Votes with a number, optionally only one value.'),
      method('getAllVotes', '() => Vote[]', 'Every vote cast.'),
      member('votePostId', 'string | null', "The id of the vote's post or message, once a vote is opened."),
      member('voteUrl', 'string | null', 'Where the vote is held, once a vote is opened.'),
      {
        name: 'data',
        kind: 'property',
        detail: 'store',
        doc: "The proposal's own data store: state kept from one block or evaluation to the next.",
        members: [
          method('get', '(key: string) => value', 'The value stored under key, or undefined.'),
          method('set', '(key: string, value) => void', 'Stores a JSON value under key.'),
          method('remove', '(key: string) => void', 'Removes the value stored under key.'),
        ],
      },
    ],
  },
  {
    name: 'policy',
    kind: 'variable',
    detail: 'object',
    doc: 'This policy.',
    members: [
      member('id', 'number', 'The policy id.'),
      member('name', 'string', 'The policy name.'),
      member('description', 'string', 'The policy description.'),
      member('kind', "'platform' | 'constitution' | 'trigger'", 'Which actions the policy governs.'),
      member('actionTypes', 'string[]', 'The action types it lists (none: a base policy).'),
    ],
  },
  {
    name: 'variables',
    kind: 'variable',
    detail: 'object',
    doc: "The policy's configured variables by name.",
  },
  {
    name: 'logger',
    kind: 'variable',
    detail: 'object',
    doc: "Writes to the proposal's evaluation log, shown on its page in the dashboard.",
    members: [
      method('debug', '(message, details?) => void', 'Logs at debug level.'),
      method('info', '(message, details?) => void', 'Logs at info level.'),
      method('warn', '(message, details?) => void', 'Logs a warning.'),
      method('error', '(message, details?) => void', 'Logs an error.'),
    ],
  },
  {
    name: 'constitution',
    kind: 'namespace',
    detail: 'platform',
    doc: 'The built-in platform: votes in the dashboard and the community’s members.',
    members: [
      method(
        'initiateVote',
        '({ text, options?, users?, role?, permission? }) => string',
        "Opens a vote on the proposal's page in the dashboard (yes/no, or one of options), for everyone or only the members selected by users, role or permission. Returns the vote's post id.",
      ),
      method(
        'getMembers',
        '({ role?, permission? }) => Member[]',
        'The members, optionally only those with a role or a permission: [{ id, username, displayName, roles }].',
      ),
    ],
  },
  {
    name: 'slack',
    kind: 'namespace',
    detail: 'platform',
    doc: 'The connected Slack workspace (only when the community has connected one). The channel defaults to the governed action’s.',
    members: [
      method(
        'postMessage',
        "({ text, channel?, users?, postType?: 'channel' | 'im' | 'mpim' | 'ephemeral', threadTs? }) => object",
        'Posts as the PolicyKit app: in a channel, as a direct or group message to users, or visible only to users (ephemeral).',
      ),
      method(
        'initiateVote',
        '({ text?, channel?, users?, options?, postType? }) => string',
        'Posts a vote with buttons (yes/no, or one of options); reactions 👍/👎 or numbered ones count too. Sets proposal.votePostId and voteUrl; users limits who may vote.',
      ),
      method('getUsersInChannel', '(channel?) => Member[]', 'The members in a channel.'),
      method(
        'getConversations',
        '(types?) => object[]',
        "The conversations PolicyKit can see: [{ id, name, type, memberCount }]; types: 'public_channel', 'private_channel', 'mpim', 'im'.",
      ),
      method('renameConversation', '({ channel?, name }) => void', 'Renames a channel.'),
      method('kickConversation', '({ channel?, user }) => void', 'Removes a member from a channel.'),
      method('joinConversation', '({ channel?, user }) => void', 'Adds a member to a channel.'),
    ],
  },
  {
    name: 'discourse',
    kind: 'namespace',
    detail: 'platform',
    doc: 'The connected Discourse forum (only when the community has connected one). Calls are made as the acting account; users are forum usernames or members.',
    members: [
      method('createPost', '({ raw, topicId }) => object', 'Replies in a topic: { postId, topicId, url }.'),
      method('createTopic', '({ title, raw, category? }) => object', 'Starts a topic: { topicId, postId, url }.'),
      method(
        'sendPrivateMessage',
        '({ raw, users, title? }) => object',
        'Sends a private message to the users (forum usernames or members).',
      ),
      method(
        'initiateVote',
        '({ text?, options?, topicId?, users? }) => string',
        'Posts a Discourse poll (yes/no, or one of options) in topicId or a new topic; its votes are read from the forum. Sets proposal.votePostId and voteUrl; users limits who may vote.',
      ),
      method('getUsers', '() => object[]', "The forum's active users: [{ id, username, name, memberId }]."),
      method('getCategories', '() => object[]', "The forum's categories: [{ id, name, slug }]."),
      method('closeTopic', '(topicId?) => object', 'Closes a topic (the governed action’s without one).'),
    ],
  },
  { name: 'PASSED', kind: 'constant', detail: "'passed'", doc: 'Return from check: the proposal passes.' },
  { name: 'FAILED', kind: 'constant', detail: "'failed'", doc: 'Return from check: the proposal fails.' },
  { name: 'PROPOSED', kind: 'constant', detail: "'proposed'", doc: 'Return from check: not decided yet.' },
]

/** The names in scope for a policy with these variables (so `variables.` completes them). */
export function policyScope(variableNames: string[]): PolicyApiEntry[] {
  return policyApi.map((entry) =>
    entry.name === 'variables'
      ? { ...entry, members: variableNames.map((v) => member(v, 'variable', `The policy variable ${v}.`)) }
      : entry,
  )
}

/** What can follow a dotted path (`proposal.data` → get, set, remove); undefined when unknown. */
export function membersAt(scope: PolicyApiEntry[], path: string[]): PolicyApiEntry[] | undefined {
  let entries: PolicyApiEntry[] | undefined = scope
  for (const name of path) {
    entries = entries?.find((e) => e.name === name)?.members
  }
  return entries
}
