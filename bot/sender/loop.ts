// The sender loop of one running account: step, then sleep until the step says (never longer than the
// poll interval, so newly queued messages are seen). Stops cleanly; never throws.
import type { Clock } from '../../shared/clock'
import type { Logger } from '../../shared/logger'
import type { AccountSender } from './account-sender'

export class SenderLoop {
  private stopped = false
  private timer: NodeJS.Timeout | undefined
  private wake: (() => void) | undefined
  private running: Promise<void> | undefined

  constructor(
    private readonly sender: AccountSender,
    private readonly deps: { clock: Clock; logger: Logger; pollMs?: number },
  ) {}

  start(): void {
    this.running ??= this.run()
  }

  private async run(): Promise<void> {
    const pollMs = this.deps.pollMs ?? 15_000
    while (!this.stopped) {
      let delay = pollMs
      try {
        const result = await this.sender.step()
        if (result.action === 'stopped' || result.action === 'lease_lost') {
          this.deps.logger.info({ accountId: this.sender.accountId, action: result.action }, 'sender stopped')
          return
        }
        if (result.wakeAt)
          delay = Math.min(pollMs, Math.max(0, result.wakeAt.getTime() - this.deps.clock.now().getTime()))
      } catch (err) {
        this.deps.logger.error({ err, accountId: this.sender.accountId }, 'sender step failed')
      }
      if (this.stopped) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        this.timer = setTimeout(resolve, delay)
        this.timer.unref()
      })
    }
  }

  /** Something new was queued: step now instead of at the end of the current wait. */
  nudge(): void {
    if (this.timer) clearTimeout(this.timer)
    this.wake?.()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.wake?.()
    await this.running
  }
}
