import type { PolicyDocs } from '../platform.ts'

/** What policy authors are told about `metagov` (editor completion, docs/reference.md). */
export const metagovPolicyDocs: PolicyDocs = {
  summary:
    'The community’s Metagov gateway (only once it is set up): the actions and governance processes of the plugins enabled for the community.',
  functions: {
    performAction: {
      signature: "(name: '<plugin>.<action>', params?) => any",
      doc: "Calls the plugin's action on the gateway and returns its result (null without one). The plugin must be enabled in the community and params (an object) must fit the action's schema.",
    },
    startProcess: {
      signature: "(name: '<plugin>.<process>', params?) => object",
      doc: "Starts an asynchronous governance process for the proposal (e.g. 'loomio.poll'), shown as its vote; one per proposal. The gateway calls back when it changes and the proposal is checked again. Returns the gateway's first record: { id, name, status, url, outcome, errors, …, poll_url } (poll_url: the same link as url).",
    },
    getProcessOutcome: {
      signature: '() => { status, outcome, errors } | null',
      doc: "The outcome of the proposal's process once it has completed; null while it is pending, or without one.",
    },
    closeProcess: {
      signature: '() => object | null',
      doc: "Closes the proposal's process now and returns its final record (as startProcess's); null without one.",
    },
  },
}
