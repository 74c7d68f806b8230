import { z } from 'zod'
import { AppError } from '../../errors.ts'

/**
 * Reddit's things as PolicyKit reads them (of their many fields, the ones it uses). Fullnames
 * carry their kind: `t1_` comments, `t3_` posts, `t5_` subreddits.
 */

export const postFullname = z.string().regex(/^t3_[a-z0-9]{1,13}$/, 'a post’s fullname, t3_…')
export const commentFullname = z.string().regex(/^t1_[a-z0-9]{1,13}$/, 'a comment’s fullname, t1_…')
export const thingFullname = z.string().regex(/^t[13]_[a-z0-9]{1,13}$/, 'a post’s or comment’s fullname (t3_… or t1_…)')
/** Reddit's rule for usernames. */
export const redditUsername = z.string().regex(/^[A-Za-z0-9_-]{3,20}$/, 'a Reddit username')

const common = {
  name: z.string(),
  id: z.string(),
  author: z.string(),
  created_utc: z.number(),
  subreddit: z.string(),
  edited: z.union([z.boolean(), z.number()]).optional(),
  banned_by: z.union([z.string(), z.boolean(), z.null()]).optional(),
  approved_by: z.string().nullable().optional(),
  permalink: z.string().optional(),
}

export const postData = z.looseObject({
  ...common,
  title: z.string(),
  selftext: z.string().default(''),
  url: z.string().optional(),
  locked: z.boolean().optional(),
  link_flair_text: z.string().nullable().optional(),
})
export type PostData = z.infer<typeof postData>

export const commentData = z.looseObject({
  ...common,
  body: z.string(),
  parent_id: z.string(),
  link_id: z.string(),
})
export type CommentData = z.infer<typeof commentData>

export const thing = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('t3'), data: postData }),
  z.object({ kind: z.literal('t1'), data: commentData }),
])
export type Thing = z.infer<typeof thing>

const modActionData = z.looseObject({
  id: z.string(),
  mod: z.string(),
  action: z.string(),
  target_fullname: z.string().nullable().optional(),
  target_author: z.string().nullable().optional(),
  details: z.string().nullable().optional(),
  created_utc: z.number(),
})
export type ModActionData = z.infer<typeof modActionData>

const listingOf = <T extends z.ZodType>(child: T) =>
  z.object({
    kind: z.literal('Listing'),
    data: z.object({
      children: z.array(child),
      after: z.string().nullable(),
      before: z.string().nullable().optional(),
    }),
  })

/** Things of a listing; children of other kinds (e.g. `more`) are dropped. */
const anyThing = z.object({ kind: z.string(), data: z.unknown() })

export function parseThings(answer: unknown, what: string): Thing[] {
  const parsed = listingOf(anyThing).safeParse(answer)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: Reddit's answer is not a Listing`)
  }
  return parsed.data.data.children.flatMap((child) => {
    const one = thing.safeParse(child)
    return one.success ? [one.data] : []
  })
}

export function parseListingAfter(answer: unknown): string | null {
  const parsed = listingOf(anyThing).safeParse(answer)
  return parsed.success ? parsed.data.data.after : null
}

export function parseModActions(answer: unknown): ModActionData[] {
  const parsed = listingOf(z.object({ kind: z.literal('modaction'), data: modActionData })).safeParse(answer)
  if (!parsed.success) {
    throw new AppError('platform_rejected', "about/log: Reddit's answer is not a Listing of mod actions")
  }
  return parsed.data.data.children.map((c) => c.data)
}

/** A deleted item: Reddit keeps it in place as `[deleted]`. */
export function isDeleted(item: Thing): boolean {
  return item.data.author === '[deleted]'
}

/** What Reddit answers a `submit`. */
export const submitted = z.object({ json: z.object({ data: z.object({ name: postFullname, url: z.string() }) }) })

/** What Reddit answers a `comment` (and `editusertext`, `distinguish`): the comment. */
export const commented = z.object({
  json: z.object({
    data: z.object({ things: z.array(z.object({ kind: z.literal('t1'), data: commentData })).min(1) }),
  }),
})
