import type { JsonObject } from './json.ts'

export interface Community {
  id: number
  name: string
  /** e.g. sweep interval; parsed where it is used. */
  settings: JsonObject
  createdAt: number
}

export interface Document {
  id: number
  communityId: number
  name: string
  text: string
  active: boolean
  updatedAt: number
}

/** A platform connection; credentials are decrypted only inside the store and platform clients. */
export interface Integration {
  id: number
  communityId: number
  platform: string
  /** The platform's id for the community (Slack team id, Discord guild id, …). */
  externalId: string
  config: JsonObject
  active: boolean
  createdAt: number
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** From least to most severe. */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[]

export interface EvaluationLog {
  id: number
  communityId: number
  proposalId: number | null
  /** That proposal's number within the community (read with the line). */
  proposalNumber: number | null
  actionId: number | null
  policyId: number | null
  level: LogLevel
  message: string
  /** e.g. `{ block: 'check', line: 3, kind: 'runtime' }` for an error in policy code */
  details: JsonObject | null
  /** The platform the line is about: its action's, else its details' `platform`; null when neither. */
  platform: string | null
  createdAt: number
}
