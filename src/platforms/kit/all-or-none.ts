import type { z } from 'zod'

const counted = ['', 'one', 'both', 'all three', 'all four', 'all five']

/**
 * A platform's settings refinement: its credential variables are given all together or not at
 * all, and each missing one is named with the ones that were given.
 */
export function allOrNone<K extends string>(
  title: string,
  names: readonly K[],
): (e: Partial<Record<K, unknown>>, ctx: z.RefinementCtx) => void {
  const all = counted[names.length] ?? `all ${names.length}`
  return (e, ctx) => {
    const given = names.filter((name) => e[name] !== undefined)
    if (given.length === 0 || given.length === names.length) {
      return
    }
    for (const name of names.filter((n) => e[n] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required when ${given.join(' and ')} ${given.length === 1 ? 'is' : 'are'} set (${title} needs ${all} of ${names.join(', ')}, or none)`,
      })
    }
  }
}
