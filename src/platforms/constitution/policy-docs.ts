import type { PolicyDocs } from '../platform.ts'

/** What policy authors are told about `constitution` (editor completion, docs/reference.md). */
export const constitutionPolicyDocs: PolicyDocs = {
  summary: 'The built-in platform: votes in the dashboard and the community’s members. Always in scope.',
  functions: {
    initiateVote: {
      signature: '({ text, options?, users?, role?, permission? }) => string',
      doc: "Opens a vote on the proposal's page in the dashboard (yes/no, or one of options), for every member holding vote or only the members selected by users, role or permission. Returns the vote's post id.",
    },
    getMembers: {
      signature: '({ role?, permission? }) => Member[]',
      doc: 'The members, optionally only those with a role or a permission: [{ id, username, displayName, roles }].',
    },
  },
}
