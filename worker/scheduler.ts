// The scheduler: every job is registered in jobs.ts; each scheduled run is claimed in the database
// (so several worker processes run it once), logged with its duration and outcome, and awaited on stop.
import cron, { type ScheduledTask } from 'node-cron'
import type { Clock } from '../shared/clock'
import type { Db } from '../shared/db/client'
import type { Logger } from '../shared/logger'
import type { Config } from '../shared/config'
import { claimJobRun, finishJobRun } from '../shared/jobs/runs'

export interface JobDeps {
  db: Db
  clock: Clock
  logger: Logger
  /** Present in the running system; jobs that talk to WeChat need it. */
  config?: Config
}

export interface JobDefinition {
  name: string
  /** node-cron expression, read in Asia/Shanghai. */
  schedule: string
  description: string
  /** Returns a short summary for the run log, e.g. "expired 12 grants". */
  run(deps: JobDeps): Promise<string | void>
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = []
  private readonly running = new Set<Promise<unknown>>()

  constructor(
    private readonly deps: JobDeps & { owner: string },
    private readonly jobs: readonly JobDefinition[],
  ) {}

  start(): void {
    for (const job of this.jobs) {
      if (!cron.validate(job.schedule)) throw new Error(`job ${job.name}: invalid schedule "${job.schedule}"`)
      const task = cron.schedule(
        job.schedule,
        (context) => {
          const slot = new Date(Math.floor(context.date.getTime() / 60_000) * 60_000).toISOString()
          const p = this.runOnce(job, slot).finally(() => this.running.delete(p))
          this.running.add(p)
          return p
        },
        { name: job.name, timezone: 'Asia/Shanghai', noOverlap: true },
      )
      this.tasks.push(task)
    }
    this.deps.logger.info({ jobs: this.jobs.map((j) => `${j.name} (${j.schedule})`) }, 'scheduler started')
  }

  /** Run one job for a slot, unless another process has claimed it. Never throws. */
  async runOnce(job: JobDefinition, slot: string): Promise<'succeeded' | 'failed' | 'skipped'> {
    const { db, clock, owner } = this.deps
    const log = this.deps.logger.child({ job: job.name, slot })
    let runId: number | null
    try {
      runId = await claimJobRun(db, job.name, slot, owner, clock.now())
    } catch (err) {
      log.error({ err }, 'job run could not be claimed')
      return 'failed'
    }
    if (runId === null) {
      log.debug('job run already claimed by another process')
      return 'skipped'
    }
    const started = performance.now()
    try {
      const summary = await job.run({ ...this.deps, logger: log })
      await finishJobRun(db, runId, 'succeeded', summary ?? null, clock.now())
      log.debug({ ms: Math.round(performance.now() - started), summary }, 'job run succeeded')
      return 'succeeded'
    } catch (err) {
      log.error({ err, ms: Math.round(performance.now() - started) }, 'job run failed')
      await finishJobRun(db, runId, 'failed', String((err as Error)?.message ?? err), clock.now()).catch(
        () => {},
      )
      return 'failed'
    }
  }

  /** Stop scheduling and wait for runs in progress. */
  async stop(): Promise<void> {
    for (const task of this.tasks) await task.stop()
    await Promise.allSettled([...this.running])
    this.deps.logger.info('scheduler stopped')
  }
}
