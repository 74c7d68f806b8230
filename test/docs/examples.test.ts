import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { z } from 'zod'
import { emptyBlocks, variableTypes, type PolicyBlocks } from '../../src/domain/policy.ts'
import { blockNames } from '../../src/domain/policy.ts'
import { docsDir } from '../../bin/generate-docs.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { ensureSlackMember } from '../support/slack-records.ts'
import { startRig, type Rig } from '../platforms/slack/events-rig.ts'
import { policyInput } from '../store/seed.ts'
import type { PolicyInput } from '../../src/store/store.ts'
import type { ProposeOutcome } from '../../src/engine/engine.ts'
import type { Proposal } from '../../src/domain/proposal.ts'

/** One example of docs/examples.md: its settings (the `json policy` block) and its `js <block>` blocks. */
interface Example {
  kind: PolicyInput['kind']
  actionTypes: string[]
  variables: PolicyInput['variables']
  blocks: PolicyBlocks
}

const settings = z.strictObject({
  kind: z.enum(['platform', 'constitution', 'trigger']),
  actionTypes: z.array(z.string()),
  variables: z.array(
    z.strictObject({ name: z.string(), label: z.string(), type: z.enum(variableTypes), default: z.json() }),
  ),
})

/** The examples of docs/examples.md by their heading, read as a reader would copy them. */
function readExamples(): Map<string, Example> {
  const text = readFileSync(path.join(docsDir, 'examples.md'), 'utf8')
  const examples = new Map<string, Example>()
  for (const section of text.split(/^## /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).trim()
    const blocks = emptyBlocks()
    let found: z.infer<typeof settings> | undefined
    for (const [, info = '', body = ''] of section.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)) {
      const [lang, name] = info.trim().split(/\s+/)
      if (lang === 'json' && name === 'policy') {
        found = settings.parse(JSON.parse(body))
      } else if (lang === 'js') {
        const block = z.enum(blockNames).parse(name)
        blocks[block] = body.trimEnd()
      }
    }
    assert.ok(found, `${title}: no json policy block`)
    examples.set(title, {
      ...found,
      variables: found.variables.map((v) => ({ ...v, isList: false, value: null })),
      blocks,
    })
  }
  return examples
}

const examples = readExamples()

/** The proposal an outcome made (a test step that expects one). */
function proposalOf(outcome: ProposeOutcome): Proposal {
  assert.ok('proposal' in outcome && outcome.proposal, `no proposal: ${outcome.status}`)
  return outcome.proposal
}

function example(title: string): Example {
  const found = examples.get(title)
  assert.ok(found, `docs/examples.md has no section '## ${title}'`)
  return found
}

