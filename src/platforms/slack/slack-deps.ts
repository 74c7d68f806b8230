import type { Store } from '../../store/store.ts'
import type { SlackOptions } from './options.ts'

// Like the constitution, Slack is handed the Store: to map Slack users to members, record the
// echoes of its own calls and read vote tallies. Platform code still sees one community at a time.
export interface SlackDeps {
  options: SlackOptions
  store: Store
}
