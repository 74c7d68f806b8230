import type { SessionInfo } from '@discordjs/ws'
import { z } from 'zod'
import type { PlatformPorts } from '../../platform-ports.ts'

/** The key of the gateway's session in the listener state. */
const listener = 'gateway'

const stored = z.object({
  sessionId: z.string(),
  sequence: z.number().int(),
  shardId: z.number().int(),
  shardCount: z.number().int(),
  resumeURL: z.string(),
})

/** The session a dispatch arrived in (its events are handed over only within it). */
export interface SessionOf {
  sessionId: string
}

/**
 * The gateway session, kept for @discordjs/ws (`retrieveSessionInfo` / `updateSessionInfo`) and
 * in the database, so that the process that takes the lease over RESUMES it (Discord then replays
 * what was dispatched while no process held it) instead of identifying again. The database keeps
 * the sequence of the last event *handled*, not the last received: an event received but not
 * handled when the holder died is replayed to the next one, not lost. Within one connection,
 * @discordjs/ws resumes from what it received (those events are still being handled here).
 */
export class GatewaySession {
  private readonly ports: Pick<PlatformPorts, 'listenerState'>
  private current: SessionInfo | null = null
  private stopping = false

  constructor(ports: Pick<PlatformPorts, 'listenerState'>) {
    this.ports = ports
  }

  /** What @discordjs/ws resumes (or, null, identifies): this connection's session, else the one handed over. */
  async retrieve(): Promise<SessionInfo | null> {
    if (this.current === null) {
      const raw = await this.ports.listenerState.get(listener)
      const parsed = raw === null ? null : stored.safeParse(JSON.parse(raw))
      this.current = parsed?.success === true ? parsed.data : null
    }
    return this.current
  }

  /**
   * A new session (READY) or sequence, or none (Discord invalidated it): forgotten in the
   * database too. Except when this process is stopping: then the session is kept, for the next
   * holder to resume and for the events still being handled here to be recorded as handled.
   */
  async update(info: SessionInfo | null): Promise<void> {
    if (info === null && this.stopping) {
      return
    }
    this.current = info
    if (info === null) {
      await this.ports.listenerState.set(listener, null)
    }
  }

  /** The session of the dispatch just received. */
  of(): SessionOf | null {
    return this.current === null ? null : { sessionId: this.current.sessionId }
  }

  /** Dispatch `sequence` of `session` is handled: the next holder resumes after it. */
  async handled(session: SessionOf | null, sequence: number): Promise<void> {
    const current = this.current
    if (session === null || current === null || current.sessionId !== session.sessionId) {
      return
    }
    const { sessionId, shardId, shardCount, resumeURL } = current
    await this.ports.listenerState.set(
      listener,
      JSON.stringify({ sessionId, sequence, shardId, shardCount, resumeURL }),
    )
  }

  /** The connection is being closed to hand it over (or to stop): the session stays resumable. */
  stop(): void {
    this.stopping = true
  }
}
