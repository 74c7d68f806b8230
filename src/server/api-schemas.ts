import { createJsonSchemaTransform } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { jsonValueSchema } from '../domain/json.ts'
import { policyDocumentSchema } from '../domain/policy-document.ts'
import type { ErrorJson } from './presenters.ts'

/**
 * The schemas the OpenAPI document names in `components.schemas` and refers to by `$ref`. Its
 * own registry, not zod's global one, so what the document holds is what the server
 * registered and nothing else.
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>()

export const jsonValue = jsonValueSchema.register(apiSchemas, { id: 'JsonValue', description: 'any JSON value' })

/** `policykit.policy/1`: what export gives and import takes (domain/policy-document.ts). */
export const policyDocument = policyDocumentSchema.register(apiSchemas, {
  id: 'PolicyDocument',
  description: 'A policy as a portable document (policykit.policy/1), as export gives and import takes it',
})

/** ErrorJson, named so the routes' 4XX and 5XX answers can refer to it. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .register(apiSchemas, {
    id: 'Error',
    description: 'Every error: invalid_input (400, with issues), unauthenticated (401), forbidden (403), …',
  }) satisfies z.ZodType<ErrorJson>

const transformRoute = createJsonSchemaTransform({ schemaRegistry: apiSchemas })

/**
 * The routes' schemas for the document, each answering `Error` for 4XX and 5XX as well, so a
 * generated client knows the error's shape. The document only: the error handler (errors.ts)
 * makes those answers, not the routes.
 */
export const documentRoute: typeof transformRoute = (route) => {
  const transformed = transformRoute(route)
  if (transformed.schema.hide === true) {
    return transformed
  }
  const errorRef = { $ref: '#/components/schemas/Error' }
  const response = { ...(transformed.schema.response as object), '4XX': errorRef, '5XX': errorRef }
  return { ...transformed, schema: { ...transformed.schema, response } }
}
