import fc from 'fast-check'
import { hostileParams, hostileValue, valueFor, type ValueContext } from './hostile-values.ts'
import type { JsonSchema, Operation, Parameter } from './openapi-operations.ts'

/** Who sends a request: a signed-in member (session cookie and CSRF token, as the dashboard does) or nobody. */
export type CallerName = 'admin' | 'member' | 'anonymous'

export interface FuzzRequest {
  caller: CallerName
  method: Operation['method']
  url: string
  headers: Record<string, string>
  payload?: string
  remoteAddress: string
}

/** What the fuzzer knows of the community under test, to aim some values at real things. */
export interface FuzzContext extends ValueContext {
  communityId: number
  /** Real ids by path parameter name (`proposalId` → the community's proposals). */
  idsByParam: Record<string, number[]>
  /** Real values of string path parameters (`token` → open invite tokens). */
  stringsByParam: Record<string, string[]>
  /** Action types with the JSON Schema of their params, for `POST …/actions`. */
  actionTypes: { type: string; paramsSchema: JsonSchema }[]
  /** A real policy document (an export), for `POST …/policies/import`. */
  policyDocument: Record<string, unknown>
}

/** Percent-encoded; a lone surrogate (which `encodeURIComponent` throws on) becomes U+FFFD first. */
const enc = (text: string) => encodeURIComponent(text.toWellFormed())

/** A path parameter: mostly a real value (so the route's deeper checks run), else hostile. */
function pathValue(param: Parameter, context: FuzzContext): fc.Arbitrary<string> {
  const real =
    param.name === 'communityId'
      ? [String(context.communityId)]
      : [...(context.idsByParam[param.name] ?? []).map(String), ...(context.stringsByParam[param.name] ?? []).map(enc)]
  return fc.oneof(
    { weight: real.length > 0 ? 6 : 0, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.constant('1') },
    { weight: 3, arbitrary: fc.constantFrom(...hostileParams) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(enc) },
  )
}

/** One query parameter's text: a schema value, a hostile one, or raw percent-encoding. */
function queryValue(param: Parameter, context: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: valueFor(param.schema, context).map((v) => enc(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    },
    { weight: 3, arbitrary: fc.constantFrom(...hostileParams) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%C0%80', '') },
  )
}

function queryString(op: Operation, context: FuzzContext): fc.Arbitrary<string> {
  const declared = op.query.map((param) =>
    fc.option(
      queryValue(param, context).map((v) => `${param.name}=${v}`),
      { freq: 2, nil: undefined },
    ),
  )
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant([] as string[]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.constantFrom('a=1&a=2', 'limit=1&limit=2', '__proto__[x]=1', 'x', '=', '&&', 'before[]=1', 'a%00b=c'),
        { maxLength: 2 },
      ),
    },
  )
  return fc.tuple(fc.tuple(...declared), extra).map(([parts, more]) => {
    const all = [...parts.filter((p) => p !== undefined), ...more]
    return all.length === 0 ? '' : `?${all.join('&')}`
  })
}

