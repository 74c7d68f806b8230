import type { FastifyReply } from 'fastify'
import type { ModeratedSubreddit } from './grant.ts'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A page to pick which of the moderator's subreddits PolicyKit governs: each links to `linkOf(name)`. */
export function pickPage(reply: FastifyReply, eligible: ModeratedSubreddit[], linkOf: (subreddit: string) => string) {
  const items = eligible
    .map((s) => `<li><a href="${escapeHtml(linkOf(s.name))}">r/${escapeHtml(s.name)}</a></li>`)
    .join('')
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reddit · PolicyKit</title></head><body><main><h1>Which subreddit should PolicyKit govern?</h1><ul>${items}</ul></main></body></html>`,
    )
}
