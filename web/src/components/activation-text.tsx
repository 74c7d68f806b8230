import { useCommunity } from '../app-context.ts'
import { Link } from './link.tsx'

/**
 * Why switching a new connection on was refused, by its code (RefusalCode in
 * src/platforms/kit/install-steps.ts). Only these texts are shown: any other code gets the
 * generic one, so a crafted link cannot put words on the page.
 */
const refusalTexts: Record<string, string> = {
  forbidden: 'you may not propose constitution.addIntegration',
  invalid: 'constitution.addIntegration was refused as proposed (see the log)',
  ungoverned: 'no policy of the community governs constitution.addIntegration',
  not_carried_out: 'constitution.addIntegration could not be carried out (see its log)',
  already_proposed: 'constitution.addIntegration was already proposed',
}

function refusalText(code: string | null): string {
  return code !== null && Object.hasOwn(refusalTexts, code) ? (refusalTexts[code] ?? '') : 'switching it on was refused'
}

function ProposalLink({ proposal }: { proposal: number | null }) {
  const { base } = useCommunity()
  return proposal === null ? null : (
    <>
      {' '}
      (<Link href={`${base}/proposals/${proposal}`}>see the proposal</Link>)
    </>
  )
}

/** How switching a new connection on (the governed `constitution.addIntegration`) went, in words. */
export function ActivationText({
  activation,
  proposal,
  refusal,
}: {
  activation: string | null
  proposal: number | null
  refusal: string | null
}) {
  switch (activation) {
    case 'active':
      return <>It is active: its members were imported and its actions are governed now.</>
    case 'proposed':
      return (
        <>
          Switching it on is proposed to the community
          <ProposalLink proposal={proposal} />; its members were imported.
        </>
      )
    case 'failed':
    case 'errored':
      return (
        <>
          The proposal to switch it on {activation}
          <ProposalLink proposal={proposal} />.
        </>
      )
    case 'refused':
      return <>It stays off: {refusalText(refusal)}.</>
    case null:
    default:
      return null
  }
}
