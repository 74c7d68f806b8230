import { z } from 'zod'
import { rowId } from '../../domain/int4.ts'
import { AppError, isAppError } from '../../errors.ts'
import { managingMember } from '../kit/community-install.ts'
import { privateAddressOf } from '../kit/public-address.ts'
import { activate, saveIntegration } from '../kit/install-steps.ts'
import type { PlatformHttp } from '../platform-http.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { FormConnection } from '../../domain/connect-form.ts'
import type { PlatformLinks } from '../platform.ts'
import { callDiscourse, forumFetch, jsonOf, requestDiscourse } from './client.ts'
import { discourseCredentials, type DiscourseCredentials } from './credentials.ts'
import { importForumMembers } from './import-members.ts'
import type { DiscourseOptions } from './options.ts'
import { discourseWebhookSecret } from './webhook-secret.ts'

export const discourseLinks = {
  title: 'Discourse',
  installPath: null,
  connectForm: {
    path: '/platforms/discourse/connect',
    intro:
      'Make the key in Discourse under Admin › API › New API Key: user level Single User, for the admin account PolicyKit acts as; scope Global.',
    fields: [
      { name: 'url', label: 'Forum address', type: 'url', placeholder: 'https://forum.example.org' },
      { name: 'apiKey', label: 'Admin API key', type: 'password' },
      {
        name: 'apiUsername',
        label: 'Username PolicyKit acts as',
        type: 'text',
        hint: 'An admin of the forum. What this user posts is PolicyKit’s own (votes, messages) and is never governed.',
      },
      {
        name: 'createWebhook',
        label: 'Create the forum’s webhook for me',
        type: 'checkbox',
        hint: 'The key must be allowed to manage webhooks; otherwise you are shown what to enter in Discourse.',
      },
    ],
  },
  signInPath: '/platforms/discourse/signin',
  setup: {
    /** A form for the forum's URL, an admin API key and username, then the founder proves who they are (setup.ts). */
    path: '/platforms/discourse/setup',
    place: 'Discourse forum',
    who: 'an admin or moderator of the forum, with an admin API key for it',
    how: 'Give PolicyKit your forum’s address and an admin API key, then confirm who you are on the forum',
  },
} satisfies PlatformLinks

const connectBody = discourseCredentials.extend({
  community: rowId,
  /** Makes the webhook through the forum's admin API (the key must be allowed to). */
  createWebhook: z.boolean().optional(),
})
const about = z.object({ about: z.object({ title: z.string() }) })

/**
 * Asks the forum whether `forum` works before anything is stored, and returns its title: the
 * address must answer as a Discourse forum (`GET /about.json`), and the key must be an admin key
 * for the username (the admin user list, which connecting imports). Anything else throws `code`
 * (`invalid_input` for the connect form, `conflict` when a stored connection is switched on)
 * saying what to give instead; a forum that is rate limiting stays `platform_unavailable`.
 */
export async function checkForum(
  forum: DiscourseCredentials,
  code: 'invalid_input' | 'conflict',
  options: Pick<DiscourseOptions, 'privateAddresses'>,
): Promise<string> {
  const fetchFn = forumFetch(options)
  const refuse = (message: string) => new AppError(code, message)
  const hidden = options.privateAddresses ? undefined : await privateAddressOf(forum.url)
  if (hidden !== undefined) {
    throw refuse(
      `${forum.url} is on a private network or this server (${hidden}): PolicyKit connects only forums on the public internet unless its operator sets DISCOURSE_PRIVATE_ADDRESSES=allow.`,
    )
  }
  let answer: Response
  try {
    answer = await requestDiscourse(fetchFn, forum, 'GET', '/about.json')
  } catch (e) {
    throw isAppError(e, 'platform_unavailable')
      ? refuse(`PolicyKit could not reach ${forum.url}: check the forum’s address.`)
      : e
  }
  const title = about.safeParse(await jsonOf(answer))
  if (answer.status === 403) {
    throw refuse(`The forum refused the key: give an admin API key for ${forum.apiUsername}.`)
  }
  if (!answer.ok || !title.success) {
    throw refuse(
      `${forum.url} does not answer as a Discourse forum (GET /about.json: ${answer.status}): check the forum’s address.`,
    )
  }
  try {
    await callDiscourse(fetchFn, forum, 'GET', '/admin/users/list/active.json')
  } catch (e) {
    throw isAppError(e, 'platform_rejected')
      ? refuse(`The forum refused the key: give an admin API key for ${forum.apiUsername} (${e.message}).`)
      : e
  }
  return title.data.about.title
}

