import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { noteRateHeaders, rateBudget, waitForBudget } from '../../../src/platforms/reddit/rate-budget.ts'
import { voteFromReply } from '../../../src/platforms/reddit/voting/vote-replies.ts'

describe('Reddit votes by reply', () => {
  it('reads +1 / -1, yes / no and Reddit’s markdown escapes by the first word', () => {
    const yes = { kind: 'boolean', value: true }
    const no = { kind: 'boolean', value: false }
    assert.deepEqual(voteFromReply('+1', null), yes)
    assert.deepEqual(voteFromReply('\\+1 great idea', null), yes)
    assert.deepEqual(voteFromReply('Yes, keep it', null), yes)
    assert.deepEqual(voteFromReply('  -1', null), no)
    assert.deepEqual(voteFromReply('\\-1', null), no)
    assert.deepEqual(voteFromReply('NO.', null), no)
    assert.equal(voteFromReply('I think +1', null), null)
    assert.equal(voteFromReply('maybe', null), null)
  })

  it('reads an option by its number, and nothing else, when the vote has options', () => {
    const options = ['Tomatoes', 'Beans', 'Kale']
    assert.deepEqual(voteFromReply('2', options), { kind: 'choice', value: 'Beans' })
    assert.deepEqual(voteFromReply('#3 for sure', options), { kind: 'choice', value: 'Kale' })
    assert.equal(voteFromReply('4', options), null)
    assert.equal(voteFromReply('0', options), null)
    assert.equal(voteFromReply('+1', options), null)
  })
})

describe('Reddit’s rate budget', () => {
  it('spreads what is left over the window and waits for the reset when it is spent', () => {
    const budget = rateBudget()
    assert.equal(waitForBudget(budget, 4, 0), 0, 'nothing known: no wait')
    noteRateHeaders(
      budget,
      new Headers({ 'x-ratelimit-remaining': '96.0', 'x-ratelimit-used': '4', 'x-ratelimit-reset': '60' }),
      0,
    )
    assert.deepEqual(budget, { remaining: 96, used: 4, resetAt: 60_000 })
    assert.equal(waitForBudget(budget, 4, 0), 2500, '24 polls of 4 requests left in 60 s')
    noteRateHeaders(budget, new Headers({ 'x-ratelimit-remaining': '2.0', 'x-ratelimit-reset': '30' }), 10_000)
    assert.equal(waitForBudget(budget, 4, 10_000), 30_000, 'spent: until the reset')
    noteRateHeaders(budget, new Headers({ 'x-ratelimit-remaining': 'lots' }), 10_000)
    assert.equal(budget.remaining, 2, 'a malformed header changes nothing')
  })
})
