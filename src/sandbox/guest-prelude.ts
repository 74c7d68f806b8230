/** Filename of the prelude in guest stack traces; never a block name. */
export const preludeFilename = '<policykit-prelude>'

/** Name of the one-shot global the per-run wrapper calls (it deletes itself). */
export const runEntry = '__policykitRun'

/** Name under which the host bridge is handed to the prelude (removed at once). */
export const bridgeName = '__policykitHost'

/**
 * Kept small on purpose: every fresh context compiles it, at roughly 20 µs per function.
 *
 * Guest code evaluated once in each fresh context, before any policy code. It keeps private
 * copies of the builtins it needs (policy code may replace the public ones, but only in its own
 * context), takes the host bridge (`call`, `now`, `random`) into its closure, makes `Date` and
 * `Math.random` come from the host, and defines `__policykitRun(data, paths, now, body)`, which:
 * - puts the JSON globals and the host-function stubs in scope;
 * - runs `body` (the block as an async function) and encodes its outcome, inside the guest and
 *   while host calls can still suspend, as one string the host only has to read:
 *   `u` (undefined), `v<json>` (a value) or `e<json>` ({ name, message, stack } of an error).
 * Host functions cross as JSON text: the host never touches a guest object, so getters, proxies
 * or cycles in what the guest passes or returns run (and fail) inside the guest.
 */
const preludeText = `(function (g) {
  'use strict'
  const host = g.${bridgeName}
  delete g.${bridgeName}
  const { defineProperty, keys } = Object
  const { apply, construct } = Reflect
  const { parse, stringify } = JSON
  const imul = Math.imul
  const then = Promise.prototype.then
  const slice = String.prototype.slice
  const RealDate = Date
  const RealError = Error
  const RealString = String
  const hidden = { value: undefined, writable: true, configurable: true, enumerable: false }
  let now = 0

  function define(target, key, value) {
    hidden.value = value
    defineProperty(target, key, hidden)
  }

  const FixedDate = function Date(...args) {
    if (new.target === undefined) return apply(RealDate.prototype.toString, new RealDate(now), [])
    return construct(RealDate, args.length === 0 ? [now] : args, new.target)
  }
  FixedDate.prototype = RealDate.prototype
  define(RealDate.prototype, 'constructor', FixedDate)
  define(FixedDate, 'now', host.now)
  define(FixedDate, 'parse', RealDate.parse)
  define(FixedDate, 'UTC', RealDate.UTC)
  define(g, 'Date', FixedDate)
  define(Math, 'random', host.random)

  function stub(id) {
    return function () {
      const args = []
      for (let i = 0; i < arguments.length; i++) args.push(arguments[i])
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
      const out = host.call(id, stringify(args))
      if (out === 'u') return undefined
      if (out[0] === 'v') return parse(apply(slice, out, [1]))
      throw new RealError(apply(slice, out, [1]))
    }
  }

  function encode(value, failed) {
    if (!failed) {
      try {
        if (value === undefined) return 'u'
        const type = typeof value
        if (type === 'function' || type === 'symbol' || type === 'bigint') {
          throw new TypeError('the block returned a ' + type + ', which is not plain data')
        }
        return 'v' + stringify(value)
      } catch (e) {
        value = e
      }
    }
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      let thrown = 'null'
      try { if (value !== null) thrown = RealString(value) } catch (e) {}
      return 'e' + stringify({ thrown })
    }
    const error = { name: '', message: '', stack: '' }
    for (const key of keys(error)) {
      try { error[key] = RealString(value[key] ?? '') } catch (e) {}
    }
    return 'e' + stringify(error)
  }

  define(g, '${runEntry}', function (data, paths, fixedNow, body) {
    delete g.${runEntry}
    now = fixedNow
    const globals = parse(data)
    for (const key of keys(globals)) define(g, key, globals[key])
    for (let id = 0; id < paths.length; id++) {
      const parts = paths[id]
      let target = g
      for (let i = 0; i < parts.length - 1 && target !== undefined; i++) {
        let next = target[parts[i]]
        if (next === undefined) define(target, parts[i], (next = {}))
        target = next !== null && typeof next === 'object' ? next : undefined
      }
      if (target !== undefined) define(target, parts[parts.length - 1], stub(id))
    }
    let done
    try {
      done = body()
    } catch (e) {
      return encode(e, true)
    }
    return apply(then, done, [(v) => encode(v, false), (e) => encode(e, true)])
  })
})(globalThis)
`

/** Parsing costs per character too, so indentation is dropped (no string in it spans lines). */
export const preludeSource = preludeText.replace(/\n\s*/g, '\n')
