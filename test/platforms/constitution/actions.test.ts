import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ProposeOutcome } from '../../../src/engine/engine.ts'
import type { JsonObject } from '../../../src/domain/json.ts'
import type { Member } from '../../../src/domain/member.ts'
import { isAppError, type ErrorCode } from '../../../src/errors.ts'
import { createConstitutionPlatform } from '../../../src/platforms/constitution/manifest.ts'
import { engineHarness, type EngineHarness } from '../../support/engine-harness.ts'
import { testDialects } from '../../support/test-store.ts'

const checkPasses = { check: 'return PASSED' }

for (const dialect of testDialects()) {
  describe(`${dialect}: constitution actions`, () => {
    let h: EngineHarness
    let admin: Member
    let member: Member

    /** Proposed by the admin, who may execute every constitution action at once. */
    async function run(name: string, params: JsonObject): Promise<JsonObject> {
      const outcome = await h.constitution(name, params, admin.id)
      assert.equal(outcome.status, 'executed', `constitution.${name} should execute at once`)
      assert.equal(outcome.action.executionState, 'executed')
      assert.ok(outcome.action.result, `constitution.${name} returns what it did`)
      return outcome.action.result
    }

    async function refused(name: string, params: JsonObject, code: ErrorCode, message: RegExp): Promise<void> {
      const before = (await h.store.actions.list(h.community.id)).length
      await assert.rejects(
        h.constitution(name, params, admin.id),
        (e) => isAppError(e, code) && message.test(e.message),
        `constitution.${name} ${JSON.stringify(params)}`,
      )
      assert.equal((await h.store.actions.list(h.community.id)).length, before, 'nothing is saved')
    }

    function id(result: JsonObject, key: string): number {
      const value = result[key]
      assert.equal(typeof value, 'number', `${key} in ${JSON.stringify(result)}`)
      return Number(value)
    }

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Admin', ['execute:constitution.*', 'propose:*'])
      admin = await h.member('admin', ['Admin'])
      member = await h.member('member')
    })
    after(() => h.close())

    it('offers every constitution action, none of which can be reverted', () => {
      const constitution = createConstitutionPlatform({ store: h.store, sandbox: h.sandbox })
      for (const [name, def] of Object.entries(constitution.actions)) {
        assert.ok(!('revert' in def), `${name} cannot be undone`)
        assert.ok('execute' in def, `${name} can be executed`)
      }
      assert.deepEqual(Object.keys(constitution.actions).sort(), [
        'addDocument',
        'addIntegration',
        'addPolicy',
        'addRole',
        'assignRole',
        'changeDocument',
        'changePolicy',
        'changeRole',
        'changeSettings',
        'removeDocument',
        'removeIntegration',
        'removeMember',
        'removePolicy',
        'removeRole',
        'unassignRole',
      ])
    })

    it('adds a policy, with version 1, active unless asked otherwise', async () => {
      const result = await run('addPolicy', {
        name: 'Posts pass',
        kind: 'platform',
        actionTypes: ['test.post'],
        priority: 2,
        variables: [{ name: 'quorum', type: 'number', default: 3 }],
        blocks: checkPasses,
      })
      const policy = await h.store.policies.get(h.community.id, id(result, 'policyId'))
      assert.equal(policy?.name, 'Posts pass')
      assert.equal(policy?.versionId, id(result, 'versionId'))
      assert.equal(policy?.active, true)
      assert.deepEqual(policy?.actionTypes, ['test.post'])
      assert.equal(policy?.priority, 2)
      assert.equal(policy?.variables[0]?.default, 3)
      assert.equal(policy?.blocks.check, 'return PASSED')

      const inactive = await run('addPolicy', { name: 'Later', kind: 'platform', active: false })
      assert.equal((await h.store.policies.get(h.community.id, id(inactive, 'policyId')))?.active, false)
    })

    it('refuses a policy that is not a valid document, with the field named', async () => {
      await refused('addPolicy', { kind: 'platform' }, 'invalid_input', /name:/)
      await refused('addPolicy', { name: 'x', kind: 'platform', colour: 'red' }, 'invalid_input', /colour/)
      await refused('addPolicy', { name: 'x', kind: 'platform', active: 'yes' }, 'invalid_input', /active/)
      await refused(
        'addPolicy',
        { name: 'x', kind: 'constitution', actionTypes: ['test.post'] },
        'invalid_input',
        /constitution policy governs constitution\.\* types only/,
      )
    })

    it('refuses action types no platform provides', async () => {
      await refused(
        'addPolicy',
        { name: 'x', kind: 'platform', actionTypes: ['test.post', 'slack.postMessage'] },
        'invalid_input',
        /unknown action type 'slack\.postMessage'/,
      )
      await refused(
        'addPolicy',
        { name: 'x', kind: 'trigger', actionTypes: ['test.nothing'] },
        'invalid_input',
        /unknown trigger type 'test\.nothing'/,
      )
      // Triggers a platform declares and `.executed` of any action type are known.
      await run('addPolicy', {
        name: 'react',
        kind: 'trigger',
        actionTypes: ['test.event', 'constitution.addRole.executed'],
      })
    })

    it('refuses policy code with a syntax error, naming the block and line', async () => {
      await refused(
        'addPolicy',
        { name: 'broken', kind: 'platform', blocks: { check: 'const a = 1\nif (a {\n  return PASSED\n}' } },
        'invalid_input',
        /check block, line 2/,
      )
    })

    it('changes a policy into a new version, keeping the fields it does not name', async () => {
      const added = await run('addPolicy', {
        name: 'Original',
        description: 'first',
        kind: 'platform',
        actionTypes: ['test.post'],
        blocks: { check: 'return PROPOSED', notify: 'logger.info("hi")' },
      })
      const policyId = id(added, 'policyId')
      const changed = await run('changePolicy', { policyId, name: 'Renamed', blocks: { check: 'return FAILED' } })
      assert.equal(changed['version'], 2)
      const policy = await h.store.policies.get(h.community.id, policyId)
      assert.equal(policy?.name, 'Renamed')
      assert.equal(policy?.description, 'first')
      assert.equal(policy?.blocks.check, 'return FAILED')
      assert.equal(policy?.blocks.notify, 'logger.info("hi")')
      assert.equal(policy?.versionId, id(changed, 'versionId'))
      const versions = await h.store.policies.versions(h.community.id, policyId)
      assert.deepEqual(
        versions.map((v) => [v.version, v.name, v.blocks.check]),
        [
          [1, 'Original', 'return PROPOSED'],
          [2, 'Renamed', 'return FAILED'],
        ],
      )
    })

    it('refuses changing a policy that does not exist, into an invalid one, or with broken code', async () => {
      await refused('changePolicy', { policyId: 9999, name: 'x' }, 'not_found', /policy 9999 not found/)
      const { policyId } = await run('addPolicy', { name: 'Target', kind: 'platform' })
      assert.equal(typeof policyId, 'number')
      await refused('changePolicy', { policyId: Number(policyId) }, 'invalid_input', /at least one field/)
      await refused('changePolicy', { policyId: Number(policyId), name: '' }, 'invalid_input', /name/)
      await refused(
        'changePolicy',
        { policyId: Number(policyId), actionTypes: ['test.nope'] },
        'invalid_input',
        /unknown action type 'test\.nope'/,
      )
      await refused(
        'changePolicy',
        { policyId: Number(policyId), blocks: { pass: 'ok\nok\nreturn )' } },
        'invalid_input',
        /pass block, line 3/,
      )
      await refused('changePolicy', { policyId: Number(policyId), blocks: { finally: '' } }, 'invalid_input', /finally/)
    })

    it('removes a policy by deactivating it, keeping its versions', async () => {
      const { policyId } = await run('addPolicy', { name: 'Doomed', kind: 'platform' })
      await run('removePolicy', { policyId: Number(policyId) })
      const policy = await h.store.policies.get(h.community.id, Number(policyId))
      assert.equal(policy?.active, false)
      assert.equal((await h.store.policies.versions(h.community.id, Number(policyId))).length, 1)
      await refused('removePolicy', { policyId: Number(policyId) }, 'conflict', /already inactive/)
      await refused('removePolicy', { policyId: 9999 }, 'not_found', /policy 9999/)
    })

    it('adds, changes, assigns, unassigns and removes a role', async () => {
      const { roleId } = await run('addRole', {
        name: 'Moderator',
        description: 'keeps order',
        permissions: ['propose:test.*', 'execute:test.rename', 'vote', 'view_logs'],
      })
      const rid = Number(roleId)
      assert.deepEqual((await h.store.roles.get(h.community.id, rid))?.permissions, [
        'propose:test.*',
        'execute:test.rename',
        'vote',
        'view_logs',
      ])
      await run('changeRole', { roleId: rid, name: 'Mod', permissions: ['propose:*'] })
      const role = await h.store.roles.get(h.community.id, rid)
      assert.equal(role?.name, 'Mod')
      assert.equal(role?.description, 'keeps order')
      assert.deepEqual(role?.permissions, ['propose:*'])

      await run('assignRole', { roleId: rid, memberId: member.id })
      assert.deepEqual(
        (await h.store.roles.effectiveRoles(h.community.id, member.id)).map((r) => r.name),
        ['Mod'],
      )
      await run('unassignRole', { roleId: rid, memberId: member.id })
      assert.deepEqual(
        (await h.store.roles.effectiveRoles(h.community.id, member.id)).map((r) => r.name),
        ['Member'],
      )
      await run('removeRole', { roleId: rid })
      assert.equal(await h.store.roles.get(h.community.id, rid), undefined)
    })

    it('refuses role changes that make no sense, with a clear error', async () => {
      const admins = await h.store.roles.getByName(h.community.id, 'Admin')
      const members = await h.store.roles.getByName(h.community.id, 'Member')
      assert.ok(admins && members)
      await refused('addRole', { name: 'Admin' }, 'conflict', /a role named 'Admin' already exists/)
      await refused('addRole', { name: '' }, 'invalid_input', /name/)
      await refused(
        'addRole',
        { name: 'Bad', permissions: ['launch_rockets'] },
        'invalid_input',
        /'launch_rockets' is not a permission/,
      )
      await refused(
        'addRole',
        { name: 'Bad', permissions: ['propose:test.fly'] },
        'invalid_input',
        /unknown action type 'test\.fly'/,
      )
      await refused(
        'addRole',
        { name: 'Bad', permissions: ['execute:nowhere.*'] },
        'invalid_input',
        /no platform named 'nowhere'/,
      )
      await refused('changeRole', { roleId: 9999, name: 'x' }, 'not_found', /role 9999 not found/)
      await refused('changeRole', { roleId: members.id, name: 'Admin' }, 'conflict', /already exists/)
      await refused('changeRole', { roleId: members.id }, 'invalid_input', /at least one/)
      await refused('removeRole', { roleId: members.id }, 'conflict', /default role/)
      await refused(
        'assignRole',
        { roleId: admins.id, memberId: admin.id },
        'conflict',
        /admin already has the role Admin/,
      )
      await refused('assignRole', { roleId: admins.id, memberId: 9999 }, 'not_found', /member 9999/)
      await refused(
        'unassignRole',
        { roleId: admins.id, memberId: member.id },
        'conflict',
        /member does not have the role Admin/,
      )
    })

    it('adds, changes and removes a document', async () => {
      const { documentId } = await run('addDocument', { name: 'Code of conduct', text: 'Be kind.' })
      const did = Number(documentId)
      await run('changeDocument', { documentId: did, text: 'Be kind and brief.' })
      let document = await h.store.documents.get(h.community.id, did)
      assert.equal(document?.name, 'Code of conduct')
      assert.equal(document?.text, 'Be kind and brief.')
      await run('removeDocument', { documentId: did })
      document = await h.store.documents.get(h.community.id, did)
      assert.equal(document?.active, false, 'kept, inactive')
      await refused('removeDocument', { documentId: did }, 'conflict', /already inactive/)
      await refused('changeDocument', { documentId: 9999, text: 'x' }, 'not_found', /document 9999/)
      await refused('changeDocument', { documentId: did }, 'invalid_input', /at least one of name and text/)
      await refused('addDocument', { name: 'x' }, 'invalid_input', /text/)
    })

    it('refuses a name of only spaces, saying so', async () => {
      await refused('addRole', { name: '   ' }, 'invalid_input', /name: must not be empty or only spaces/)
      await refused('addDocument', { name: ' ', text: 'x' }, 'invalid_input', /name: must not be empty or only spaces/)
      await refused('changeSettings', { name: '\t' }, 'invalid_input', /must not be empty or only spaces/)
      await refused(
        'addPolicy',
        { name: '  ', kind: 'platform', blocks: checkPasses },
        'invalid_input',
        /name: must not be empty or only spaces/,
      )
    })

    it('refuses duplicate names, case-insensitively, naming the clash', async () => {
      const admins = await h.store.roles.getByName(h.community.id, 'Admin')
      assert.ok(admins)
      await refused(
        'addRole',
        { name: ' admin' },
        'conflict',
        new RegExp(`a role named 'Admin' already exists \\(id ${admins.id}\\); 'admin' differs from it only by case`),
      )
      const members = await h.store.roles.getByName(h.community.id, 'Member')
      assert.ok(members)
      await refused('changeRole', { roleId: members.id, name: 'ADMIN' }, 'conflict', /a role named 'Admin'/)
      await run('changeRole', { roleId: admins.id, name: 'admin' })
      await run('changeRole', { roleId: admins.id, name: 'Admin' })

      const { documentId } = await run('addDocument', { name: 'Garden rules', text: 'We garden.' })
      await refused(
        'addDocument',
        { name: 'garden RULES', text: 'x' },
        'conflict',
        /an active document named 'Garden rules'/,
      )
      const other = await run('addDocument', { name: 'Bylaws', text: 'x' })
      await refused(
        'changeDocument',
        { documentId: id(other, 'documentId'), name: 'GARDEN RULES' },
        'conflict',
        /an active document named 'Garden rules'/,
      )
      await run('removeDocument', { documentId: Number(documentId) })
      await run('addDocument', { name: 'Garden rules', text: 'We garden, version two.' })

      await run('addPolicy', { name: 'Majority vote', kind: 'platform', blocks: checkPasses })
      await refused(
        'addPolicy',
        { name: 'majority  vote'.replace('  ', ' '), kind: 'platform', blocks: checkPasses },
        'conflict',
        /an active policy named 'Majority vote' already exists/,
      )

      const named = await h.store.communities.create({ name: 'Gardeners', now: h.clock.now() })
      await refused(
        'changeSettings',
        { name: 'gardeners' },
        'conflict',
        new RegExp(`a community named 'Gardeners' already exists \\(id ${named.id}\\)`),
      )
    })

    it('activates a connected integration, and deactivates it, with only its id in the params', async () => {
      const integration = await h.store.integrations.create(h.community.id, {
        platform: 'slack',
        externalId: 'T1',
        config: {},
        credentials: { token: 'xoxb-secret' },
        now: h.clock.now(),
      })
      await h.store.integrations.setActive(h.community.id, integration.id, false)
      await refused('addIntegration', { integrationId: integration.id, token: 'x' }, 'invalid_input', /token/)
      const outcome = await h.constitution('addIntegration', { integrationId: integration.id }, admin.id)
      assert.equal(outcome.status, 'executed')
      assert.deepEqual(outcome.action.params, { integrationId: integration.id })
      assert.equal((await h.store.integrations.get(h.community.id, integration.id))?.active, true)
      await refused('addIntegration', { integrationId: integration.id }, 'conflict', /already active/)

      const second = await h.store.integrations.create(h.community.id, {
        platform: 'slack',
        externalId: 'T2',
        config: {},
        credentials: {},
        now: h.clock.now(),
      })
      await h.store.integrations.setActive(h.community.id, second.id, false)
      await refused(
        'addIntegration',
        { integrationId: second.id },
        'conflict',
        /already has an active slack integration/,
      )

      await run('removeIntegration', { integrationId: integration.id })
      assert.equal((await h.store.integrations.get(h.community.id, integration.id))?.active, false)
      assert.deepEqual(await h.store.integrations.getCredentials(h.community.id, integration.id), {
        token: 'xoxb-secret',
      })
      await refused('removeIntegration', { integrationId: integration.id }, 'conflict', /not active/)
      await refused('addIntegration', { integrationId: 9999 }, 'not_found', /integration 9999/)
    })

    it('changes settings, strictly', async () => {
      await run('changeSettings', { name: 'Renamed community', sweepSeconds: 300 })
      let community = await h.store.communities.get(h.community.id)
      assert.equal(community?.name, 'Renamed community')
      assert.deepEqual(community?.settings, { sweepSeconds: 300 })
      await run('changeSettings', { sweepSeconds: null })
      community = await h.store.communities.get(h.community.id)
      assert.deepEqual(community?.settings, {})
      assert.equal(community?.name, 'Renamed community')

      await refused('changeSettings', { sweepSeconds: 0 }, 'invalid_input', /sweepSeconds/)
      await refused('changeSettings', { sweepSeconds: 86_401 }, 'invalid_input', /sweepSeconds/)
      await refused('changeSettings', { sweepSeconds: 1.5 }, 'invalid_input', /sweepSeconds/)
      await refused('changeSettings', { theme: 'dark' }, 'invalid_input', /theme/)
      await refused('changeSettings', {}, 'invalid_input', /at least one setting/)
    })

    it('refuses a proposer without propose permission for the type, saving nothing', async () => {
      await h.role('Guest', ['propose:test.*'])
      const guest = await h.member('guest', ['Guest'])
      const before = (await h.store.actions.list(h.community.id)).length
      await assert.rejects(
        h.constitution('addRole', { name: 'Sneaky' }, guest.id),
        (e) => isAppError(e, 'forbidden') && /may not propose constitution\.addRole/.test(e.message),
      )
      assert.equal((await h.store.actions.list(h.community.id)).length, before)
      assert.equal(await h.store.roles.getByName(h.community.id, 'Sneaky'), undefined)
    })

    it('refuses before validating, so an unprivileged proposer learns nothing about what exists', async () => {
      const guest = await h.store.members.getByUsername(h.community.id, 'guest')
      assert.ok(guest)
      await assert.rejects(h.constitution('removeRole', { roleId: 9999 }, guest.id), (e) => isAppError(e, 'forbidden'))
    })

    it('governs a member without execute through the constitution policies', async () => {
      await h.policy({ name: 'constitution waits', kind: 'constitution', blocks: { check: 'return PROPOSED' } })
      const outcome: ProposeOutcome = await h.constitution('addDocument', { name: 'Charter', text: '…' }, member.id)
      assert.equal(outcome.status, 'proposed')
      assert.equal(outcome.action.kind, 'constitution')
      assert.equal(outcome.action.executionState, 'none')
      assert.equal((await h.store.documents.list(h.community.id)).filter((d) => d.name === 'Charter').length, 0)
    })
  })
}
