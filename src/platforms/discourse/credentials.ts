import { z } from 'zod'

/** A forum's base URL as PolicyKit keeps it: http(s), no query, no trailing slash. */
export const forumUrl = z
  .url({ protocol: /^https?$/, error: 'the forum’s address, e.g. https://forum.example.org' })
  .transform((url) => {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '')
  })

/**
 * What a community enters to connect a forum (stored encrypted): its URL, an admin API key, and
 * the username PolicyKit acts as (`Api-Username`). Posts by that user are PolicyKit's own.
 */
export const discourseCredentials = z.strictObject({
  url: forumUrl,
  apiKey: z.string().trim().min(1, 'the admin API key'),
  apiUsername: z.string().trim().min(1, 'the username PolicyKit acts as'),
})

export type DiscourseCredentials = z.infer<typeof discourseCredentials>
