// A stand-in for src/sandbox/sandbox-worker.ts that runs no QuickJS, for the main thread's
// wall-clock limit: a run's code says what its guest does. `goOn:MS` counts interrupt checks, as
// a guest running bytecode does, for MS ms of the clock and then answers; `stick:MS` counts them
// for MS ms and then none (a guest stuck in QuickJS's C code); `forever` counts them for ever.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { progressSlot, type FromWorker, type ToWorker, type WorkerSetup } from '../../src/sandbox/worker-protocol.ts'

const setup = workerData as WorkerSetup
const signal = new Int32Array(setup.signal)
const toMain: MessagePort = setup.toMain
const send = (message: FromWorker) => toMain.postMessage(message)

parentPort?.on('message', (job: ToWorker) => {
  if (job.type !== 'run') {
    send({ type: 'compiled', id: job.id, error: null, recycle: false })
    return
  }
  const [how, ms = '0'] = job.code.split(':')
  const start = performance.now()
  for (;;) {
    const elapsed = performance.now() - start
    if (how === 'goOn' && elapsed >= Number(ms)) {
      break
    }
    if (how !== 'stick' || elapsed < Number(ms)) {
      Atomics.add(signal, progressSlot, 1)
    }
  }
  send({ type: 'ran', id: job.id, result: { ok: true, value: 'done' }, recycle: false })
})
send({ type: 'ready' })
