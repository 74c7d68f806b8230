import { z } from 'zod'
import type { JsonValue } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import type { PolicyCallContext } from '../platform.ts'

/**
 * What a platform's policy functions do with what policy code passes them, bound to the
 * platform's name so that an error names the function as policy code calls it
 * (`slack.postMessage: text: …`).
 */
export function policyArgs(platform: string) {
  /** A function's argument (none: `{}`) parsed with `schema`, or an `invalid_input` saying what is wrong. */
  function parseArgs<T>(name: string, schema: z.ZodType<T>, arg: JsonValue | undefined): T {
    const parsed = schema.safeParse(arg ?? {})
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) =>
        i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message,
      )
      throw new AppError('invalid_input', `${platform}.${name}: ${issues.join('; ')}`)
    }
    return parsed.data
  }

  /** `channel` if given, else the channel of the action the proposal governs. */
  function targetChannel(ctx: PolicyCallContext, name: string, channel: string | undefined): string {
    const governed = ctx.action.params['channel']
    const target = channel ?? (typeof governed === 'string' ? governed : undefined)
    if (target === undefined || target === '') {
      throw new AppError('invalid_input', `${platform}.${name}: no channel given, and the governed action has none`)
    }
    return target
  }

  return { parseArgs, targetChannel }
}

/** `postMessage('hi')` is `postMessage({ text: 'hi' })`. */
export function messageArg(arg: JsonValue | undefined): JsonValue | undefined {
  return typeof arg === 'string' ? { text: arg } : arg
}

/** A channel argument: its id, `{ channel }`, or nothing (the governed action's channel). */
export function channelArgOf(id: z.ZodType<string>) {
  return z.union([id, z.strictObject({ channel: id.optional() })]).optional()
}

/** The channel a `channelArg` names, if any. */
export function channelOf(arg: string | { channel?: string | undefined } | undefined): string | undefined {
  return typeof arg === 'string' ? arg : arg?.channel
}

/** A vote's options, when it is not yes/no: at least two, all different, within the platform's limits. */
export function voteOptionsArg(limits: { length: number; count: number }) {
  return z
    .array(z.string().trim().min(1).max(limits.length))
    .min(2)
    .max(limits.count)
    .refine((options) => new Set(options).size === options.length, 'options must differ from each other')
    .optional()
}
