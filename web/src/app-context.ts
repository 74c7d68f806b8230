import { createContext, useContext } from 'react'
import type { CommunityJson, SessionJson } from '../../src/server/presenters.ts'
import type { ApiClient } from './api.ts'

export interface AppState {
  api: ApiClient
  /** null: not signed in. */
  session: SessionJson | null
  /** Call with every SessionJson the API hands out (sign-in, set-up, invite), or null on sign-out. */
  setSession: (session: SessionJson | null) => void
  /** Asks the server again who is signed in (after joining a community, say). */
  refreshSession: () => Promise<void>
}

export const AppContext = createContext<AppState | null>(null)

export function useApp(): AppState {
  const state = useContext(AppContext)
  if (!state) {
    throw new Error('useApp outside <AppContext>')
  }
  return state
}

export interface CommunityState {
  community: CommunityJson
  /** `/c/<id>`, the prefix of every page of the community. */
  base: string
  can: (permission: string) => boolean
  reload: () => void
}

export const CommunityContext = createContext<CommunityState | null>(null)

export function useCommunity(): CommunityState {
  const state = useContext(CommunityContext)
  if (!state) {
    throw new Error('useCommunity outside a community page')
  }
  return state
}
