/** A `next` query parameter if it is a path on this site (never another origin), else '/'. */
export function safeNext(next: string | null): string {
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}
