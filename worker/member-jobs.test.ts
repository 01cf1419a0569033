import { afterAll, beforeAll, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { testDatabase } from '../test/support/db'
import { silentLogger } from '../test/support/config'
import { makeMember } from '../test/support/factories'
import { Scheduler } from './scheduler'
import { jobs } from './jobs'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

it('the nightly member pass judges members whose orders arrived without an event', async () => {
  const clock = new VirtualClock('2026-11-22T18:30:00Z')
  const db = database.db
  const m = await makeMember(db)
  for (const n of [1, 2])
    await db.execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
      values (${`NJ${m.id}-${n}`}, ${m.id}, 'completed', 9900, 9900, ${clock.now().toISOString()}::timestamptz - interval '3 days')`)
  const job = jobs.find((j) => j.name === 'member-lifecycle')!
  const scheduler = new Scheduler({ db, clock, logger: silentLogger(), owner: 'w' }, [job])
  expect(await scheduler.runOnce(job, '2026-11-22T18:30:00.000Z')).toBe('succeeded')
  const [row] = await queryRows<{ stage: string; repurchaser_kind: string; changes: number }>(
    db,
    sql`select stage, repurchaser_kind, (select count(*)::int from member_stage_changes c where c.member_id = m.id) as changes
        from members m where id = ${m.id}`,
  )
  expect(row).toEqual({ stage: 'repurchaser', repurchaser_kind: 'ignitable', changes: 1 })
  const [run] = await queryRows<{ detail: string }>(
    db,
    sql`select detail from job_runs where job = 'member-lifecycle'`,
  )
  expect(run!.detail).toMatch(/1 stage or label changes/)
})
