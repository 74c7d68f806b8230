const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An API time (epoch milliseconds) for people. */
export function formatTime(ms: number): string {
  return dateTime.format(new Date(ms))
}
