import assert from 'node:assert/strict'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { compileErrors, validate } from '@readme/openapi-parser'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import type { ApiTokenJson } from '../../src/server/presenters.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'

/** Generated files live inside the repository so that they resolve `openapi-fetch` from node_modules. */
const clientDir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'openapi-client')

/** A script written against the generated types, as someone using the API from TypeScript would. */
const clientSource = `import createClient from 'openapi-fetch'
import type { paths } from './api.ts'

export async function useApi(baseUrl: string, token: string, communityId: number) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } })
  const path = { communityId }
  const policies = await client.GET('/api/communities/{communityId}/policies', { params: { path } })
  const first = policies.data?.[0]
  if (!first) {
    throw new Error('no policies: ' + JSON.stringify(policies.error))
  }
  const exported = await client.GET('/api/communities/{communityId}/policies/{policyId}/export', {
    params: { path: { communityId, policyId: first.id } },
  })
  if (!exported.data) {
    throw new Error('no export: ' + JSON.stringify(exported.error))
  }
  const imported = await client.POST('/api/communities/{communityId}/policies/import', {
    params: { path },
    body: { document: { ...exported.data, name: 'Typed copy' } },
  })
  const refused = await client.POST('/api/communities/{communityId}/policies/import', {
    params: { path },
    body: { document: { format: 'policykit.policy/1', name: 'No kind' } as never },
  })
  const logs = await client.GET('/api/communities/{communityId}/logs', { params: { path } })
  return {
    format: exported.data.format,
    importedType: imported.data?.action.type,
    importedName: imported.data?.action.params['name'],
    refused: refused.error?.error.message,
    logsOk: Array.isArray(logs.data) || logs.response.status === 403,
  }
}
`

/** Must not compile: the generated types know the document's fields and the import body. */
const misuseSource = `import createClient from 'openapi-fetch'
import type { paths } from './api.ts'

const client = createClient<paths>({ baseUrl: 'http://localhost' })
await client.POST('/api/communities/{communityId}/policies/import', {
  params: { path: { communityId: 1 } },
  body: { document: { format: 'policykit.policy/2', name: 'x', kind: 'platform' } },
})
await client.GET('/api/communities/{communityId}/no-such-route', { params: { path: { communityId: 1 } } })
`

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    types: [],
  })
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}

describe('the OpenAPI document', () => {
  let s: TestServer
  let baseUrl: string
  let doc: { components: { schemas: Record<string, unknown> } } & Record<string, unknown>

  before(async () => {
    s = await startTestServer()
    baseUrl = await s.app.listen({ port: 0, host: '127.0.0.1' })
    const res = await fetch(`${baseUrl}/api/openapi.json`)
    assert.equal(res.status, 200)
    doc = (await res.json()) as typeof doc
    rmSync(clientDir, { recursive: true, force: true })
    mkdirSync(clientDir, { recursive: true })
    // The package.json makes the generated .ts files ES modules, as the repository's are.
    writeFileSync(join(clientDir, 'package.json'), '{ "type": "module" }\n')
  })
  after(() => s.close())

  it('passes an OpenAPI 3.1 validator, every $ref resolving to a schema in components.schemas', async () => {
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0])
    assert.ok(result.valid, result.valid ? '' : compileErrors(result))
    const refs = new Set([...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]))
    assert.ok(refs.size > 0)
    for (const ref of refs) {
      const name = ref?.replace('#/components/schemas/', '') ?? ''
      assert.ok(doc.components.schemas[name], `${ref} is defined`)
    }
  })

  it('types the policy document (policykit.policy/1) that import takes and export gives', () => {
    const input = doc.components.schemas['PolicyDocumentInput'] as { required: string[]; properties: object }
    assert.deepEqual(input.required, ['format', 'name', 'kind'])
    assert.deepEqual(Object.keys(input.properties), [
      'format',
      'name',
      'description',
      'kind',
      'actionTypes',
      'priority',
      'variables',
      'blocks',
    ])
    assert.match(JSON.stringify(doc), /"document":\{"\$ref":"#\/components\/schemas\/PolicyDocumentInput"\}/)
    assert.match(JSON.stringify(doc), /"\$ref":"#\/components\/schemas\/PolicyDocument"\}/)
  })

  it('generates a typed client (openapi-typescript, openapi-fetch) that works against the running server', async () => {
    const types = astToString(await openapiTS(JSON.stringify(doc)))
    writeFileSync(join(clientDir, 'api.ts'), types)
    writeFileSync(join(clientDir, 'client.ts'), clientSource)
    writeFileSync(join(clientDir, 'misuse.ts'), misuseSource)

    assert.deepEqual(typeErrors(join(clientDir, 'client.ts')), [])
    const misuse = typeErrors(join(clientDir, 'misuse.ts')).join('\n')
    assert.match(misuse, /policykit\.policy\/2/, 'a wrong document format does not compile')
    assert.match(misuse, /no-such-route/, 'an unknown route does not compile')

    const token = await s.admin.post<ApiTokenJson>(`/api/communities/${s.communityId}/tokens`, { name: 'client' })
    assert.equal(token.status, 201)
    const client = (await import(pathToFileURL(join(clientDir, 'client.ts')).href)) as {
      useApi(baseUrl: string, token: string, communityId: number): Promise<Record<string, unknown>>
    }
    const used = await client.useApi(baseUrl, token.json.token ?? '', s.communityId)
    assert.equal(used['format'], 'policykit.policy/1')
    assert.equal(used['importedType'], 'constitution.addPolicy')
    assert.equal(used['importedName'], 'Typed copy')
    assert.match(String(used['refused']), /kind/)
    assert.equal(used['logsOk'], true)
  })
})
