import { createHmac } from 'node:crypto'
import { constantTimeEqual } from '../kit/verify-request.ts'

/**
 * The two URLs the gateway calls back, each carrying a secret PolicyKit derives from its server
 * key (the gateway signs nothing, so knowing the URL is the proof): the driver event receiver
 * (one for the gateway, its `DRIVER_EVENT_RECEIVER_URL`) and one process callback per proposal.
 */
export class CallbackUrls {
  private readonly key: Buffer
  private readonly publicUrl: string

  constructor(key: Buffer, publicUrl: string) {
    this.key = key
    this.publicUrl = publicUrl
  }

  private secret(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url')
  }

  /** The gateway's `DRIVER_EVENT_RECEIVER_URL`. */
  eventReceiver(): string {
    return `${this.publicUrl}/platforms/metagov/events/${this.secret('events')}`
  }

  isEventSecret(given: string | undefined): boolean {
    return given !== undefined && constantTimeEqual(given, this.secret('events'))
  }

  /** Where the gateway posts the process of a proposal whenever it changes. */
  processCallback(communityId: number, proposalId: number): string {
    return `${this.publicUrl}/platforms/metagov/process/${communityId}/${proposalId}/${this.secret(`process ${communityId} ${proposalId}`)}`
  }

  isProcessSecret(communityId: string | undefined, proposalId: string | undefined, given: string | undefined): boolean {
    if (given === undefined || !/^\d{1,10}$/.test(communityId ?? '') || !/^\d{1,10}$/.test(proposalId ?? '')) {
      return false
    }
    return constantTimeEqual(given, this.secret(`process ${Number(communityId)} ${Number(proposalId)}`))
  }
}
