import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import type { Document } from '../../../domain/community.ts'
import { nameSchema, refuseSameName } from '../../../domain/names.ts'
import { AppError } from '../../../errors.ts'
import type { Store } from '../../../store/store.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'
import { withNameHeld } from '../name-held.ts'

const documentId = rowId
const name = nameSchema(200)
const text = z.string().max(1_000_000)

async function existingDocument(store: Store, communityId: number, id: number): Promise<Document> {
  const document = await store.documents.get(communityId, id)
  if (!document) {
    throw new AppError('not_found', `document ${id} not found in this community`)
  }
  return document
}

/** Two active documents never share a name (`Charter` and `charter` are one name). */
async function checkNameFree(store: Store, communityId: number, name: string, documentId?: number): Promise<void> {
  refuseSameName('an active document', await store.documents.activeNamed(communityId, name), name, documentId)
}

/** The community's documents (a code of conduct, a charter…). */
export function documentActions({ store }: ConstitutionDeps): Record<string, ActionDef> {
  const addDocument = defineAction({
    description: 'Add a community document',
    params: z.strictObject({ name, text }),
    creates: ['documentId'],
    async validate(ctx, params) {
      await checkNameFree(store, ctx.communityId, params.name)
    },
    async execute(ctx, params) {
      const document = await withNameHeld(
        store,
        ctx.communityId,
        params.name,
        (trx, name) => checkNameFree(trx, ctx.communityId, name),
        (trx) => trx.documents.create(ctx.communityId, { ...params, now: ctx.now() }),
      )
      return { documentId: document.id }
    },
  })

  const changeDocument = defineAction({
    description: "Change a document's name or text",
    params: z
      .strictObject({ documentId, name: name.optional(), text: text.optional() })
      .refine((p) => p.name !== undefined || p.text !== undefined, 'name at least one of name and text'),
    async validate(ctx, params) {
      await existingDocument(store, ctx.communityId, params.documentId)
      if (params.name !== undefined) {
        await checkNameFree(store, ctx.communityId, params.name, params.documentId)
      }
    },
    async execute(ctx, { documentId: id, ...patch }) {
      await withNameHeld(
        store,
        ctx.communityId,
        patch.name,
        (trx, name) => checkNameFree(trx, ctx.communityId, name, id),
        (trx) => trx.documents.update(ctx.communityId, id, { ...patch, now: ctx.now() }),
      )
      return { documentId: id }
    },
  })

  const removeDocument = defineAction({
    description: 'Deactivate a document (it is kept)',
    params: z.strictObject({ documentId }),
    async validate(ctx, { documentId: id }) {
      if (!(await existingDocument(store, ctx.communityId, id)).active) {
        throw new AppError('conflict', `document ${id} is already inactive`)
      }
    },
    async execute(ctx, { documentId: id }) {
      await store.documents.setActive(ctx.communityId, id, false, ctx.now())
      return { documentId: id }
    },
  })

  return { addDocument, changeDocument, removeDocument }
}
