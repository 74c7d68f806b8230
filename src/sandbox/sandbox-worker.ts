// The entry of a sandbox worker thread (DESIGN §4): runs policy blocks for the main thread, which
// terminates it when a run overruns its wall-clock limit. Host calls block this thread on a
// shared signal while the main thread performs them, so they look synchronous to the guest.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { QuickJsRunner } from './quickjs-runner.ts'
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts'

const port = parentPort
if (port === null) {
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
const runner = await QuickJsRunner.create(setup.wasmModule, setup.memoryPages)

function send(message: FromWorker): void {
  port?.postMessage(message)
}

function callHost(index: number, args: string): string {
  Atomics.store(signal, 0, 0)
  send({ type: 'call', index, args })
  Atomics.wait(signal, 0, 0)
  const reply: unknown = receiveMessageOnPort(setup.replies)?.message
  return typeof reply === 'string' ? reply : 'ethe host gave no answer'
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    const result = runner.run(message, callHost)
    send({ type: 'ran', id: message.id, result, recycle: runner.bloated })
  } else {
    const error = runner.compile(message)
    send({ type: 'compiled', id: message.id, error, recycle: runner.bloated })
  }
})
send({ type: 'ready' })
