/** Metagov's server-wide settings, from config. */
export interface MetagovOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8000` (no trailing slash). */
  url: string
}
