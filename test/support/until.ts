/**
 * Polls in real time until `condition()` holds or `timeoutMs` passes; true when it held. For
 * what happens on a queue, a timer or another connection, never to assert how fast it happens.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const start = performance.now()
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) {
      return false
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return true
}
