import type { SlackOptions } from '../../../src/platforms/slack/options.ts'
import type { FakeSlack } from './fake-slack.ts'

/** The Slack app settings that point PolicyKit at `fake`, as config gives them for slack.com. */
export const fakeSlackOptions = (fake: FakeSlack): SlackOptions => ({
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  signingSecret: fake.signingSecret,
  apiUrl: fake.apiUrl,
  authorizeUrl: fake.authorizeUrl,
  oidcAuthorizeUrl: fake.oidcAuthorizeUrl,
})