describe('docs/examples.md, run through the engine', () => {
  it('has the five examples, each with its settings and blocks', () => {
    assert.deepEqual(
      [...examples.keys()],
      ['Majority vote', 'Jury', 'Moderator approval', 'Slow mode', 'Welcome message'],
    )
  })

  describe('in PolicyKit', () => {
    let h: EngineHarness
    before(async () => {
      h = await engineHarness('sqlite')
    })
    after(async () => {
      await h.close()
    })

    async function voters(names: string[]) {
      const role =
        (await h.store.roles.getByName(h.community.id, 'Voter')) ?? (await h.role('Voter', ['vote', 'propose:*']))
      return Promise.all(names.map((name) => h.member(name, [role.name])))
    }

    it('Majority vote: a majority of the electorate passes it, half saying no fails it, time runs out', async () => {
      const policy = await h.policy({ name: 'Majority vote', ...example('Majority vote') })
      const [ada, bob, carol] = await voters(['ada', 'bob', 'carol'])
      assert.ok(ada && bob && carol)
      const dan = await h.member('dan')

      const first = proposalOf(await h.constitution('addDocument', { name: 'Charter', text: 'We garden.' }, dan.id))
      assert.equal(first.policyId, policy.id)
      const pending = await h.store.proposals.get(h.community.id, first.id)
      assert.deepEqual(pending?.eligibleVoters, [ada.id, bob.id, carol.id], 'the electorate votes')
      assert.equal(pending?.voteText, 'dan proposes constitution.addDocument. Accept it?')
      await h.engine.castVote(h.community.id, first.id, ada.id, { kind: 'boolean', value: true })
      assert.equal((await h.store.proposals.get(h.community.id, first.id))?.status, 'proposed')
      await h.engine.castVote(h.community.id, first.id, bob.id, { kind: 'boolean', value: true })
      assert.equal((await h.store.proposals.get(h.community.id, first.id))?.status, 'passed')
      assert.equal((await h.store.documents.list(h.community.id)).length, 1, 'the document was added')

      const second = proposalOf(await h.constitution('addDocument', { name: 'Rules', text: '…' }, dan.id))
      await h.engine.castVote(h.community.id, second.id, ada.id, { kind: 'boolean', value: false })
      await h.engine.castVote(h.community.id, second.id, carol.id, { kind: 'boolean', value: false })
      assert.equal((await h.store.proposals.get(h.community.id, second.id))?.status, 'failed')

      const third = proposalOf(await h.constitution('addDocument', { name: 'Later', text: '…' }, dan.id))
      await h.clock.advance(23 * 3600_000)
      await h.engine.recheck(h.community.id, third.id)
      assert.equal((await h.store.proposals.get(h.community.id, third.id))?.status, 'proposed')
      await h.clock.advance(2 * 3600_000)
      await h.engine.recheck(h.community.id, third.id)
      assert.equal((await h.store.proposals.get(h.community.id, third.id))?.status, 'failed')
      await h.store.policies.setActive(h.community.id, policy.id, false, h.clock.now())
    })

    it('Jury: three jurors drawn once, never the proposer, and two of them decide', async () => {
      await h.policy({ name: 'Jury', ...example('Jury') })
      const electorate = await voters(['erin', 'fay', 'gus', 'hal', 'ivy'])
      const proposer = electorate[0]
      assert.ok(proposer)
      const outcome = proposalOf(await h.constitution('addDocument', { name: 'Jury duty', text: '…' }, proposer.id))
      const proposal = await h.store.proposals.get(h.community.id, outcome.id)
      const jury = z.array(z.number()).parse(proposal?.data['jury'])
      assert.equal(jury.length, 3)
      assert.ok(!jury.includes(proposer.id), 'the proposer is not on the jury')
      assert.deepEqual(
        proposal?.eligibleVoters,
        [...jury].sort((a, b) => a - b),
        'only the jury may vote',
      )
      await h.engine.recheck(h.community.id, outcome.id)
      const again = await h.store.proposals.get(h.community.id, outcome.id)
      assert.deepEqual(again?.data['jury'], jury, 'drawn once')
      for (const juror of jury.slice(0, 2)) {
        await h.engine.castVote(h.community.id, outcome.id, juror, { kind: 'boolean', value: true })
      }
      assert.equal((await h.store.proposals.get(h.community.id, outcome.id))?.status, 'passed')
    })
  })

  describe('in Slack', () => {
    let rig: Rig
    before(async () => {
      rig = await startRig('sqlite')
    })
    after(async () => {
      await rig.close()
    })

    async function policy(title: string, values: Record<string, string | number>) {
      const { kind, actionTypes, variables, blocks } = example(title)
      const input = policyInput({
        name: title,
        kind,
        actionTypes,
        variables: variables.map((v) => ({ ...v, value: values[v.name] ?? v.default })),
        blocks,
      })
      return rig.store.policies.create(rig.communityId, input, rig.clock.now())
    }

    /** The channel's messages with exactly this text, as members see it now. */
    const visible = (text: string) =>
      rig.channel.messages.filter((m) => !m.deleted && m.text === text).map((m) => m.text)

    it('Moderator approval: a held message comes back on a moderator’s yes, and a no tells its author', async () => {
      const mods = await rig.store.roles.create(rig.communityId, {
        name: 'Moderator',
        permissions: ['propose:*', 'vote'],
      })
      const ada = await ensureSlackMember(rig.store, rig.communityId, { id: rig.ada.id, name: 'ada' }, rig.clock.now())
      await rig.store.roles.assign(rig.communityId, ada.id, mods.id)
      const moderation = await policy('Moderator approval', { channel: rig.channel.id })

      await rig.fake.as(rig.bob).postMessage(rig.channel, 'buy my seeds')
      await rig.fake.idle()
      assert.deepEqual(visible('buy my seeds'), [], 'held')
      assert.equal(visible('A message by bob waits for a moderator: "buy my seeds"').length, 1, 'the vote')
      const [held] = await rig.store.proposals.list(rig.communityId, { status: 'proposed' })
      assert.ok(held)
      await rig.engine.castVote(rig.communityId, held.id, ada.id, { kind: 'boolean', value: true })
      await rig.fake.idle()
      assert.deepEqual(visible('buy my seeds'), ['buy my seeds'], 'posted again')

      await rig.fake.as(rig.bob).postMessage(rig.channel, 'spam again')
      await rig.fake.idle()
      const [refused] = await rig.store.proposals.list(rig.communityId, { status: 'proposed' })
      assert.ok(refused)
      await rig.engine.castVote(rig.communityId, refused.id, ada.id, { kind: 'boolean', value: false })
      await rig.fake.idle()
      assert.deepEqual(
        visible('spam again').filter((t) => t === 'spam again'),
        [],
      )
      const told = rig.fake.workspace.ephemerals.filter((e) => e.user === rig.bob.id).map((e) => e.text)
      assert.ok(told.includes('A moderator did not approve your message.'), JSON.stringify(told))

      await rig.fake.as(rig.ada).postMessage(rig.channel, 'moderators speak freely')
      await rig.fake.idle()
      assert.deepEqual(visible('moderators speak freely'), ['moderators speak freely'])
      await rig.store.policies.setActive(rig.communityId, moderation.id, false, rig.clock.now())
    })

    it('Slow mode: a message waits its minutes, its author is told, then it appears', async () => {
      await policy('Slow mode', { channel: rig.channel.id, minutes: 5 })
      await rig.fake.as(rig.bob).postMessage(rig.channel, 'slowly now')
      await rig.fake.idle()
      assert.deepEqual(visible('slowly now'), [])
      const told = rig.fake.workspace.ephemerals.filter((e) => e.user === rig.bob.id).map((e) => e.text)
      assert.ok(told.includes('Slow mode: your message will appear in 5 minutes.'), JSON.stringify(told))
      const [waiting] = await rig.store.proposals.list(rig.communityId, { status: 'proposed' })
      assert.ok(waiting)
      await rig.clock.advance(4 * 60_000)
      await rig.engine.recheck(rig.communityId, waiting.id)
      assert.deepEqual(visible('slowly now'), [])
      await rig.clock.advance(60_000)
      await rig.engine.recheck(rig.communityId, waiting.id)
      await rig.fake.idle()
      assert.deepEqual(visible('slowly now'), ['slowly now'])
    })

    it('Welcome message: whoever joins the channel is greeted there', async () => {
      await policy('Welcome message', { text: 'Seeds are in the shed.' })
      const carol = rig.fake.addUser({ name: 'carol', realName: 'Carol Ames' })
      await rig.fake.as(carol).joinChannel(rig.channel)
      await rig.fake.idle()
      assert.deepEqual(visible('Hi Carol Ames! Seeds are in the shed.'), ['Hi Carol Ames! Seeds are in the shed.'])
    })
  })
})
