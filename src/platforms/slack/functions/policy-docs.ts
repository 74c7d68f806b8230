import type { PolicyDocs } from '../../platform.ts'

/** What policy authors are told about `slack` (editor completion, docs/reference.md). */
export const slackPolicyDocs: PolicyDocs = {
  summary:
    'The connected Slack workspace (only when the community has connected one). The channel defaults to the governed action’s.',
  functions: {
    postMessage: {
      signature:
        "({ text, channel?, users?, postType?: 'channel' | 'im' | 'mpim' | 'ephemeral', threadTs? }) => object",
      doc: 'Posts as the PolicyKit app: in a channel, as a direct or group message to users, or visible only to users (ephemeral). `slack.postMessage(text)` is short for `{ text }`.',
    },
    initiateVote: {
      signature: '({ text?, channel?, users?, options?, postType? }) => string',
      doc: 'Posts a vote with buttons (yes/no, or one of options); reactions 👍/👎 or numbered ones count too. Sets proposal.votePostId and voteUrl; users limits who may vote.',
    },
    getUsersInChannel: {
      signature: '(channel?) => Member[]',
      doc: 'The members in a channel: [{ id, username, displayName, slackId }].',
    },
    getConversations: {
      signature: '(types?) => object[]',
      doc: "The conversations PolicyKit can see: [{ id, name, type, memberCount }]; types: 'public_channel', 'private_channel', 'mpim', 'im'.",
    },
    renameConversation: { signature: '({ channel?, name }) => void', doc: 'Renames a channel.' },
    kickConversation: { signature: '({ channel?, user }) => void', doc: 'Removes a member from a channel.' },
    joinConversation: { signature: '({ channel?, user }) => void', doc: 'Adds a member to a channel.' },
  },
}
