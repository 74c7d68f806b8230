import type { ProposeResultJson } from '../../src/server/presenters.ts'
import { navigate } from './router.ts'

/**
 * After proposing: to the proposal's page when there is one, else a sentence saying what
 * happened (returned for the page to show).
 */
export function followResult(base: string, result: ProposeResultJson): string | null {
  if (result.proposalId !== null && result.status !== 'duplicate') {
    navigate(`${base}/proposals/${result.proposalId}`)
    return null
  }
  switch (result.status) {
    case 'executed':
      return 'Executed at once: you may carry out this action without a vote.'
    case 'ungoverned':
      return 'Executed at once: no policy governs this action type.'
    case 'duplicate':
      return 'This was proposed already.'
    case 'proposed':
    case 'passed':
    case 'failed':
    case 'errored':
      return `The proposal is ${result.status}.`
  }
}
