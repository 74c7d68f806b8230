import type { PolicyDocs } from '../../platform.ts'

/** What policy authors are told about `discord` (editor completion, docs/reference.md). */
export const discordPolicyDocs: PolicyDocs = {
  summary:
    'The connected Discord server (only when the community has connected one). People are member ids, usernames, member objects or Discord user ids; the channel defaults to the governed action’s.',
  functions: {
    postMessage: {
      signature: '({ text, channel?, replyTo? }) => { channel, message }',
      doc: 'The bot posts text (up to 2000 characters, mentions not pinged) in the channel, as a reply to the message replyTo if given. `discord.postMessage(text)` is short for `{ text }`. Returns the Discord ids of the channel and the new message.',
    },
    sendDirectMessage: {
      signature: '({ text, users }) => { user, channel, message }[]',
      doc: 'One direct message from the bot to each of users (each must have a linked Discord account). Returns, per user, their Discord id and the ids of the direct message channel and message.',
    },
    initiateVote: {
      signature: '({ text?, channel?, users?, options? }) => string',
      doc: 'Posts a vote message with buttons (Yes/No, or one per option, 2 to 10) and adds the reactions that vote too (👍/👎, or 1️⃣…🔟). Sets proposal.votePostId and voteUrl (the message link); users limits who may vote. Returns the vote post id: the channel id and the message id joined by a colon.',
    },
    getUsersInChannel: {
      signature: '(channel?) => Member[]',
      doc: 'The people who can see the channel (its permission overwrites applied), bots left out: [{ id, username, displayName, discordId }]. Each becomes a member if not one yet.',
    },
    getChannels: {
      signature: '() => object[]',
      doc: "The server's text channels: [{ id, name, position }].",
    },
    renameChannel: {
      signature: '({ channel?, name }) => { channel, previousName }',
      doc: 'Renames the channel (lower case letters, digits, - and _ only; up to 100 characters); not seen again as a member’s rename. Returns the channel id and its name before.',
    },
    kickMember: {
      signature: '({ user }) => { user }',
      doc: 'Removes the member from the server (an invite lets them back). Returns their Discord id.',
    },
    addRole: {
      signature: '({ user, role }) => { user, role }',
      doc: 'Gives the member the Discord role (its id). Returns their Discord id and the role id.',
    },
    removeRole: {
      signature: '({ user, role }) => { user, role }',
      doc: 'Takes the Discord role (its id) from the member. Returns their Discord id and the role id.',
    },
  },
}
