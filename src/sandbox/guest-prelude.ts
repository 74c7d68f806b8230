/** Filename of the prelude in guest stack traces; never a block name. */
export const preludeFilename = '<policykit-prelude>'

/** Name under which the host bridge is handed to the prelude (removed before anything runs). */
export const bridgeName = '__policykitHost'

/**
 * Guest code evaluated once per pooled context (DESIGN §4 "Pooled, hardened contexts"), before
 * any policy code. Its completion value holds the two functions the host keeps; nothing of it
 * is left on `globalThis`. It:
 * - keeps private copies of the builtins it needs and takes the host bridge (`call`) into its
 *   closure;
 * - makes `Date` give the run's fixed time and `Math.random` a seeded mulberry32 sequence, both
 *   reset by every run;
 * - removes `WeakRef` and `FinalizationRegistry` (a finalizer would run during a later run);
 * - turns the properties people assign on their own objects (`e.name = …`, `o.toString = …`)
 *   into accessors that define an own property, so that freezing their prototypes does not
 *   break plain code (the "override mistake");
 * - freezes every object reachable from `globalThis` and from the hidden intrinsics (the
 *   AsyncFunction, generator, async generator and iterator prototypes, ThrowTypeError), then
 *   `globalThis` itself, so that nothing a run writes is seen by the next.
 *
 * The host keeps `sourceOf` (the original `Function.prototype.toString`) and the entry
 * `run(factory, names, data, paths, now, seed, answers)`, which puts the run's JSON data and the
 * host function stubs in scope as the factory's parameters (a stub answers the calls whose
 * outcome the host gave beforehand in `answers`, by the arguments' JSON text, itself), runs the block (the async function the
 * factory returns) and encodes its outcome, inside the guest, as one string the host only reads:
 * `u` (undefined), `v<json>` (a value) or `e<json>` ({ name, message, stack } of an error).
 * Host functions cross as JSON text: the host never touches a guest object, so getters, proxies
 * or cycles in what the guest passes or returns run (and fail) inside the guest.
 *
 * The stubs are made once per set of `paths` and shared by every run with that set, frozen with
 * the objects that hold them: a namespace made for the run (`logger`, `slack`) has them as its
 * prototype, and a data object that has functions (`proposal`) gets them as its own properties,
 * all in one `Object.defineProperties` (as its prototype instead, the server's peak memory in a
 * sweep of 10,000 proposals was 3 to 4 MiB higher, measured). A stub calls the host function of
 * its index in the current run, so nothing of one run is reachable from the next.
 */
