import type { ListenerDef, PlatformDef } from '../platforms/platform.ts'
import type { HostLogger } from '../platforms/platform-ports.ts'
import type { ListenerLeaseRepo } from '../store/store.ts'
import { toError } from '../errors.ts'

export interface ListenerHost {
  /** Stops every listener (aborting their signals and waiting for them) and gives up the leases held. */
  stop(): Promise<void>
}

export interface ListenerHostDeps {
  platforms: readonly PlatformDef[]
  leases: ListenerLeaseRepo
  /** This process, as lease holders are named (the engine's owner id). */
  holder: string
  /** How long a lease lasts unless renewed; it is renewed every third of it. */
  leaseMs: number
  now: () => number
  logger: HostLogger
  /** Restart delays after a listener fails: `firstMs` doubling up to `maxMs`. */
  backoff?: { firstMs: number; maxMs: number }
}

const defaultBackoff = { firstMs: 1_000, maxMs: 30_000 }

/**
 * Runs every platform's listeners: each `each` listener in this process, each `once` listener
 * only while this process holds its lease. A lease is renewed every third of its length; when a
 * renewal finds another holder, or renewals fail (the database is out of reach) until the lease
 * would run out before the next try, the listener is aborted: before another process can take
 * the lease over, so two never run at once (clocks agreeing).
 */
export function startListeners(deps: ListenerHostDeps): ListenerHost {
  const backoff = deps.backoff ?? defaultBackoff
  const stopping = new AbortController()
  const tasks: Promise<void>[] = []
  const held = new Set<string>()

  for (const platform of deps.platforms) {
    for (const listener of platform.listeners ?? []) {
      const name = `${platform.name}:${listener.name}`
      tasks.push(listener.scope === 'each' ? supervise(name, listener, stopping.signal) : underLease(name, listener))
    }
  }

  /** Runs `listener` until `signal` aborts, starting it again after a backoff when it fails. */
  async function supervise(name: string, listener: ListenerDef, signal: AbortSignal): Promise<void> {
    let delay = backoff.firstMs
    while (!signal.aborted) {
      const started = deps.now()
      try {
        await listener.run(signal)
        if (signal.aborted) {
          return
        }
        deps.logger.warn({ listener: name }, `listener ${name} stopped by itself: starting it again`)
      } catch (e) {
        if (signal.aborted) {
          return
        }
        deps.logger.error({ listener: name, err: toError(e) }, `listener ${name} failed: starting it again`)
      }
      if (deps.now() - started > backoff.maxMs) {
        delay = backoff.firstMs
      }
      await pause(delay, signal)
      delay = Math.min(delay * 2, backoff.maxMs)
    }
  }

  async function underLease(name: string, listener: ListenerDef): Promise<void> {
    let running: { controller: AbortController; done: Promise<void> } | null = null
    let renewedAt = -Infinity
    const halt = async () => {
      if (running !== null) {
        running.controller.abort()
        await running.done
        running = null
      }
    }
    const every = deps.leaseMs / 3
    while (!stopping.signal.aborted) {
      let holds = false
      const now = deps.now()
      try {
        holds = await deps.leases.hold(name, deps.holder, now, deps.leaseMs)
        if (holds) {
          renewedAt = now
        }
      } catch (e) {
        deps.logger.error({ listener: name, err: toError(e) }, `could not renew the lease of listener ${name}`)
        // Unsure: keep running only if the last renewal still covers us until the next try, so
        // that this process has stopped before another can take the lease over.
        holds = running !== null && deps.now() + every < renewedAt + deps.leaseMs
      }
      if (holds && running === null && !stopping.signal.aborted) {
        held.add(name)
        deps.logger.info({ listener: name, holder: deps.holder }, `listener ${name} runs in this process`)
        const controller = new AbortController()
        running = { controller, done: supervise(name, listener, controller.signal) }
      } else if (!holds && running !== null) {
        deps.logger.warn({ listener: name }, `listener ${name} lost its lease: stopping it here`)
        held.delete(name)
        await halt()
      }
      await pause(every, stopping.signal)
    }
    await halt()
  }

  return {
    async stop() {
      stopping.abort()
      await Promise.all(tasks)
      await Promise.all(
        [...held].map((name) =>
          deps.leases.release(name, deps.holder).catch((e: unknown) => {
            deps.logger.warn({ listener: name, err: toError(e) }, `could not release the lease of listener ${name}`)
          }),
        ),
      )
      held.clear()
    },
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
