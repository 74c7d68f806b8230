import { z } from 'zod'
import type { RedditApi } from '../api.ts'
import { parseListingAfter } from '../things.ts'

/**
 * Where a listing was read up to: the newest item handled, by fullname (or mod log id), and when
 * it was made. When that item disappears from the listing (deleted, or gone from the mod log), its
 * time is the fallback: whatever was made after it is new.
 */
export const listingCursor = z.object({ id: z.string(), created: z.number() })
export type ListingCursor = z.infer<typeof listingCursor>

export function parseCursor(value: string | null): ListingCursor | null {
  if (value === null) {
    return null
  }
  try {
    const parsed = listingCursor.safeParse(JSON.parse(value))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** A listing's page size (Reddit's most), and how far back one poll looks. */
const pageSize = 100
const maxPages = 5

/**
 * The items of a newest-first listing that came after `cursor`, oldest first, following `after`
 * page by page until the cursor's item, an older one, or the end. Items made in the cursor's own
 * second are all returned (the delivery ledger knows which were handled).
 */
export async function readSince<T>(
  api: RedditApi,
  path: string,
  cursor: ListingCursor,
  parse: (answer: unknown) => T[],
  keyOf: (item: T) => ListingCursor,
): Promise<{ items: T[]; requests: number }> {
  const found: T[] = []
  let after: string | null = null
  let requests = 0
  for (let page = 0; page < maxPages; page++) {
    const answer: unknown = await api.get(path, { limit: pageSize, ...(after === null ? {} : { after }) })
    requests += 1
    for (const item of parse(answer)) {
      const key = keyOf(item)
      if (key.id === cursor.id || key.created < cursor.created) {
        return { items: found.reverse(), requests }
      }
      found.push(item)
    }
    after = parseListingAfter(answer)
    if (after === null) {
      break
    }
  }
  return { items: found.reverse(), requests }
}
