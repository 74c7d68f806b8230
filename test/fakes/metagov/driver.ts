import type { FakeGateway, GatewayProcess } from './fake-gateway.ts'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * Simulated people acting on the tools behind the gateway: an Open Collective member files an
 * expense, Loomio members vote and the poll closes, a GitHub user opens an issue or reacts to a
 * vote issue, SourceCred scores people. Each reaches the gateway as the tool's webhook would, and
 * the gateway tells the driver (PolicyKit) as it does: an event, or a process callback.
 * Methods resolve once the gateway's post to PolicyKit was answered.
 */
export class MetagovDriver {
  private readonly gateway: FakeGateway

  constructor(gateway: FakeGateway) {
    this.gateway = gateway
  }

  private process(id: number, name: string): GatewayProcess {
    const process = this.gateway.processes.get(id)
    if (!process || process.name !== name) {
      throw new Error(`no ${name} process ${id}`)
    }
    return process
  }

  /** The only process of `name` (the one a policy started). */
  only(name: string): GatewayProcess {
    const found = [...this.gateway.processes.values()].filter((p) => p.name === name)
    if (found.length !== 1) {
      throw new Error(`expected one ${name} process, found ${found.length}`)
    }
    return found[0] as GatewayProcess
  }

  /** `by` files an expense on the collective: the gateway sends `expense_created`. */
  async createExpense(
    community: string,
    input: { by: string; description: string; amount: number; collective?: string },
  ): Promise<{ id: number; status: number }> {
    const id = 100 + this.gateway.expenses.size
    const collective = input.collective ?? 'gardeners'
    const expense = {
      id,
      description: input.description,
      amount: input.amount,
      status: 'PENDING',
      by: input.by,
      collective,
    }
    this.gateway.expenses.set(id, expense)
    const status = await this.gateway.sendEvent(
      community,
      'opencollective',
      'expense_created',
      {
        id,
        legacyId: id,
        description: input.description,
        amount: input.amount,
        currency: 'USD',
        status: 'PENDING',
        url: `https://opencollective.com/${collective}/expenses/${id}`,
      },
      { user_id: input.by, user_name: input.by, provider: 'opencollective' },
    )
    return { id, status }
  }

  /** A GitHub user opens an issue: the gateway sends `opened issues` with the whole delivery. */
  async openIssue(community: string, input: { sender: string; repo: string; title: string }): Promise<number> {
    const data: Json = {
      action: 'opened',
      issue: { number: 7, title: input.title, user: { login: input.sender } },
      repository: { full_name: input.repo },
      sender: { login: input.sender, id: 583231 },
    }
    return this.gateway.sendEvent(community, 'github', 'opened issues', data, {
      user_id: 583231,
      user_name: input.sender,
      provider: 'github',
    })
  }

  /** A Loomio member votes in a poll (moving their vote if they had one): its outcome changes. */
  async loomioVote(processId: number, user: string, option: string): Promise<void> {
    const process = this.process(processId, 'loomio.poll')
    const stances = { ...(process.state['stances'] as Record<string, string>), [user]: option }
    process.state = { stances }
    const options = (process.params['options'] as string[] | undefined) ?? []
    const votes: Record<string, { count: number; users: string[] }> = {}
    for (const o of options) {
      votes[o] = { count: 0, users: [] }
    }
    for (const [who, chose] of Object.entries(stances)) {
      const entry = (votes[chose] ??= { count: 0, users: [] })
      entry.count += 1
      entry.users.push(who)
    }
    const voters = Object.keys(stances).length
    await this.gateway.updateProcess(process, {
      outcome: { votes, voters_count: voters, undecided_voters_count: 0, cast_stances_pct: 100 },
    })
  }

  /** The poll closes (its closing date, or a Loomio admin): the process completes. */
  async closeLoomioPoll(processId: number): Promise<void> {
    const process = this.process(processId, 'loomio.poll')
    await this.gateway.updateProcess(process, { status: 'completed' })
  }

  /** A GitHub user reacts 👍 (`+1`) or 👎 (`-1`) to a vote issue. */
  async react(processId: number, user: string, content: '+1' | '-1'): Promise<void> {
    const process = this.process(processId, 'github.issue-react-vote')
    const reactions = { ...(process.state['reactions'] as Record<string, string>), [user]: content }
    process.state = { reactions }
    const yes = Object.values(reactions).filter((r) => r === '+1').length
    const no = Object.values(reactions).filter((r) => r === '-1').length
    await this.gateway.updateProcess(process, { outcome: { ...process.outcome, votes: { yes, no } } })
  }

  /** SourceCred's analysis gives `username` this cred on the instance at `serverUrl`. */
  setCred(serverUrl: string, username: string, value: number): void {
    const accounts = this.gateway.cred.get(serverUrl) ?? new Map<string, number>()
    accounts.set(username, value)
    this.gateway.cred.set(serverUrl, accounts)
  }
}
