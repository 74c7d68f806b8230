import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'

/**
 * The data directory holds password hashes, sessions and the server key: only the server's
 * user may enter it. Missing directories are made 0700 and `dir` itself is tightened to 0700
 * if it exists already (earlier versions made it 0755).
 */
export function makePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/**
 * Makes `file` readable and writable by the server's user only (0600): created empty when
 * `create` is set and it is missing, tightened when it exists (earlier versions left 0644),
 * left alone when it is missing otherwise.
 */
export function makePrivateFile(file: string, options: { create?: boolean } = {}): void {
  if (options.create) {
    // 'a' creates it with this mode and never truncates one that is there.
    closeSync(openSync(file, 'a', 0o600))
  }
  try {
    chmodSync(file, 0o600)
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) {
      throw e
    }
  }
}
