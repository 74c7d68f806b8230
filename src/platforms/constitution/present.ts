import { structuredPatch } from 'diff'
import type { JsonObject, JsonValue } from '../../domain/json.ts'
import { toPolicyDocument } from '../../domain/policy-document.ts'
import { policyText } from '../../domain/policy-text.ts'
import type { ActionPresentation, PlatformContext, PresentWant } from '../platform.ts'
import { changed, changePolicyParams } from './actions/policies.ts'
import type { ConstitutionDeps } from './constitution-deps.ts'

type Present = (ctx: PlatformContext, params: JsonObject, want: PresentWant) => Promise<ActionPresentation>

/** A quoted name as titles show it: ‘Documents need two yeses’. */
const quoted = (name: string) => `‘${name}’`

const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : '')
const id = (value: JsonValue | undefined) => (typeof value === 'number' ? value : 0)

/** The hunks of a unified diff from `before` to `after` (`@@ -1,3 +1,4 @@`, then ` `, `-`, `+` lines). */
export function unifiedDiff(before: string, after: string): string {
  const patch = structuredPatch('in force', 'proposed', before, after, '', '', { context: 3 })
  return patch.hunks
    .flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines])
    .join('\n')
}

/**
 * Titles for every constitution action, named by what it is about (its policy, role, member or
 * document, looked up now), and for a changed policy or document the diff against what is in force.
 */
export function constitutionPresenters({ store }: ConstitutionDeps): Record<string, Present> {
  const policyName = async (communityId: number, policyId: number) =>
    (await store.policies.get(communityId, policyId))?.name ?? `#${policyId}`
  const roleName = async (communityId: number, roleId: number) =>
    (await store.roles.get(communityId, roleId))?.name ?? `#${roleId}`
  const memberName = async (communityId: number, memberId: number) =>
    (await store.members.get(communityId, memberId))?.username ?? `#${memberId}`
  const documentName = async (communityId: number, documentId: number) =>
    (await store.documents.get(communityId, documentId))?.name ?? `#${documentId}`
  const integrationName = async (communityId: number, integrationId: number) =>
    (await store.integrations.get(communityId, integrationId))?.platform ?? `#${integrationId}`

  return {
    addPolicy: async (_ctx, p) => ({ title: `Add policy ${quoted(text(p['name']))}` }),
    async changePolicy(ctx, p, want) {
      const params = changePolicyParams.parse(p)
      const policy = await store.policies.get(ctx.communityId, params.policyId)
      if (!policy) {
        return { title: `Change policy #${params.policyId}` }
      }
      const subject = { name: policy.name, path: `policies/${policy.id}` }
      if (!want.diff) {
        return { title: `Change policy ${quoted(policy.name)}`, subject }
      }
      let after: string
      try {
        after = policyText(changed(policy, params))
      } catch {
        // The change no longer fits the policy as it is now (it changed since): no diff to show.
        return { title: `Change policy ${quoted(policy.name)}`, subject }
      }
      return {
        title: `Change policy ${quoted(policy.name)}`,
        subject,
        diff: unifiedDiff(policyText(toPolicyDocument(policy)), after),
      }
    },
    removePolicy: async (ctx, p) => {
      const name = await policyName(ctx.communityId, id(p['policyId']))
      return { title: `Remove policy ${quoted(name)}`, subject: { name, path: `policies/${id(p['policyId'])}` } }
    },
    addRole: async (_ctx, p) => ({ title: `Add role ${quoted(text(p['name']))}` }),
    changeRole: async (ctx, p) => ({
      title: `Change role ${quoted(await roleName(ctx.communityId, id(p['roleId'])))}`,
    }),
    removeRole: async (ctx, p) => ({
      title: `Remove role ${quoted(await roleName(ctx.communityId, id(p['roleId'])))}`,
    }),
    assignRole: async (ctx, p) => ({
      title: `Give ${quoted(await memberName(ctx.communityId, id(p['memberId'])))} the role ${quoted(await roleName(ctx.communityId, id(p['roleId'])))}`,
    }),
    unassignRole: async (ctx, p) => ({
      title: `Take the role ${quoted(await roleName(ctx.communityId, id(p['roleId'])))} from ${quoted(await memberName(ctx.communityId, id(p['memberId'])))}`,
    }),
    removeMember: async (ctx, p) => ({
      title: `Remove ${quoted(await memberName(ctx.communityId, id(p['memberId'])))} from the community`,
    }),
    addDocument: async (_ctx, p) => ({ title: `Add document ${quoted(text(p['name']))}` }),
    async changeDocument(ctx, p, want) {
      const documentId = id(p['documentId'])
      const doc = await store.documents.get(ctx.communityId, documentId)
      if (!doc) {
        return { title: `Change document #${documentId}` }
      }
      const afterName = typeof p['name'] === 'string' ? p['name'] : doc.name
      const afterText = typeof p['text'] === 'string' ? p['text'] : doc.text
      return {
        title: `Change document ${quoted(doc.name)}`,
        subject: { name: doc.name, path: `documents/${doc.id}` },
        ...(want.diff && {
          diff: unifiedDiff(`name: ${doc.name}\n${doc.text}\n`, `name: ${afterName}\n${afterText}\n`),
        }),
      }
    },
    removeDocument: async (ctx, p) => ({
      title: `Remove document ${quoted(await documentName(ctx.communityId, id(p['documentId'])))}`,
    }),
    addIntegration: async (ctx, p) => ({
      title: `Switch on ${await integrationName(ctx.communityId, id(p['integrationId']))}`,
    }),
    removeIntegration: async (ctx, p) => ({
      title: `Switch off ${await integrationName(ctx.communityId, id(p['integrationId']))}`,
    }),
    changeSettings: async (_ctx, p) => ({
      title:
        typeof p['name'] === 'string' ? `Rename the community ${quoted(p['name'])}` : 'Change the community’s settings',
    }),
  }
}
