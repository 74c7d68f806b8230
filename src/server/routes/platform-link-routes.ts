import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requirePermission } from '../community-access.ts'
import type { ConnectablePlatformJson, ConnectFormJson, SignInProviderJson } from '../presenters.ts'
import { connectFieldTypes } from '../../domain/connect-form.ts'
import type { PlatformLinks } from '../../platforms/platform.ts'
import type { ServerDeps } from '../server-deps.ts'
import { communityParams } from './community-schemas.ts'

const signInProviderJson = z.object({
  platform: z.string(),
  title: z.string(),
  url: z.string(),
}) satisfies z.ZodType<SignInProviderJson>

const connectFormJson = z.object({
  path: z.string(),
  intro: z.string(),
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.enum(connectFieldTypes),
      hint: z.string().optional(),
      placeholder: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<ConnectFormJson>

const connectablePlatformJson = z.object({
  platform: z.string(),
  title: z.string(),
  installUrl: z.string().optional(),
  form: connectFormJson.optional(),
}) satisfies z.ZodType<ConnectablePlatformJson>

/** The dashboard's links of the platforms the server runs with (those that declare any). */
export function platformLinks(deps: Pick<ServerDeps, 'platforms'>): Array<PlatformLinks & { platform: string }> {
  return deps.platforms.flatMap((p) => (p.links ? [{ platform: p.name, ...p.links }] : []))
}

/**
 * Which configured platforms people can sign in with (login page) and which a community can
 * connect (settings). Both are links the browser follows, not API calls: the platform's own
 * routes under `/platforms/<name>` do the OAuth.
 */
export async function platformLinkRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const links = platformLinks(deps)

  routes.get(
    '/auth/providers',
    {
      schema: {
        summary: 'Platforms people can sign in with besides a password (public)',
        tags: ['auth'],
        security: [],
        response: { 200: z.array(signInProviderJson) },
      },
    },
    async () =>
      links.flatMap((link) =>
        link.signInPath === null ? [] : [{ platform: link.platform, title: link.title, url: link.signInPath }],
      ),
  )

  routes.get(
    '/communities/:communityId/integrations/connectable',
    {
      schema: {
        summary:
          'Platforms this community can connect (needs manage_integrations), with the link that starts it or the form that does',
        tags: ['community'],
        params: communityParams,
        response: { 200: z.array(connectablePlatformJson) },
      },
    },
    async (request) => {
      const { community } = await requirePermission(deps, request, request.params.communityId, 'manage_integrations')
      return links.flatMap((link): ConnectablePlatformJson[] => {
        if (link.installPath !== null) {
          const query = new URLSearchParams({ community: String(community.id) })
          return [{ platform: link.platform, title: link.title, installUrl: `${link.installPath}?${query}` }]
        }
        return link.connectForm ? [{ platform: link.platform, title: link.title, form: link.connectForm }] : []
      })
    },
  )
}
