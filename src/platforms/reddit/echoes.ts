/**
 * PolicyKit acts on Reddit as the connected moderator, so what it posts comes back in the
 * listings the poller reads, under that moderator's name, and its mod actions in the mod log.
 * Each is recognised by the fullname Reddit gave it (the kit's echo records), never by title or
 * time: a post, comment or vote that PolicyKit made is recorded right after Reddit answers with
 * its fullname; a mod action right before it is taken.
 */
export const echoKey = {
  /** A post or comment PolicyKit made. */
  item: (fullname: string) => `item:${fullname}`,
  /** A mod action PolicyKit took (its mod log entry). */
  modAction: (action: string, target: string) => `mod:${action}:${target}`,
}
