import type { OAuth } from './oauth.ts'
import type { Workspace } from './workspace.ts'

/**
 * The browser side of OAuth: `GET /oauth/v2/authorize` and `GET /openid/connect/authorize` show
 * one "Allow" button per workspace member (the fake's stand-in for "who is signed in"); the
 * button posts back here and is redirected to the app's redirect URI with `code` and `state`.
 */
export interface PageResponse {
  status: number
  headers: Record<string, string>
  body: string
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function authorizePage(
  ws: Workspace,
  oauth: OAuth,
  kind: 'install' | 'openid',
  method: string,
  params: URLSearchParams,
): PageResponse {
  if (method === 'POST') {
    const user = ws.user(params.get('fake_user_id') ?? '')
    params.delete('fake_user_id')
    try {
      if (!user) {
        throw new Error('fake Slack: choose a user')
      }
      const location = kind === 'install' ? oauth.approveInstall(user, params) : oauth.approveSignIn(user, params)
      return { status: 302, headers: { location }, body: '' }
    } catch (e) {
      return html(400, `<p>${escape(e instanceof Error ? e.message : String(e))}</p>`)
    }
  }
  const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('')
  const scopes = [params.get('scope'), params.get('user_scope')].filter((s) => s).join(', ')
  const title = kind === 'install' ? `Install ${ws.appName} in ${ws.team.name}` : `Sign in to ${ws.team.name}`
  const buttons = ws.users
    .filter((user) => !user.isBot && user.id !== 'USLACKBOT')
    .map(
      (user) =>
        `<form method="post">${hidden}<input type="hidden" name="fake_user_id" value="${user.id}">` +
        `<button type="submit">Allow as ${escape(user.realName)}</button></form>`,
    )
    .join('\n')
  return html(200, `<h1>${escape(title)}</h1><p>Scopes: ${escape(scopes)}</p>\n${buttons}`)
}

function html(status: number, body: string): PageResponse {
  const page = `<!doctype html><html><head><title>Fake Slack</title></head><body>${body}</body></html>`
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page }
}
