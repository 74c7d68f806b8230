import type { PlatformPorts } from '../platform-ports.ts'
import type { SlackOptions } from './options.ts'

/** What the Slack platform is made from: the app's settings and the ports PolicyKit hands it. */
export interface SlackDeps {
  options: SlackOptions
  ports: PlatformPorts
}
