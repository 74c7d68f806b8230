/** API clients by key (an API URL and a token), at most `limit` of them. */
export interface ClientCache<T> {
  client(key: string): T
  readonly size: number
}

/**
 * Clients made once per key and reused by every event, action and policy call; past `limit`,
 * the one used least recently goes. A client must keep nothing of one call for the next, and
 * its key must be all it is made from, so that sharing it cannot mix up communities (a token
 * belongs to one of them); a reconnect's new tokens simply get clients of their own, and the
 * old ones age out.
 */
export function clientCache<T>(limit: number, make: (key: string) => T): ClientCache<T> {
  const clients = new Map<string, T>()
  return {
    client(key) {
      const known = clients.get(key)
      if (known !== undefined) {
        // Moved to the end: the Map's order is the order of use, least recent first.
        clients.delete(key)
        clients.set(key, known)
        return known
      }
      const client = make(key)
      clients.set(key, client)
      for (const oldest of clients.keys()) {
        if (clients.size <= limit) {
          break
        }
        clients.delete(oldest)
      }
      return client
    },
    get size() {
      return clients.size
    },
  }
}
