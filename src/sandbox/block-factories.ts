import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core'
import { breakoutProbe, factorySource } from './guest-prelude.ts'
import { engineError, failure, type RunState } from './run-outcome.ts'
import type { SandboxError, SandboxResult } from './sandbox.ts'

/** Compiled blocks kept per context; the oldest is dropped past this. */
const cacheSize = 256

/** A factory to call, or why there is none (`clean`: the context may serve the next run). */
export type FactoryLookup = { handle: QuickJSHandle } | { result: SandboxResult; clean: boolean }

/**
 * The blocks compiled in one pooled context, by block name, parameter names and code: each is
 * compiled once into a factory whose parameters are the run's names and which returns the block
 * as an async function, so a warm run only calls it. A block that closes its function body early
 * (to declare something at the top level, where it would outlive the run) is refused before
 * anything of it runs; the factory's own source text is checked too.
 */
export class BlockFactories {
  private readonly cache = new Map<string, QuickJSHandle>()
  private readonly context: QuickJSContext
  /** The prelude's copy of `Function.prototype.toString`. */
  private readonly sourceOf: QuickJSHandle

  constructor(context: QuickJSContext, sourceOf: QuickJSHandle) {
    this.context = context
    this.sourceOf = sourceOf
  }

  get(run: RunState, names: string[], code: string): FactoryLookup {
    const key = `${run.block}\u0000${names.join(',')}\u0000${code}`
    const cached = this.cache.get(key)
    if (cached !== undefined) {
      return { handle: cached }
    }
    const parseError = this.parse(run, names, code)
    if (parseError !== null) {
      return { result: { ok: false, error: parseError }, clean: true }
    }
    const { context } = this
    const { source, text } = factorySource(names, code)
    const evaluated = context.evalCode(source, run.block, { type: 'global', strict: true })
    if (evaluated.error) {
      return { result: evaluated.error.consume((error) => engineError(context, run, error, true)), clean: false }
    }
    const handle = evaluated.value
    const shown = context.callFunction(this.sourceOf, context.undefined, handle)
    const ownText = shown.error
      ? null
      : shown.value.consume((value) => (context.typeof(value) === 'string' ? context.getString(value) : null))
    shown.error?.dispose()
    if (ownText !== text) {
      handle.dispose()
      return { result: failure(run, 'syntax', 'the block closes its function body early'), clean: false }
    }
    if (this.cache.size >= cacheSize) {
      const [oldest] = this.cache.keys()
      if (oldest !== undefined) {
        this.cache.get(oldest)?.dispose()
        this.cache.delete(oldest)
      }
    }
    this.cache.set(key, handle)
    return { handle }
  }

  /** Parses a block as `get` wraps it, and in the breakout probe, running none of it. */
  parse(run: RunState, names: string[], code: string): SandboxError | null {
    const wrapped = this.syntaxError(run, factorySource(names, code).source)
    if (wrapped !== null) {
      return wrapped
    }
    const probed = this.syntaxError(run, breakoutProbe(code))
    if (probed?.kind === 'syntax') {
      return { kind: 'syntax', message: 'the block closes its function body early', block: run.block }
    }
    return probed
  }

  private syntaxError(run: RunState, source: string): SandboxError | null {
    const compiled = this.context.evalCode(source, run.block, { type: 'global', strict: true, compileOnly: true })
    if (!compiled.error) {
      compiled.value.dispose()
      return null
    }
    const result = compiled.error.consume((error) => engineError(this.context, run, error, true))
    return result.ok ? null : result.error
  }

  dispose(): void {
    for (const handle of this.cache.values()) {
      handle.dispose()
    }
    this.cache.clear()
    this.sourceOf.dispose()
  }
}
