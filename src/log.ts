import { pino } from 'pino'
import type { Config } from './config.ts'
import type { Logger } from './engine/logger.ts'

/** Operator logs: JSON lines on stdout (pino), at the configured level. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'policykit' } })
}
