import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { VirtualClock } from '../clock'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { updateProfile } from '../members/profile'
import { recordMemberEvent } from '../members/events'
import { seedLoyaltyDemo } from '../demo/loyalty'
import { completeTask, memberTasks, streakBonus, taskPeriodKey } from './tasks'
import { pointsBalance } from './ledger'

let database: Database
const start = new Date('2026-06-01T01:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  await seedLoyaltyDemo(database.db, start)
})
afterAll(async () => {
  await database.close()
})

describe('earning tasks', () => {
  it('daily check-in: once a day, streak bonus on day 3 and 7 of every week-long streak, a missed day restarts it', async () => {
    const m = await makeMember(database.db)
    const clock = new VirtualClock(start)
    const earned: number[] = []
    for (let day = 1; day <= 8; day++) {
      const r = await completeTask(database.db, { memberId: m.id, code: 'daily_check_in' }, clock.now())
      expect(r.streak).toBe(day)
      earned.push(r.points + r.bonus)
      if (day === 2)
        await expect(
          completeTask(database.db, { memberId: m.id, code: 'daily_check_in' }, clock.now()),
        ).rejects.toMatchObject({
          code: 'task_limit_reached',
          message: '今天已经签到过了',
        })
      clock.advance(86_400_000)
    }
    expect(earned).toEqual([5, 5, 15, 5, 5, 5, 35, 5])
    clock.advance(86_400_000) // a day missed
    expect(
      (await completeTask(database.db, { memberId: m.id, code: 'daily_check_in' }, clock.now())).streak,
    ).toBe(1)
    expect(await pointsBalance(database.db, m.id, clock.now())).toBe(85)
    const list = await memberTasks(database.db, m.id, clock.now())
    expect(list.find((t) => t.code === 'daily_check_in')).toMatchObject({
      streak: 1,
      available: false,
      nextBonus: 0,
    })
  })

  it('the profile task pays once, and only when the profile is complete', async () => {
    const m = await makeMember(database.db, { name: '林静' })
    await expect(
      completeTask(database.db, { memberId: m.id, code: 'complete_profile' }, start),
    ).rejects.toMatchObject({
      code: 'task_not_done',
      message: '请先完善姓名、性别、生日和所在城市',
    })
    await updateProfile(database.db, m.id, { gender: 'female', birthday: '1992-03-08', city: '杭州' }, start)
    expect(
      (await completeTask(database.db, { memberId: m.id, code: 'complete_profile' }, start)).points,
    ).toBe(50)
    await expect(
      completeTask(database.db, { memberId: m.id, code: 'complete_profile' }, start),
    ).rejects.toMatchObject({
      code: 'task_limit_reached',
    })
  })

  it('following the official account needs the follow on record', async () => {
    const m = await makeMember(database.db)
    await expect(
      completeTask(database.db, { memberId: m.id, code: 'follow_official_account' }, start),
    ).rejects.toMatchObject({
      code: 'task_not_done',
    })
    await recordMemberEvent(database.db, { memberId: m.id, type: 'oa_followed', occurredAt: start })
    expect(
      (await completeTask(database.db, { memberId: m.id, code: 'follow_official_account' }, start)).points,
    ).toBe(30)
  })

  it('sharing pays 3 times a day, each share once', async () => {
    const m = await makeMember(database.db)
    for (const ref of ['s1', 's2', 's3'])
      await completeTask(database.db, { memberId: m.id, code: 'share', ref }, start)
    await expect(
      completeTask(database.db, { memberId: m.id, code: 'share', ref: 's4' }, start),
    ).rejects.toMatchObject({
      code: 'task_limit_reached',
    })
    const tomorrow = new Date(start.getTime() + 86_400_000)
    await expect(
      completeTask(database.db, { memberId: m.id, code: 'share', ref: 's1' }, tomorrow),
    ).rejects.toMatchObject({
      code: 'task_already_counted',
    })
    await completeTask(database.db, { memberId: m.id, code: 'share', ref: 's5' }, tomorrow)
    expect(await pointsBalance(database.db, m.id, tomorrow)).toBe(40)
  })

  it('periods follow the Shanghai calendar', () => {
    expect(taskPeriodKey('day', new Date('2026-06-01T16:30:00Z'))).toBe('2026-06-02')
    expect(taskPeriodKey('week', new Date('2026-01-01T04:00:00Z'))).toBe('2026-W01')
    expect(taskPeriodKey('week', new Date('2021-01-03T04:00:00Z'))).toBe('2020-W53')
    expect(taskPeriodKey('month', new Date('2026-06-30T16:00:00Z'))).toBe('2026-07')
    expect(streakBonus({ streakBonuses: [{ day: 7, points: 30 }], cycleDays: 7 }, 14)).toBe(30)
    expect(streakBonus({ streakBonuses: [{ day: 7, points: 30 }] }, 14)).toBe(0)
  })
})
