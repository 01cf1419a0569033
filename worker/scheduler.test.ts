import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { jobRuns } from '../shared/db/schema/jobs'
import { VirtualClock } from '../shared/clock'
import { testDatabase } from '../test/support/db'
import { silentLogger } from '../test/support/config'
import { Scheduler, type JobDefinition } from './scheduler'
import { jobs } from './jobs'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

describe('Scheduler', () => {
  const clock = new VirtualClock('2026-11-22T04:17:00Z')

  it('runs a scheduled slot once even when two worker processes share the database', async () => {
    let runs = 0
    const job: JobDefinition = {
      name: 'count-test',
      schedule: '* * * * *',
      description: 'test',
      run: async () => {
        runs++
        return 'counted'
      },
    }
    const a = new Scheduler({ db: database.db, clock, logger: silentLogger(), owner: 'worker-a' }, [job])
    const b = new Scheduler({ db: database.db, clock, logger: silentLogger(), owner: 'worker-b' }, [job])
    const outcomes = await Promise.all([
      a.runOnce(job, '2026-11-22T04:17:00.000Z'),
      b.runOnce(job, '2026-11-22T04:17:00.000Z'),
    ])
    expect(outcomes.sort()).toEqual(['skipped', 'succeeded'])
    expect(runs).toBe(1)
    const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.job, 'count-test'))
    expect(row).toMatchObject({ outcome: 'succeeded', detail: 'counted' })
  })

  it('records a failing run and does not throw', async () => {
    const job: JobDefinition = {
      name: 'fail-test',
      schedule: '* * * * *',
      description: 'test',
      run: async () => {
        throw new Error('remote refused')
      },
    }
    const s = new Scheduler({ db: database.db, clock, logger: silentLogger(), owner: 'w' }, [job])
    expect(await s.runOnce(job, 'slot-1')).toBe('failed')
    const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.job, 'fail-test'))
    expect(row).toMatchObject({ outcome: 'failed', detail: 'remote refused' })
  })

  it('every registered job has a valid schedule and a unique name', async () => {
    const s = new Scheduler({ db: database.db, clock, logger: silentLogger(), owner: 'w' }, jobs)
    s.start()
    await s.stop()
    expect(new Set(jobs.map((j) => j.name)).size).toBe(jobs.length)
  })

  it('refuses an invalid schedule at start', () => {
    const s = new Scheduler({ db: database.db, clock, logger: silentLogger(), owner: 'w' }, [
      { name: 'bad', schedule: 'every day', description: '', run: async () => {} },
    ])
    expect(() => s.start()).toThrow(/bad: invalid schedule/)
  })
})
