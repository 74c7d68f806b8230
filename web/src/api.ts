import type { ErrorJson } from '../../src/server/presenters.ts'

/** An error answer of the API (`ErrorJson`), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly issues: { path: string; message: string }[]

  constructor(status: number, code: string, message: string, issues: { path: string; message: string }[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.issues = issues
  }
}

export interface ApiClient {
  get: <T>(path: string, signal?: AbortSignal) => Promise<T>
  post: <T>(path: string, body?: unknown) => Promise<T>
  put: <T>(path: string, body?: unknown) => Promise<T>
  delete: (path: string) => Promise<void>
  /** The token from `SessionJson.csrfToken`, sent as `X-CSRF-Token` on every state-changing request. */
  setCsrfToken: (token: string | null) => void
}

function isErrorJson(body: unknown): body is ErrorJson {
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return false
  }
  const { error } = body
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (isErrorJson(body)) {
    const { code, message, issues } = body.error
    return new ApiError(response.status, code, message, issues)
  }
  return new ApiError(response.status, 'http_error', `the server answered ${response.status} ${response.statusText}`)
}

/** A JSON client for `/api`, same origin, with the session cookie and the CSRF header. */
export function createApiClient(fetchFn: typeof fetch = (input, init) => fetch(input, init)): ApiClient {
  let csrfToken: string | null = null

  async function request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) {
      headers['content-type'] = 'application/json'
    }
    if (method !== 'GET' && csrfToken !== null) {
      headers['x-csrf-token'] = csrfToken
    }
    let response: Response
    try {
      response = await fetchFn(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(signal && { signal }),
      })
    } catch (e) {
      if (signal?.aborted) {
        throw e
      }
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.')
    }
    if (!response.ok) {
      throw await toApiError(response)
    }
    if (response.status === 204) {
      return undefined
    }
    const json: unknown = await response.json()
    return json
  }

  // The server's answers are typed by presenters.ts, the contract both sides are built against.
  return {
    get: async <T>(path: string, signal?: AbortSignal) => (await request('GET', path, undefined, signal)) as T,
    post: async <T>(path: string, body: unknown = {}) => (await request('POST', path, body)) as T,
    put: async <T>(path: string, body: unknown = {}) => (await request('PUT', path, body)) as T,
    delete: async (path: string) => {
      await request('DELETE', path)
    },
    setCsrfToken(token) {
      csrfToken = token
    },
  }
}

/** A message for the person using the page. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    const details = e.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    return details.length > 0 ? `${e.message} (${details.join('; ')})` : e.message
  }
  return e instanceof Error ? e.message : String(e)
}
