import type { FakeChannel, FakeMember, FakeMessage, FakeUser } from './guild.ts'
import { hasPermission } from './guild.ts'
import { invalidFormBody, missingPermissions, unauthorized, unknown } from './replies.ts'
import type { RestRequest } from './routes.ts'
import type { FakeState } from './state.ts'

/** The caller (routes that need one are refused 401 earlier; this keeps types honest). */
export function callerOf(request: RestRequest): FakeUser {
  if (request.caller === null) {
    throw unauthorized()
  }
  return request.caller.user
}

/** 403 Missing Permissions unless the caller holds `bit` in the guild. */
export function requirePermission(state: FakeState, request: RestRequest, bit: bigint): void {
  if (!hasPermission(state.guild, callerOf(request).id, bit)) {
    throw missingPermissions()
  }
}

export function channelParam(state: FakeState, request: RestRequest): FakeChannel {
  const channel = state.guild.channels.get(request.params.channel ?? '')
  if (channel === undefined) {
    throw unknown.channel()
  }
  return channel
}

export function messageParam(channel: FakeChannel, request: RestRequest): FakeMessage {
  const message = channel.messages.find((m) => m.id === request.params.message)
  if (message === undefined) {
    throw unknown.message()
  }
  return message
}

export function guildParam(state: FakeState, request: RestRequest): void {
  if (request.params.guild !== state.guild.id) {
    throw unknown.guild()
  }
}

export function memberParam(state: FakeState, request: RestRequest): FakeMember {
  const member = state.guild.members.get(request.params.user ?? '')
  if (member === undefined) {
    throw unknown.member()
  }
  return member
}

/** A string field of 1…`max` characters (Discord's BASE_TYPE_* errors otherwise). */
export function textField(request: RestRequest, field: string, max: number): string {
  const value = request.body[field]
  if (typeof value !== 'string') {
    throw invalidFormBody(field, 'BASE_TYPE_REQUIRED', 'This field is required')
  }
  if (value.length < 1 || value.length > max) {
    throw invalidFormBody(field, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${max} in length.`)
  }
  return value
}

export function optionalText(request: RestRequest, field: string): string | null {
  const value = request.body[field]
  return typeof value === 'string' ? value : null
}

/** An integer query parameter within `min`…`max`, `fallback` when absent. */
export function limitParam(request: RestRequest, fallback: number, min: number, max: number): number {
  const raw = request.query.get('limit')
  if (raw === null) {
    return fallback
  }
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', `int value should be between ${min} and ${max}.`)
  }
  return value
}

/** Snowflakes compare as numbers (they are time-ordered). */
export const after = (a: string, b: string): boolean => BigInt(a) > BigInt(b)
