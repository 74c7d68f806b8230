/** What the fuzzer reads of a JSON Schema (draft 2020-12, as the OpenAPI document and paramsSchema give it). */
export interface JsonSchema {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  $ref?: string
  $defs?: Record<string, JsonSchema>
}

export interface Parameter {
  name: string
  required: boolean
  schema: JsonSchema
}

/** One route of the OpenAPI document: method, path template and what it reads. */
export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** As documented: `/api/communities/{communityId}/…`. */
  path: string
  pathParams: Parameter[]
  query: Parameter[]
  /** The JSON body's schema; null when the route takes no body. */
  body: JsonSchema | null
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

function isMethod(method: string): method is Operation['method'] {
  return methods.has(method)
}

/** Every operation the document lists, in its order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = []
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [name, op] of Object.entries(byMethod)) {
      const method = name.toUpperCase()
      if (!isMethod(method)) {
        continue
      }
      const parameters = (where: string) =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} }))
      operations.push({
        method,
        path,
        pathParams: parameters('path'),
        query: parameters('query'),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      })
    }
  }
  return operations
}
