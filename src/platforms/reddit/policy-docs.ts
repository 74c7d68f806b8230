import type { PolicyDocs } from '../platform.ts'

/** What policy authors are told about `reddit` (editor completion, docs/reference.md). */
export const redditPolicyDocs: PolicyDocs = {
  summary:
    'The connected subreddit (only when the community has connected one). Calls are made as the connected moderator; its posts and comments are known as PolicyKit’s own.',
  functions: {
    submitPost: {
      signature: '({ title, text?, flair? }) => { fullname, url }',
      doc: 'A self-post in the subreddit as the moderator (title up to 300 characters, flair as flair text). Returns its fullname (t3_…) and link.',
    },
    postComment: {
      signature: '({ parent, text }) => { fullname }',
      doc: 'A comment on a post or a reply to a comment, parent being its fullname (t3_… or t1_…). Returns the new comment’s fullname.',
    },
    sendMessage: {
      signature: '({ to, subject, text }) => null',
      doc: 'A private message to the Reddit user named to (subject up to 100 characters).',
    },
    initiateVote: {
      signature: '({ text?, options?, users? }) => string',
      doc: 'Opens a vote where the governed item is: a stickied moderator comment on the governed post, a reply to the governed comment, or a self-post for an action proposed in PolicyKit. Members vote by replying +1/yes, -1/no or an option’s number (options: 2 to 20). Sets proposal.votePostId and voteUrl; users (members) limits who may vote. Returns the vote’s fullname.',
    },
    getModerators: {
      signature: '() => object[]',
      doc: "The subreddit's moderators: [{ name, permissions }].",
    },
    getUser: {
      signature: '(name) => { name, createdUtc, ageDays, linkKarma, commentKarma }',
      doc: 'A Reddit account by its username: when it was created (seconds since 1970), its age in whole days and its karma, e.g. to filter new accounts.',
    },
  },
}
