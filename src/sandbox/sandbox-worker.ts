// The entry of a sandbox worker thread (DESIGN §4): runs policy blocks for the main thread, which
// terminates it when a run overruns its wall-clock limit. Host calls block this thread on a
// shared signal while the main thread performs them, so they look synchronous to the guest.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads'
import { QuickJsRunner } from './quickjs-runner.ts'
import { AdaptiveSpin, replySlot, type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol.ts'

const jobs = parentPort
if (jobs === null) {
  throw new Error('sandbox-worker.ts runs only as a worker thread')
}
function isSetup(value: unknown): value is WorkerSetup {
  return (
    typeof value === 'object' &&
    value !== null &&
    Reflect.get(value, 'wasmModule') instanceof WebAssembly.Module &&
    Reflect.get(value, 'signal') instanceof SharedArrayBuffer
  )
}

const data: unknown = workerData
if (!isSetup(data)) {
  throw new Error('sandbox-worker.ts was started without its setup')
}
const setup = data
const signal = new Int32Array(setup.signal)
const toMain: MessagePort = setup.toMain
const runner = await QuickJsRunner.create(setup.wasmModule, setup.memoryPages, { progress: signal })

function send(message: FromWorker): void {
  toMain.postMessage(message)
}

const forAnswers = new AdaptiveSpin()
const forJobs = new AdaptiveSpin()

function callHost(index: number, args: string): string {
  Atomics.store(signal, replySlot, 0)
  send({ type: 'call', index, args })
  // Most answers come from memory at once: waiting awake for them spares the wake-up.
  forAnswers.wait(setup.spinMs, () => Atomics.load(signal, replySlot) !== 0)
  Atomics.wait(signal, replySlot, 0)
  const reply: unknown = receiveMessageOnPort(setup.replies)?.message
  return typeof reply === 'string' ? reply : 'ethe host gave no answer'
}

function handle(message: ToWorker): void {
  if (message.type === 'run') {
    const result = runner.run(message, callHost)
    send({ type: 'ran', id: message.id, result, recycle: runner.bloated })
  } else {
    const error = runner.compile(message)
    send({ type: 'compiled', id: message.id, error, recycle: runner.bloated })
  }
}

/** The next job when it comes within the spin (the thread stays awake for it), else undefined. */
function nextJob(): ToWorker | undefined {
  let next: ToWorker | undefined
  forJobs.wait(setup.spinMs, () => {
    next = receiveMessageOnPort(jobs as MessagePort)?.message as ToWorker | undefined
    return next !== undefined
  })
  return next
}

jobs.on('message', (first: ToWorker) => {
  for (let job: ToWorker | undefined = first; job !== undefined; job = nextJob()) {
    handle(job)
  }
})
send({ type: 'ready' })