const preludeText = `(function (g) {
  'use strict'
  const host = g.${bridgeName}
  delete g.${bridgeName}
  delete g.WeakRef
  delete g.FinalizationRegistry
  const { defineProperty, defineProperties, freeze, getOwnPropertyDescriptor, getPrototypeOf, keys } = Object
  const { apply, construct, ownKeys } = Reflect
  const { parse, stringify } = JSON
  const hasOwn = Object.hasOwn
  const imul = Math.imul
  const then = Promise.prototype.then
  const slice = String.prototype.slice
  const push = Array.prototype.push
  const sourceText = Function.prototype.toString
  const RealDate = Date
  const RealError = Error
  const RealString = String
  const RealSet = Set
  const setHas = Set.prototype.has
  const setAdd = Set.prototype.add
  const hidden = { value: undefined, writable: true, configurable: true, enumerable: false }
  let now = 0
  let seed = 0

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
  define(FixedDate, 'now', () => now)
  define(FixedDate, 'parse', RealDate.parse)
  define(FixedDate, 'UTC', RealDate.UTC)
  define(g, 'Date', FixedDate)
  define(Math, 'random', function random() {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = imul(t ^ (t >>> 15), t | 1)
    t ^= t + imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  })

  function tame(target, key) {
    const d = getOwnPropertyDescriptor(target, key)
    if (d === undefined || !('value' in d)) return
    const value = d.value
    defineProperty(target, key, {
      get: function () { return value },
      set: function (v) {
        if (this === target) throw new TypeError('Cannot assign to read only property ' + RealString(key))
        defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true })
      },
      enumerable: d.enumerable,
      configurable: false,
    })
  }
  const errors = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, InternalError, AggregateError]
  for (const key of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString']) tame(Object.prototype, key)
  for (const E of errors) for (const key of ['constructor', 'name', 'message', 'toString']) tame(E.prototype, key)
  for (const P of [Function.prototype, Array.prototype, Promise.prototype, RegExp.prototype, Date.prototype]) {
    tame(P, 'constructor')
    tame(P, 'toString')
  }

  const seen = new RealSet()
  function harden(root) {
    const stack = [root]
    while (stack.length > 0) {
      const o = stack.pop()
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || apply(setHas, seen, [o])) continue
      apply(setAdd, seen, [o])
      freeze(o)
      apply(push, stack, [getPrototypeOf(o)])
      for (const key of ownKeys(o)) {
        const d = getOwnPropertyDescriptor(o, key)
        if ('value' in d) apply(push, stack, [d.value])
        else apply(push, stack, [d.get, d.set])
      }
    }
  }
  const generator = (function* () {})()
  const asyncGenerator = (async function* () {})()
  const iterators = [
    [][Symbol.iterator](),
    new Map()[Symbol.iterator](),
    new Set()[Symbol.iterator](),
    ''[Symbol.iterator](),
    /a/[Symbol.matchAll](''),
    typeof Iterator === 'function' ? [].values().map((x) => x) : null,
    typeof Iterator === 'function' ? Iterator.from({ next() { return { done: true } } }) : null,
  ]
  harden([
    g,
    async function () {},
    function* () {},
    async function* () {},
    generator,
    asyncGenerator,
    iterators,
    getOwnPropertyDescriptor(Function.prototype, 'caller'),
    (function () { return getOwnPropertyDescriptor(arguments, 'callee') })(),
  ])

  const arraySlice = Array.prototype.slice
  const create = Object.create
  const RealMap = Map
  const mapGet = Map.prototype.get
  const mapSet = Map.prototype.set
  let known = []

  function stub(id) {
    return {
      stub() {
        const args = []
        for (let i = 0; i < arguments.length; i++) args[i] = arguments[i]
        let n = args.length
        while (n > 0 && args[n - 1] === undefined) n--
        args.length = n
        const text = stringify(args)
        const answers = known[id]
        const out = answers !== null && answers !== undefined && hasOwn(answers, text) ? answers[text] : host.call(id, text)
        if (out === 'u') return undefined
        if (out[0] === 'v') return parse(apply(slice, out, [1]))
        throw new RealError(apply(slice, out, [1]))
      },
    }.stub
  }

  const plans = new RealMap()
  function planOf(paths) {
    const cached = apply(mapGet, plans, [paths])
    if (cached !== undefined) return cached
    const parents = []
    const byParent = new RealMap()
    const parsed = parse(paths)
    for (let id = 0; id < parsed.length; id++) {
      const parts = parsed[id]
      const at = stringify(apply(arraySlice, parts, [0, parts.length - 1]))
      let parent = apply(mapGet, byParent, [at])
      if (parent === undefined) {
        parent = { parts: apply(arraySlice, parts, [0, parts.length - 1]), methods: {}, descriptors: create(null) }
        apply(mapSet, byParent, [at, parent])
        apply(push, parents, [parent])
      }
      const descriptor = create(null)
      descriptor.value = stub(id)
      descriptor.writable = true
      descriptor.configurable = true
      parent.descriptors[parts[parts.length - 1]] = descriptor
    }
    for (let p = 0; p < parents.length; p++) defineProperties(parents[p].methods, parents[p].descriptors)
    harden(parents)
    apply(mapSet, plans, [paths, parents])
    return parents
  }

  function install(scope, parents) {
    for (let p = 0; p < parents.length; p++) {
      const { parts, methods, descriptors } = parents[p]
      let target = scope
      let i = 0
      for (; i < parts.length - 1 && target !== undefined; i++) {
        let next = target[parts[i]]
        if (next === undefined) define(target, parts[i], (next = {}))
        target = next !== null && typeof next === 'object' ? next : undefined
      }
      if (target === undefined) continue
      if (parts.length === 0) {
        defineProperties(target, descriptors)
        continue
      }
      const last = parts[parts.length - 1]
      const existing = target[last]
      if (existing === undefined) define(target, last, create(methods))
      else if (existing !== null && typeof existing === 'object') defineProperties(existing, descriptors)
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

  function sourceOf(f) {
    return apply(sourceText, f, [])
  }

  function run(factory, names, data, paths, fixedNow, fixedSeed, answers) {
    now = fixedNow
    seed = fixedSeed | 0
    const scope = parse(data)
    known = parse(answers)
    install(scope, planOf(paths))
    const parsedNames = parse(names)
    const args = []
    for (let i = 0; i < parsedNames.length; i++) args[i] = scope[parsedNames[i]]
    let done
    try {
      done = apply(apply(factory, undefined, args), undefined, [])
    } catch (e) {
      return encode(e, true)
    }
    return apply(then, done, [(v) => encode(v, false), (e) => encode(e, true)])
  }

  return { run, sourceOf }
})(globalThis)
`

/** Parsing costs per character too, so indentation is dropped (no string in it spans lines). */
export const preludeSource = preludeText.replace(/\n\s*/g, '\n')

/**
 * The text evaluated for a block: a factory taking the run's names as parameters and returning
 * the block as the body of an async function, all on the block's first line so its own lines
 * keep their numbers. The factory's own source text is `factoryText` exactly, unless the block
 * closed the body early (checked before the factory is used).
 */
export function factorySource(names: string[], code: string): { source: string; text: string } {
  const text = `function(${names.join(',')}){return async function(){${code}\n}}`
  return { source: `(${text})`, text }
}

/**
 * The same body in a wrapper closed by other brackets: a block that closes its function body
 * early to run code at the top level cannot parse in both (see `factorySource`).
 */
export function breakoutProbe(code: string): string {
  return `[async function(){${code}\n}]`
}
