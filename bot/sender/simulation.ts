// Running senders on a virtual clock: always step the account that wakes first, moving the clock to
// its wake time. The same step code as production; only the waiting is simulated.
import type { VirtualClock } from '../../shared/clock'
import type { AccountSender, StepResult } from './account-sender'

export interface SimulationOptions {
  clock: VirtualClock
  /** Stop once the clock would pass this instant. */
  until?: Date
  /** Stop after this many steps (a crash in the middle). */
  maxSteps?: number
  onStep?: (sender: AccountSender, result: StepResult) => void
}

export async function simulate(
  senders: AccountSender[],
  options: SimulationOptions,
): Promise<{ steps: number }> {
  const wake = new Map<AccountSender, number>(senders.map((s) => [s, options.clock.now().getTime()]))
  let steps = 0
  while (wake.size > 0) {
    if (options.maxSteps !== undefined && steps >= options.maxSteps) break
    let next: AccountSender | undefined
    let at = Infinity
    for (const [s, t] of wake) {
      if (t < at) {
        at = t
        next = s
      }
    }
    if (options.until && at > options.until.getTime()) break
    if (at > options.clock.now().getTime()) options.clock.set(new Date(at))
    const result = await next!.step()
    steps++
    options.onStep?.(next!, result)
    if (result.wakeAt) wake.set(next!, result.wakeAt.getTime())
    else wake.delete(next!)
  }
  return { steps }
}
