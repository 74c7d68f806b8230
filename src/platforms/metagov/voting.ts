import type { Proposal } from '../../domain/proposal.ts'
import type { PlatformContext } from '../platform.ts'
import type { GatewayClient } from './client.ts'
import { metagovPlatformName } from './context.ts'

/** A decided proposal's process is closed on the gateway (unless it completed by itself). */
export async function closeProcessVote(
  client: GatewayClient,
  _ctx: PlatformContext,
  proposal: Proposal,
): Promise<void> {
  if (proposal.votePlatform !== metagovPlatformName || proposal.votePostId === null) {
    return
  }
  const record = await client.process(proposal.votePostId)
  if (record.status !== 'completed') {
    await client.closeProcess(proposal.votePostId)
  }
}