/** The webhook the forum's admin enters in Discourse (or PolicyKit makes): its URL, content type and this forum's secret. */
export function forumWebhook(publicUrl: string, options: DiscourseOptions, forum: string) {
  return {
    url: `${publicUrl}/platforms/discourse/webhook`,
    contentType: 'application/json',
    secret: discourseWebhookSecret(options.webhookKey, forum),
  }
}

/**
 * Makes the forum's webhook through its admin API (`POST /admin/api/web_hooks.json`: JSON, every
 * event, the derived secret). A key that may not is no reason to fail the connection: the answer
 * says so and the admin makes it by hand.
 */
export async function makeWebhook(
  fetchFn: typeof fetch,
  forum: DiscourseCredentials,
  webhook: { url: string; secret: string },
): Promise<{ created: boolean; error?: string }> {
  try {
    await callDiscourse(fetchFn, forum, 'POST', '/admin/api/web_hooks.json', {
      web_hook: {
        payload_url: webhook.url,
        content_type: 1,
        secret: webhook.secret,
        wildcard_web_hook: true,
        verify_certificate: true,
        active: true,
      },
    })
    return { created: true }
  } catch (e) {
    if (isAppError(e)) {
      return { created: false, error: e.message }
    }
    throw e
  }
}

/**
 * `POST /platforms/discourse/connect` (JSON: `community`, `url`, `apiKey`, `apiUsername`), by a
 * member who manages integrations (`createWebhook: true` also makes the forum's webhook): checks the key with the forum before storing anything, stores
 * the connection (key encrypted, switched off), proposes `constitution.addIntegration` as the
 * caller, imports the forum's active users, and answers with the webhook the forum's admin enters
 * in Discourse (its URL, content type and this forum's secret).
 */
export function discourseConnectRoutes(options: DiscourseOptions, ports: PlatformPorts): PlatformHttp {
  const fetchFn = forumFetch(options)
  return async (app, host) => {
    app.post('/connect', async (request) => {
      const body = connectBody.safeParse(request.body)
      if (!body.success) {
        throw new AppError(
          'invalid_input',
          body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        )
      }
      const { community: communityId, createWebhook, ...forum } = body.data
      const member = await managingMember(host, request, communityId, 'Discourse')
      const title = await checkForum(forum, 'invalid_input', options)
      const existing = await ports.integrations.findByExternalId(forum.url)
      if (existing && existing.communityId !== communityId) {
        throw new AppError('conflict', `The forum ${forum.url} is already connected to another PolicyKit community.`)
      }
      const integration = await saveIntegration(ports, communityId, existing, {
        externalId: forum.url,
        config: { title },
        credentials: forum,
      })
      const activation = await activate(ports, communityId, member.id, integration)
      const imported = await importForumMembers(fetchFn, ports.members, communityId, forum)
      host.logger.info(
        { communityId, forum: forum.url, activation: activation.status, members: imported.count },
        `Discourse forum ${title} connected`,
      )
      const webhook = forumWebhook(host.publicUrl, options, forum.url)
      const made = createWebhook ? await makeWebhook(fetchFn, forum, webhook) : null
      const answer: FormConnection = {
        integrationId: integration.id,
        activation,
        members: imported.count,
        staff: imported.staff,
        webhook: {
          ...webhook,
          ...(made === null ? {} : { created: made.created, ...(made.error ? { error: made.error } : {}) }),
        },
      }
      return answer
    })
  }
}
