import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parsePolicyDocument,
  policyDocumentSchema,
  toPolicyDocument,
  toPolicyInput,
} from '../../src/domain/policy-document.ts'
import type { Policy } from '../../src/domain/policy.ts'
import { isAppError } from '../../src/errors.ts'

const minimal = { format: 'policykit.policy/1', name: 'Posts pass', kind: 'platform' }

function problems(json: unknown): string[] {
  try {
    parsePolicyDocument(json)
  } catch (e) {
    assert.ok(isAppError(e, 'invalid_input'), `expected invalid_input, got ${String(e)}`)
    return e.message
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
  }
  assert.fail('the document parsed')
}

describe('policy documents', () => {
  it('fills in what a minimal document leaves out', () => {
    assert.deepEqual(parsePolicyDocument(minimal), {
      ...minimal,
      description: '',
      actionTypes: [],
      priority: 0,
      variables: [],
      blocks: { filter: '', initialize: '', check: '', notify: '', pass: '', fail: '' },
    })
  })

  it('lists every problem with its path', () => {
    assert.deepEqual(
      problems({
        format: 'policykit.policy/2',
        name: ' ',
        kind: 'trigger',
        extra: true,
        priority: 1.5,
        variables: [
          { name: 'not an identifier', type: 'number', default: 1 },
          { name: 'quorum', type: 'number', default: 'three' },
          { name: 'voters', type: 'member', isList: true, default: ['ann', 2, 2.5] },
          { name: 'quorum', type: 'boolean', default: true, value: 'yes', secret: 1 },
        ],
        blocks: { check: 'return PASSED', sucess: '' },
      }),
      [
        'format: Invalid input: expected "policykit.policy/1"',
        'name: must not be empty or only spaces',
        'priority: Invalid input: expected int, received number',
        'variables.0.name: must be a JavaScript identifier',
        'variables.1.default: must be a number value or null',
        'variables.2.default: must be a list of member values or null',
        'variables.3: Unrecognized key: "secret"',
        'variables.3.value: must be a boolean value or null',
        'blocks: Unrecognized key: "sucess"',
        '(document): Unrecognized key: "extra"',
      ],
    )
  })

  it('checks the document as a whole: kinds, action types, duplicate names', () => {
    assert.deepEqual(
      problems({
        ...minimal,
        kind: 'trigger',
        variables: [
          { name: 'quorum', type: 'number', default: 3 },
          { name: 'quorum', type: 'number', default: 4 },
        ],
      }),
      [
        'actionTypes: a trigger policy must list the event types it reacts to',
        'variables.1.name: quorum is declared twice',
      ],
    )
    assert.deepEqual(problems({ ...minimal, kind: 'constitution', actionTypes: ['test.post'] }), [
      'actionTypes.0: a constitution policy governs constitution.* types only',
    ])
    assert.deepEqual(problems({ ...minimal, actionTypes: ['test.post', 'constitution.addRole', 'test.post', 'x'] }), [
      'actionTypes.3: must be an action type such as slack.postMessage',
      'actionTypes.1: constitution.* types are governed by constitution policies',
      'actionTypes.2: test.post is listed twice',
    ])
  })

  it('accepts values of every variable type, and null for none', () => {
    const doc = parsePolicyDocument({
      ...minimal,
      variables: [
        { name: 'text', type: 'string', default: 'hi' },
        { name: 'n', type: 'number', default: 2.5 },
        { name: 'flag', type: 'boolean', default: false },
        { name: 'deadline', type: 'timestamp', default: 1767225600000 },
        { name: 'ann', type: 'member', default: 'ann' },
        { name: 'bob', type: 'member', default: 7 },
        { name: 'mods', type: 'role', isList: true, default: ['Moderator'], value: [] },
        { name: 'anything', type: 'json', default: { a: [1] } },
        { name: 'unset', type: 'number', default: null },
      ],
    })
    assert.equal(doc.variables.length, 9)
    assert.equal(doc.variables[0]?.label, '')
    assert.equal(doc.variables[0]?.isList, false)
  })

  it('is strict about non-JSON input', () => {
    assert.deepEqual(problems(null), ['(document): Invalid input: expected object, received null'])
    assert.equal(problems([]).length, 1)
  })

  it('round-trips a policy through a document, leaving ids and state behind', () => {
    const policy: Policy = {
      id: 9,
      communityId: 3,
      name: 'Vote on posts',
      description: 'three yes votes',
      kind: 'platform',
      actionTypes: ['test.post'],
      priority: 5,
      variables: [
        { name: 'quorum', label: 'Quorum', type: 'number', isList: false, default: 3, value: 4 },
        { name: 'hours', label: 'Hours', type: 'number', isList: false, default: 24, value: null },
      ],
      blocks: { filter: '', initialize: '', check: 'return PASSED', notify: '', pass: '', fail: '' },
      active: false,
      versionId: 12,
      version: 2,
      updatedAt: 1,
    }
    const doc = toPolicyDocument(policy)
    assert.deepEqual(doc.variables, [
      { name: 'quorum', label: 'Quorum', type: 'number', isList: false, default: 3, value: 4 },
      { name: 'hours', label: 'Hours', type: 'number', isList: false, default: 24 },
    ])
    assert.ok(!('id' in doc) && !('active' in doc) && !('version' in doc))
    const reparsed = parsePolicyDocument(JSON.parse(JSON.stringify(doc)))
    assert.deepEqual(reparsed, doc)
    const content = {
      name: policy.name,
      description: policy.description,
      kind: policy.kind,
      actionTypes: policy.actionTypes,
      priority: policy.priority,
      variables: policy.variables,
      blocks: policy.blocks,
    }
    assert.deepEqual(toPolicyInput(reparsed), content)
    assert.ok(policyDocumentSchema.safeParse(doc).success)
  })
})
