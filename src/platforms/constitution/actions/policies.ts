import { z } from 'zod'
import { int4, rowId } from '../../../domain/int4.ts'
import type { Policy } from '../../../domain/policy.ts'
import {
  formatIssues,
  policyDocumentFormat,
  policyDocumentSchema,
  toPolicyDocument,
  toPolicyInput,
  type PolicyDocument,
} from '../../../domain/policy-document.ts'
import { AppError } from '../../../errors.ts'
import type { Store } from '../../../store/store.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'
import { withNameHeld } from '../name-held.ts'
import { checkActionTypes, checkPolicyCode } from '../policy-checks.ts'
import { refuseSameName } from '../../../domain/names.ts'

const policyId = rowId

/**
 * A policy document (see domain/policy-document.ts; `format` may be left out) and whether the
 * policy starts active (default true).
 */
const addPolicyParams = z.record(z.string(), z.json()).transform((input, ctx) => {
  const { active = true, ...fields } = input
  if (typeof active !== 'boolean') {
    ctx.addIssue({ code: 'custom', path: ['active'], message: 'must be true or false' })
    return z.NEVER
  }
  const doc = policyDocumentSchema.safeParse({ format: policyDocumentFormat, ...fields })
  if (!doc.success) {
    for (const issue of doc.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
    }
    return z.NEVER
  }
  return { ...doc.data, active }
})

const blocksPatch = z.strictObject({
  filter: z.string().optional(),
  initialize: z.string().optional(),
  check: z.string().optional(),
  notify: z.string().optional(),
  pass: z.string().optional(),
  fail: z.string().optional(),
})

/**
 * The fields to change; the rest stay. `blocks` names only the blocks that change. The result
 * must be a valid policy document, which is checked on the merged policy.
 */
export const changePolicyParams = z
  .strictObject({
    policyId,
    name: z.string().optional(),
    description: z.string().optional(),
    kind: z.enum(['platform', 'constitution', 'trigger']).optional(),
    actionTypes: z.array(z.string()).optional(),
    priority: int4.optional(),
    variables: z.array(z.record(z.string(), z.json())).optional(),
    blocks: blocksPatch.optional(),
  })
  .refine((p) => Object.keys(p).length > 1, 'name at least one field to change besides policyId')

export type ChangePolicyParams = z.infer<typeof changePolicyParams>

async function existingPolicy(store: Store, communityId: number, id: number): Promise<Policy> {
  const policy = await store.policies.get(communityId, id)
  if (!policy) {
    throw new AppError('not_found', `policy ${id} not found in this community`)
  }
  return policy
}

/** The policy as it would be after the change, checked as a whole document. */
export function changed(policy: Policy, params: ChangePolicyParams): PolicyDocument {
  const { policyId: id, blocks, ...fields } = params
  const current = toPolicyDocument(policy)
  const parsed = policyDocumentSchema.safeParse({ ...current, ...fields, blocks: { ...current.blocks, ...blocks } })
  if (!parsed.success) {
    throw new AppError(
      'invalid_input',
      `policy ${id} would not be valid after the change: ${formatIssues(parsed.error).join('; ')}`,
    )
  }
  return parsed.data
}

/**
 * Two active policies never share a name (`Majority vote` and `majority vote` are one name), so
 * an import does not land beside the policy it meant to replace: change that one instead.
 */
async function checkNameFree(store: Store, communityId: number, name: string, policyId?: number): Promise<void> {
  refuseSameName('an active policy', await store.policies.activeNamed(communityId, name), name, policyId)
}

export function policyActions({ store, sandbox }: ConstitutionDeps): Record<string, ActionDef> {
  const addPolicy = defineAction({
    description: 'Add a policy (platform, constitution or trigger) to the community',
    params: addPolicyParams,
    creates: ['policyId', 'versionId'],
    async validate(ctx, doc) {
      checkActionTypes(doc.kind, doc.actionTypes, ctx.knownTypes)
      await checkNameFree(store, ctx.communityId, doc.name)
      await checkPolicyCode(sandbox, doc.blocks)
    },
    async execute(ctx, doc) {
      // An inactive policy's name may be another's.
      return withNameHeld(
        store,
        ctx.communityId,
        doc.active ? doc.name : undefined,
        (trx, name) => checkNameFree(trx, ctx.communityId, name),
        async (trx) => {
          let policy = await trx.policies.create(ctx.communityId, toPolicyInput(doc), ctx.now())
          if (!doc.active) {
            policy = await trx.policies.setActive(ctx.communityId, policy.id, false, ctx.now())
          }
          return { policyId: policy.id, versionId: policy.versionId }
        },
      )
    },
  })

  const changePolicy = defineAction({
    description: "Change a policy's name, description, action types, priority, variables or code (a new version)",
    params: changePolicyParams,
    creates: ['versionId'],
    async validate(ctx, params) {
      const doc = changed(await existingPolicy(store, ctx.communityId, params.policyId), params)
      checkActionTypes(doc.kind, doc.actionTypes, ctx.knownTypes)
      if (params.name !== undefined) {
        await checkNameFree(store, ctx.communityId, params.name, params.policyId)
      }
      await checkPolicyCode(sandbox, params.blocks ?? {})
    },
    async execute(ctx, params) {
      // Applied to the policy as it is now: another change may have passed since this was
      // proposed, or taken the name.
      return withNameHeld(
        store,
        ctx.communityId,
        params.name,
        (trx, name) => checkNameFree(trx, ctx.communityId, name, params.policyId),
        async (trx) => {
          const doc = changed(await existingPolicy(trx, ctx.communityId, params.policyId), params)
          const policy = await trx.policies.update(ctx.communityId, params.policyId, toPolicyInput(doc), ctx.now())
          return { policyId: policy.id, versionId: policy.versionId, version: policy.version }
        },
      )
    },
  })

  const removePolicy = defineAction({
    description: 'Deactivate a policy; it keeps its versions and history',
    params: z.strictObject({ policyId }),
    async validate(ctx, { policyId: id }) {
      if (!(await existingPolicy(store, ctx.communityId, id)).active) {
        throw new AppError('conflict', `policy ${id} is already inactive`)
      }
    },
    async execute(ctx, { policyId: id }) {
      await existingPolicy(store, ctx.communityId, id)
      const policy = await store.policies.setActive(ctx.communityId, id, false, ctx.now())
      return { policyId: policy.id }
    },
  })

  return { addPolicy, changePolicy, removePolicy }
}
