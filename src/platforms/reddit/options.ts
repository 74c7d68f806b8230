/** Reddit's server-wide settings, from config. */
export interface RedditOptions {
  /** The web app's client id and secret (reddit.com/prefs/apps, type "web app"). */
  clientId: string
  clientSecret: string
  /** Sent with every call, in Reddit's form `<platform>:<app id>:<version> (by /u/<username>)`. */
  userAgent: string
  /** Where the authorize page and the token endpoint are: `https://www.reddit.com`. */
  oauthUrl: string
  /** Where the API is: `https://oauth.reddit.com`. */
  apiUrl: string
  /** The poller's shortest interval between two polls of a subreddit. */
  pollIntervalMs: number
}
