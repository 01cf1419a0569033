// Points-earning tasks: complete the profile, follow the official account, the daily check-in with its
// streak bonus, sharing — each paying its points within its limit (once, or N per day/week/month/year).
// A completion and its points are written together; completions are numbered within their period, so
// a retried or concurrent claim can never pay past the limit.
import { and, asc, count, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { shanghaiDate } from '../clock'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { recordMemberEvent } from '../members/events'
import { memberEvents, memberIdentities, members } from '../db/schema/members'
import { pointsTasks, taskCompletions, type PointsTask } from '../db/schema/loyalty'
import { grantPoints } from './ledger'
import { grantExpiry, loadPointsPolicy } from './policy'

export const checkInArgsSchema = z.object({
  /** Bonus points on given days of a streak, e.g. day 3 +10, day 7 +30. */
  streakBonuses: z
    .array(z.object({ day: z.number().int().min(1).max(366), points: z.number().int().min(1) }))
    .default([]),
  /** The bonus days repeat every N days of a streak (7 = weekly); none = only once per streak. */
  cycleDays: z.number().int().min(1).max(366).optional(),
})

export const taskInputSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, '编码只能包含小写字母、数字和下划线'),
  name: z.string().trim().min(1).max(32),
  description: z.string().max(500).optional(),
  points: z.number().int().min(1).max(1_000_000),
  limitPer: z.enum(['once', 'day', 'week', 'month', 'year']),
  limitTimes: z.number().int().min(1).max(1000).default(1),
  args: z.record(z.string(), z.unknown()).default({}),
  active: z.boolean().default(true),
  sort: z.number().int().default(0),
})
export type TaskInput = z.input<typeof taskInputSchema>

/**
 * What a member must have done before a task pays, by task code. Tasks with other codes are completed
 * by the system or an operator (`completeTask` with `verified: true`), never claimed by the member.
 */
const selfServiceChecks: Record<string, (db: Db, memberId: number) => Promise<string | null>> = {
  async complete_profile(db, memberId) {
    const [m] = await db.select().from(members).where(eq(members.id, memberId))
    const ok = m && m.name && m.gender !== 'unknown' && m.birthday && m.city
    return ok ? null : '请先完善姓名、性别、生日和所在城市'
  },
  async follow_official_account(db, memberId) {
    const [identity] = await db
      .select({ id: memberIdentities.id })
      .from(memberIdentities)
      .where(and(eq(memberIdentities.memberId, memberId), eq(memberIdentities.kind, 'oa_openid')))
    if (identity) return null
    const [event] = await db
      .select({ id: memberEvents.id })
      .from(memberEvents)
      .where(and(eq(memberEvents.memberId, memberId), eq(memberEvents.type, 'oa_followed')))
      .limit(1)
    return event ? null : '请先关注品牌公众号'
  },
  daily_check_in: async () => null,
  share: async () => null,
}

/** Pure: the period a completion at `at` counts in (Asia/Shanghai calendar). */
export function taskPeriodKey(limitPer: PointsTask['limitPer'], at: Date): string {
  const day = shanghaiDate(at)
  switch (limitPer) {
    case 'once':
      return 'once'
    case 'day':
      return day
    case 'month':
      return day.slice(0, 7)
    case 'year':
      return day.slice(0, 4)
    case 'week': {
      // ISO week: the week's Thursday decides its year; week 1 holds 4 January.
      const d = new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)))
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3)
      const jan4 = new Date(Date.UTC(d.getUTCFullYear(), 0, 4))
      const week =
        1 + Math.round(((d.getTime() - jan4.getTime()) / 86_400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7)
      return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
    }
  }
}

/** Pure: the bonus a check-in earns on day `streak` of a streak. */
export function streakBonus(args: z.infer<typeof checkInArgsSchema>, streak: number): number {
  const position = args.cycleDays ? ((streak - 1) % args.cycleDays) + 1 : streak
  return args.streakBonuses.filter((b) => b.day === position).reduce((s, b) => s + b.points, 0)
}

const previousDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)

export interface TaskCompletion {
  task: string
  points: number
  bonus: number
  streak: number | null
  balance: number
  doneInPeriod: number
  limit: number
}

