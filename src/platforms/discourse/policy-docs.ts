import type { PolicyDocs } from '../platform.ts'

/** What policy authors are told about `discourse` (editor completion, docs/reference.md). */
export const discoursePolicyDocs: PolicyDocs = {
  summary:
    'The connected Discourse forum (only when the community has connected one). Each call is made at once as the acting account; people are forum usernames or members (an id, or a member object such as action.initiator) with a linked Discourse account.',
  functions: {
    createPost: {
      signature: '({ raw, topicId }) => { postId, topicId, url }',
      doc: 'Replies in the topic with raw (Markdown). Returns the new post’s id, its topic and its link.',
    },
    createTopic: {
      signature: '({ title, raw, category? }) => { topicId, postId, url }',
      doc: 'Starts a topic (in the category, by id, if given). Returns the topic, its first post’s id and its link.',
    },
    sendPrivateMessage: {
      signature: '({ raw, users, title? }) => { topicId, postId }',
      doc: 'A private message to users (1 to 50); the title defaults to "About proposal" and its id. Returns the message’s topic and post ids.',
    },
    initiateVote: {
      signature: '({ text?, options?, topicId?, users? }) => string',
      doc: 'Posts text with a public Discourse poll (Yes/No, or one of options, 2 to 20) in topicId, or in a new topic "Vote on proposal #" and its number in the community. Sets proposal.votePostId and voteUrl; users limits who may vote (a username counts only when it is a member’s linked account). Votes are read from the poll. Returns the vote post’s id.',
    },
    getUsers: {
      signature: '() => object[]',
      doc: "The forum's active users, Discourse's own accounts left out: [{ id, username, name, memberId }] (memberId: the linked member's id, or null).",
    },
    getCategories: {
      signature: '() => object[]',
      doc: "The forum's categories: [{ id, name, slug }].",
    },
    closeTopic: {
      signature: '(topicId?) => { topicId }',
      doc: 'Closes the topic (the governed action’s without one; `{ topicId }` works too). Returns the topic id.',
    },
  },
}
