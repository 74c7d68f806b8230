import { toError } from '../../../errors.ts'
import type { PlatformContext } from '../../platform.ts'
import type { EchoRecords } from '../../platform-ports.ts'
import { slackCallError } from '../client.ts'

/** Web API calls with what the actions need around them: "already done" answers, echo records. */

/** Slack's own error code in a failed Web API call (`already_pinned`…), if it answered one. */
function slackErrorCode(e: unknown): string | undefined {
  const data = (e as { data?: { error?: unknown } } | undefined)?.data
  return typeof data?.error === 'string' ? data.error : undefined
}

/**
 * Runs a Web API call, taking the errors in `done` as success: they say the workspace is already
 * as the call would leave it (a retry after a lost response, or a member who undid it first).
 */
export async function callSlackUnless<T>(what: string, done: string[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (e) {
    const code = slackErrorCode(e)
    if (code !== undefined && done.includes(code)) {
      return undefined
    }
    throw slackCallError(e, what)
  }
}

/** Whether a failed call may still have been carried out: its response was lost (5xx, network). */
function mayHaveHappened(e: unknown): boolean {
  const code = (toError(e).cause as { code?: unknown } | undefined)?.code
  return code === 'slack_webapi_http_error' || code === 'slack_webapi_request_error'
}

/**
 * Makes a call whose events would look like a member's action (or someone's), recording first
 * the echoes the listener will recognise them by (a rename has two events). When no event will
 * come (Slack refused, or the workspace was already so), the records are taken back: left over,
 * they would hide a member's own action.
 */
export async function withEcho<T>(
  echoes: EchoRecords,
  ctx: PlatformContext,
  key: string | string[],
  call: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const keys = typeof key === 'string' ? [key] : key
  for (const k of keys) {
    await echoes.record(ctx.communityId, k)
  }
  const forget = async () => {
    for (const k of keys) {
      await echoes.forget(ctx.communityId, k)
    }
  }
  let result: T | undefined
  try {
    result = await call()
  } catch (e) {
    if (!mayHaveHappened(e)) {
      await forget()
    }
    throw e
  }
  if (result === undefined) {
    await forget()
  }
  return result
}
