import type { FakeChannel } from '../fakes/slack/fake-slack.ts'

/** What the vote message says before the held message's text. */
export const slackVotePrompt = 'Keep this message? '

/**
 * The Slack end-to-end policy (test/platforms/slack/e2e.test.ts and `npm run bench`), as
 * `constitution.addPolicy` params: messages in `channel` are held for a vote, three yes votes
 * bring them back, two no votes keep them removed and tell their author privately.
 */
export const slackVotePolicy = (channel: FakeChannel) => ({
  name: 'Messages in #decisions need three yes votes',
  kind: 'platform',
  actionTypes: ['slack.postMessage'],
  priority: 10,
  blocks: {
    filter: `return action.channel === '${channel.id}'`,
    notify: `slack.initiateVote({ text: '${slackVotePrompt}' + action.text })`,
    check: `
      if (proposal.getYesVotes().length >= 3) return PASSED
      if (proposal.getNoVotes().length >= 2) return FAILED
      return PROPOSED`,
    fail: `slack.postMessage({ postType: 'ephemeral', users: [action.initiator], text: 'Your message was voted down, so it stays removed.' })`,
  },
})
