import type { FakeUser } from './guild.ts'
import type { Reply } from './replies.ts'
import type { FakeState } from './state.ts'

/** One REST request as a route handler sees it. */
export interface RestRequest {
  method: string
  /** The path's named parts (`:channel` → `params.channel`). */
  params: Record<string, string>
  query: URLSearchParams
  body: Record<string, unknown>
  /** Who the `Authorization` header names: the bot (`Bot …`) or a person (`Bearer …`); null: nobody. */
  caller: { user: FakeUser; kind: 'bot' | 'bearer'; scopes: string[] } | null
  /** The raw `Authorization` header (OAuth's token route takes client credentials in it). */
  authorization: string | undefined
}

export interface Route {
  method: string
  /** `/channels/:channel/messages`: the route key failures are injected by. */
  pattern: string
  /** Who may call it: the bot, an OAuth bearer, either, or anyone (webhook and interaction tokens). */
  auth: 'bot' | 'bearer' | 'any' | 'none'
  handle(state: FakeState, request: RestRequest): Reply
  /** What must have happened before the call is handled (an interaction's answer, for its webhook routes). */
  waitFor?(state: FakeState, params: Record<string, string>): Promise<void>
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const parts = path.split('/').filter((p) => p !== '')
  for (const route of routes) {
    const pattern = route.pattern.split('/').filter((p) => p !== '')
    if (route.method !== method || pattern.length !== parts.length) {
      continue
    }
    const params: Record<string, string> = {}
    const matches = pattern.every((segment, i) => {
      const part = decodeURIComponent(parts[i] ?? '')
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = part
        return true
      }
      return segment === part
    })
    if (matches) {
      return { route, params }
    }
  }
  return null
}