export async function completeTask(
  db: Db,
  input: { memberId: number; code: string; ref?: string; verified?: boolean },
  at: Date,
): Promise<TaskCompletion> {
  const [task] = await db.select().from(pointsTasks).where(eq(pointsTasks.code, input.code))
  if (!task || !task.active) throw notFound('任务', 'task_not_found')
  const check = selfServiceChecks[task.code]
  if (!input.verified) {
    if (!check) throw new DomainError('task_not_self_service', '该任务由系统自动完成', 403)
    const problem = await check(db, input.memberId)
    if (problem) throw new DomainError('task_not_done', problem, 409)
  }
  if (task.code === 'share' && !input.ref)
    throw new DomainError('share_ref_required', '缺少分享记录', 400, [
      { path: 'ref', message: '缺少分享记录' },
    ])
  const periodKey = taskPeriodKey(task.limitPer, at)
  const day = shanghaiDate(at)
  const policy = await loadPointsPolicy(db)
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`task:${input.memberId}:${task.id}`}, 0))`,
      )
      const mine = and(eq(taskCompletions.memberId, input.memberId), eq(taskCompletions.taskId, task.id))
      if (input.ref) {
        const [same] = await tx
          .select()
          .from(taskCompletions)
          .where(and(mine, eq(taskCompletions.ref, input.ref)))
        if (same) throw new DomainError('task_already_counted', '这次分享已经计入过了', 409)
      }
      const [done] = await tx
        .select({ n: count() })
        .from(taskCompletions)
        .where(and(mine, eq(taskCompletions.periodKey, periodKey)))
      if (done!.n >= task.limitTimes)
        throw new DomainError(
          'task_limit_reached',
          task.code === 'daily_check_in' ? '今天已经签到过了' : `「${task.name}」已达到次数上限`,
          409,
        )
      let streak: number | null = null
      let bonus = 0
      if (task.code === 'daily_check_in') {
        const [yesterday] = await tx
          .select({ streak: taskCompletions.streak })
          .from(taskCompletions)
          .where(and(mine, eq(taskCompletions.day, previousDay(day))))
          .limit(1)
        streak = (yesterday?.streak ?? 0) + 1
        bonus = streakBonus(checkInArgsSchema.parse(task.args), streak)
      }
      const slot = done!.n + 1
      await tx.insert(taskCompletions).values({
        memberId: input.memberId,
        taskId: task.id,
        periodKey,
        slot,
        day,
        points: task.points,
        bonus,
        streak,
        ref: input.ref ?? null,
        completedAt: at,
      })
      const granted = await grantPoints(tx, {
        memberId: input.memberId,
        amount: task.points + bonus,
        sourceKey: `task:${task.code}:${input.memberId}:${periodKey}:${slot}`,
        reason: bonus ? `${task.name}（连续 ${streak} 天，额外 +${bonus}）` : task.name,
        at,
        expiresAt: grantExpiry(policy, at),
      })
      if (task.code === 'daily_check_in')
        await recordMemberEvent(tx, {
          memberId: input.memberId,
          type: 'check_in',
          occurredAt: at,
          sourceKey: `check_in:${input.memberId}:${day}`,
          payload: { streak, points: task.points + bonus },
        })
      return {
        task: task.code,
        points: task.points,
        bonus,
        streak,
        balance: granted.balance,
        doneInPeriod: slot,
        limit: task.limitTimes,
      }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('task_limit_reached', `「${task.name}」已达到次数上限`, 409)
    throw err
  }
}

export interface MemberTask {
  code: string
  name: string
  description: string | null
  points: number
  limitPer: PointsTask['limitPer']
  limitTimes: number
  doneInPeriod: number
  available: boolean
  selfService: boolean
  /** For the daily check-in: the streak so far (0 when broken) and what checking in now would add. */
  streak?: number
  nextBonus?: number
}

/** The active tasks with how far the member is in each one's current period. */
export async function memberTasks(db: Db, memberId: number, at: Date): Promise<MemberTask[]> {
  const tasks = await db
    .select()
    .from(pointsTasks)
    .where(eq(pointsTasks.active, true))
    .orderBy(asc(pointsTasks.sort), asc(pointsTasks.id))
  const day = shanghaiDate(at)
  const out: MemberTask[] = []
  for (const t of tasks) {
    const mine = and(eq(taskCompletions.memberId, memberId), eq(taskCompletions.taskId, t.id))
    const [done] = await db
      .select({ n: count() })
      .from(taskCompletions)
      .where(and(mine, eq(taskCompletions.periodKey, taskPeriodKey(t.limitPer, at))))
    const item: MemberTask = {
      code: t.code,
      name: t.name,
      description: t.description,
      points: t.points,
      limitPer: t.limitPer,
      limitTimes: t.limitTimes,
      doneInPeriod: done!.n,
      available: done!.n < t.limitTimes,
      selfService: t.code in selfServiceChecks,
    }
    if (t.code === 'daily_check_in') {
      const recent = await db
        .select({ day: taskCompletions.day, streak: taskCompletions.streak })
        .from(taskCompletions)
        .where(and(mine, sql`${taskCompletions.day} >= ${previousDay(day)}::date`))
      const today = recent.find((r) => r.day === day)
      const yesterday = recent.find((r) => r.day === previousDay(day))
      item.streak = today?.streak ?? yesterday?.streak ?? 0
      item.nextBonus = today ? 0 : streakBonus(checkInArgsSchema.parse(t.args), item.streak + 1)
    }
    out.push(item)
  }
  return out
}

export const listTasks = (db: Db) =>
  db.select().from(pointsTasks).orderBy(asc(pointsTasks.sort), asc(pointsTasks.id))

export async function saveTask(db: Db, input: TaskInput): Promise<PointsTask> {
  const t = taskInputSchema.parse(input)
  if (t.code === 'daily_check_in') checkInArgsSchema.parse(t.args)
  const [row] = await db
    .insert(pointsTasks)
    .values(t)
    .onConflictDoUpdate({ target: pointsTasks.code, set: { ...t } })
    .returning()
  return row!
}