/** `depth` arrays nested in one another. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

/** Bodies no schema describes: deep, broken, empty, huge, prototype-polluting. */
const rawBodies = fc.oneof(
  fc.integer({ min: 60, max: 200_000 }).map((depth) => `{"a":${nested(depth)}}`),
  fc.integer({ min: 60, max: 5_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '[]',
    '"text"',
    '12',
    '{',
    '{"a":1}}',
    '{"a":"\\u0000"}',
    '{"a":"\\ud800"}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    'username=admin&password=x',
    '\u0000',
  ),
  fc.constant(`{"a":"${'x'.repeat(1024 * 1024)}"}`),
)

/** The JSON body of an operation: a schema-shaped malformed value, or raw hostile text. */
function body(op: Operation, context: FuzzContext): fc.Arbitrary<string | undefined> {
  if (op.body === null) {
    return fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          rawBodies,
          hostileValue(context).map((v) => JSON.stringify(v)),
        ),
      },
    )
  }
  const shaped: fc.Arbitrary<unknown>[] = [valueFor(op.body, context)]
  if (op.method === 'POST' && op.path.endsWith('/actions') && context.actionTypes.length > 0) {
    // Aimed at each action type's params, so their own schemas are what gets tested; mild ones
    // too, so that proposals get made and policies run.
    const mild = { ...context, mild: true }
    for (const values of [context, mild]) {
      shaped.push(
        fc
          .constantFrom(...context.actionTypes)
          .chain(({ type, paramsSchema }) => valueFor(paramsSchema, values).map((params) => ({ type, params }))),
      )
    }
  }
  if (op.path.endsWith('/policies/import')) {
    shaped.push(
      valueFor({ type: 'object', properties: { document: {}, activate: { type: 'boolean' } } }, context).chain((base) =>
        fc
          .tuple(fc.constantFrom(...Object.keys(context.policyDocument)), hostileValue(context))
          .map(([field, value]) => ({ ...(base as object), document: { ...context.policyDocument, [field]: value } })),
      ),
    )
  }
  // Deep where the schema looks (a key it does not know is never walked): each field, and an action's params.
  const fields = Object.keys(op.body.properties ?? {})
  const deepField = fc
    .tuple(fc.constantFrom('', ...fields), fc.integer({ min: 60, max: 100_000 }))
    .map(([field, depth]) =>
      field === 'params'
        ? `{"type":"constitution.addDocument","params":{"name":"x","text":${nested(depth)}}}`
        : `{${JSON.stringify(field)}:${nested(depth)}}`,
    )
  return fc.oneof(
    { weight: 7, arbitrary: fc.oneof(...shaped).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.oneof(rawBodies, deepField) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  )
}

const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json, text/plain',
      '',
    ),
  },
)

const headerText = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.constantFrom('x'.repeat(8000), 'null', '', 'Bearer', 'Bearer pk_', 'Basic YWRtaW46eA=='),
)

/** Occasional hostile headers: tokens, origins, cookies, CSRF tokens that are wrong or missing. */
function headers(caller: CallerName): fc.Arbitrary<Record<string, string>> {
  const maybe = (name: string, value: fc.Arbitrary<string>) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: value.map((v) => [name, v] as const) },
    )
  return fc
    .tuple(
      maybe(
        'authorization',
        fc.oneof(
          headerText,
          headerText.map((t) => `Bearer ${t}`),
        ),
      ),
      maybe('origin', fc.oneof(headerText, fc.constantFrom('http://evil.example', 'null', 'http://localhost:3000'))),
      maybe('cookie', fc.oneof(headerText, fc.constantFrom('pk_session=forged', 'pk_session=%00', 'pk_session='))),
      maybe('accept', fc.constantFrom('text/html', '*/*', 'application/xml')),
      caller === 'anonymous' ? fc.constant(undefined) : maybe('x-csrf-token', headerText),
    )
    .map((pairs) => Object.fromEntries(pairs.filter((p) => p !== undefined)))
}

/** Requests for one operation, by any caller, with malformed path, query, headers and body. */
export function requestsFor(
  op: Operation,
  context: FuzzContext,
  callers: readonly CallerName[],
): fc.Arbitrary<FuzzRequest> {
  const path = fc
    .tuple(...op.pathParams.map((p) => pathValue(p, context).map((v) => [p.name, v] as const)))
    .map((values) => values.reduce((url, [name, value]) => url.replace(`{${name}}`, value), op.path))
  return fc
    .constantFrom(...callers)
    .chain((caller) =>
      fc.record({
        caller: fc.constant(caller),
        method: fc.constant(op.method),
        path,
        query: queryString(op, context),
        payload: body(op, context),
        contentType: contentTypes,
        headers: headers(caller),
        remoteAddress: fc.ipV4(),
      }),
    )
    .map(({ path: p, query, contentType, headers: extra, payload, ...rest }) => ({
      ...rest,
      url: p + query,
      headers: { ...(payload !== undefined && contentType !== '' && { 'content-type': contentType }), ...extra },
      ...(payload !== undefined && { payload }),
    }))
}
