import type { Integration } from '../../domain/community.ts'
import type { Member } from '../../domain/member.ts'
import { AppError, isAppError, toError } from '../../errors.ts'
import type { JsonObject } from '../../domain/json.ts'
import type { PlatformPorts, ProposeResult } from '../platform-ports.ts'

/**
 * Why switching the integration on was refused, as a code: the settings page shows its own text
 * for each (never text taken from its URL).
 */
export type RefusalCode = 'forbidden' | 'invalid' | 'ungoverned' | 'not_carried_out' | 'already_proposed'

/** How the integration's activation went: the governed `constitution.addIntegration`. */
export type Activation =
  | { status: 'active' }
  | { status: 'proposed' | 'failed' | 'errored'; proposalId: number }
  /** `reason` is for the log; `code` is what the dashboard is told. */
  | { status: 'refused'; code: RefusalCode; reason: string }

/**
 * Where an install into `communityId` goes: the community's integration for `externalId` (a
 * reinstall), or undefined for a new one. Refused when that workspace or server (`what`, as
 * people call it: 'Slack workspace') is connected to another community, or the community to
 * another one; `beforeRefusing` runs first (to give back what the platform granted).
 */
export async function installTarget(
  ports: PlatformPorts,
  communityId: number,
  target: { externalId: string; name: string; what: string },
  beforeRefusing: () => Promise<void> = async () => undefined,
): Promise<Integration | undefined> {
  const existing = await ports.integrations.findByExternalId(target.externalId)
  if (existing && existing.communityId !== communityId) {
    await beforeRefusing()
    throw new AppError(
      'conflict',
      `The ${target.what} ${target.name} is already connected to another PolicyKit community.`,
    )
  }
  const otherActive = (await ports.integrations.list(communityId, { activeOnly: true })).find(
    (i) => i.externalId !== target.externalId,
  )
  if (otherActive) {
    await beforeRefusing()
    throw new AppError(
      'conflict',
      `This community is connected to another ${target.what} (${otherActive.externalId}); disconnect it first.`,
    )
  }
  return existing
}

/** A reinstall refreshes the tokens; a first install stores the integration switched off. */
export async function saveIntegration(
  ports: PlatformPorts,
  communityId: number,
  existing: Integration | undefined,
  input: { externalId: string; config: Integration['config']; credentials: JsonObject },
): Promise<Integration> {
  if (existing) {
    await ports.integrations.setCredentials(existing, input.credentials)
    return existing
  }
  // Switching it on is a constitution action, governed like any other.
  return ports.integrations.createInactive(communityId, input)
}

/** The installer's platform account goes to the member who installed, unless either is linked already. */
export async function linkInstaller(
  ports: PlatformPorts,
  communityId: number,
  member: Member,
  platformUser: { id: string; name: string },
): Promise<void> {
  const { members } = ports
  const [linked, accounts] = await Promise.all([
    members.findByAccount(communityId, platformUser.id),
    members.accounts(communityId, member.id),
  ])
  if (linked || accounts.some((a) => a.platform === ports.platform)) {
    return
  }
  try {
    await members.linkAccount(communityId, member.id, {
      platform: ports.platform,
      externalId: platformUser.id,
      username: platformUser.name,
    })
  } catch (e) {
    // Linked meanwhile by an event for this user: that member keeps the account.
    if (!isAppError(e, 'conflict')) {
      throw e
    }
  }
}

/**
 * Switches the integration on unless it is (a reinstall): proposes `constitution.addIntegration`
 * as the installer, governed like any constitution action, and says where that left the
 * integration (read back: an action the engine executed, or a proposal that passed at once, has
 * switched it on).
 */
export async function activate(
  ports: PlatformPorts,
  communityId: number,
  memberId: number,
  integration: Pick<Integration, 'id' | 'active'>,
): Promise<Activation> {
  if (integration.active) {
    return { status: 'active' }
  }
  const integrationId = integration.id
  let outcome: ProposeResult
  try {
    outcome = await ports.propose({
      communityId,
      type: 'constitution.addIntegration',
      params: { integrationId },
      initiatorId: memberId,
      origin: 'policykit',
    })
  } catch (e) {
    if (isAppError(e)) {
      return { status: 'refused', code: e.code === 'forbidden' ? 'forbidden' : 'invalid', reason: e.message }
    }
    throw toError(e)
  }
  if ((await ports.integrations.get(communityId, integrationId))?.active) {
    return { status: 'active' }
  }
  switch (outcome.status) {
    case 'forbidden':
      return { status: 'refused', code: 'forbidden', reason: outcome.reason }
    case 'ungoverned':
      return {
        status: 'refused',
        code: 'ungoverned',
        reason: 'no policy of the community governs constitution.addIntegration',
      }
    case 'executed':
      return {
        status: 'refused',
        code: 'not_carried_out',
        reason: 'constitution.addIntegration could not be carried out (see its log)',
      }
    case 'duplicate':
      return outcome.proposal
        ? {
            status: outcome.proposal.status === 'passed' ? 'proposed' : outcome.proposal.status,
            proposalId: outcome.proposal.id,
          }
        : { status: 'refused', code: 'already_proposed', reason: 'constitution.addIntegration was already proposed' }
    case 'passed':
      // Passed, but switching it on is waiting for a retry.
      return { status: 'proposed', proposalId: outcome.proposal.id }
    case 'proposed':
    case 'failed':
    case 'errored':
      return { status: outcome.status, proposalId: outcome.proposal.id }
  }
}
