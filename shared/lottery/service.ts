// Lotteries: set up by operators (prizes with stock and odds, entry costs, limits), drawn by members.
// A draw is one transaction: the member's draws are serialised by a transaction-level advisory lock
// (limits and free draws counted from the draws themselves), the entry is paid (a free draw, an earned
// draw, or points), the prize's unit is taken by a conditional update (none left: the fallback prize),
// the draw is recorded with its random number and the odds it was read against, and the prize is
// delivered (prize-delivery.ts): points credited, a coupon issued, or a gift written as an order to ship.
import { randomInt } from 'node:crypto'
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm'
import { z } from 'zod'
import { shanghaiDate } from '../clock'
import { queryRows, type Db } from '../db/client'
import { conflict, notFound } from '../errors'
import { spendIn } from '../points/ledger'
import { landOn, totalWeight } from './odds'
import { deliverPrize } from './prize-delivery'
import {
  lotteries,
  lotteryDrawGrants,
  lotteryDraws,
  lotteryPrizes,
  prizeKinds,
  type DrawEntry,
  type Lottery,
  type LotteryDraw,
  type LotteryPrize,
} from '../db/schema/lottery'

/** Where draws get their random numbers; recorded on every draw. */
export const RANDOM_SOURCE = 'node:crypto randomInt'

const prizeInputSchema = z
  .object({
    kind: z.enum(prizeKinds),
    name: z.string().trim().min(1).max(40),
    weight: z.number().int().min(0).max(1_000_000),
    /** Units to give out; absent = unlimited. */
    stock: z.number().int().min(0).max(1_000_000).optional(),
    points: z.number().int().min(1).max(1_000_000).optional(),
    couponTemplateId: z.number().int().positive().optional(),
    skuId: z.number().int().positive().optional(),
    /** The prize given when the draw lands on one that has run out (one per lottery, unlimited). */
    isFallback: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'points' && !p.points)
      ctx.addIssue({ code: 'custom', path: ['points'], message: '请填写积分数量' })
    if (p.kind === 'coupon' && !p.couponTemplateId)
      ctx.addIssue({ code: 'custom', path: ['couponTemplateId'], message: '请选择优惠券' })
    if (p.kind === 'gift' && !p.skuId)
      ctx.addIssue({ code: 'custom', path: ['skuId'], message: '请选择礼品规格' })
    if (p.isFallback && p.stock !== undefined)
      ctx.addIssue({ code: 'custom', path: ['stock'], message: '兜底奖品不限数量' })
  })

export const lotteryInputSchema = z
  .object({
    title: z.string().trim().min(1).max(60),
    freeDrawsPerDay: z.number().int().min(0).max(100).default(1),
    pointsPerDraw: z.number().int().min(1).max(1_000_000).nullable().default(null),
    /** Draws each paid order earns while the lottery is on. */
    drawsPerOrder: z.number().int().min(0).max(10).default(0),
    dailyLimit: z.number().int().min(1).max(1000).nullable().default(null),
    totalLimit: z.number().int().min(1).max(100_000).nullable().default(null),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
    prizes: z.array(prizeInputSchema).min(1).max(20),
  })
  .superRefine((l, ctx) => {
    if (l.endsAt <= l.startsAt)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '结束时间必须晚于开始时间' })
    if (l.prizes.filter((p) => p.isFallback).length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['prizes'],
        message: '请设置且只设置一个兜底奖品（如「谢谢参与」）',
      })
    if (l.prizes.reduce((s, p) => s + p.weight, 0) <= 0)
      ctx.addIssue({ code: 'custom', path: ['prizes'], message: '中奖权重之和必须大于 0' })
  })

export async function createLottery(db: Db, input: z.input<typeof lotteryInputSchema>) {
  const l = lotteryInputSchema.parse(input)
  return db.transaction(async (tx) => {
    const { prizes, ...fields } = l
    const [lottery] = await tx.insert(lotteries).values(fields).returning()
    const rows = await tx
      .insert(lotteryPrizes)
      .values(
        prizes.map((p, i) => ({
          lotteryId: lottery!.id,
          kind: p.kind,
          name: p.name,
          weight: p.weight,
          stock: p.stock ?? null,
          stockLeft: p.stock ?? null,
          points: p.points ?? null,
          couponTemplateId: p.couponTemplateId ?? null,
          skuId: p.skuId ?? null,
          isFallback: p.isFallback,
          sort: i,
        })),
      )
      .returning()
    return { ...lottery!, prizes: rows }
  })
}

export const listLotteries = (db: Db) => db.select().from(lotteries).orderBy(desc(lotteries.id))

const prizesOf = (db: Db, lotteryId: number) =>
  db
    .select()
    .from(lotteryPrizes)
    .where(eq(lotteryPrizes.lotteryId, lotteryId))
    .orderBy(asc(lotteryPrizes.sort), asc(lotteryPrizes.id))

async function lotteryOf(db: Db, lotteryId: number): Promise<Lottery> {
  const [lottery] = await db.select().from(lotteries).where(eq(lotteries.id, lotteryId))
  if (!lottery) throw notFound('抽奖活动', 'lottery_not_found')
  return lottery
}

/** Draws a member earned (a task, an order): once per source key. */
export async function grantLotteryDraws(
  db: Db,
  input: { lotteryId: number; memberId: number; draws: number; sourceKey: string; reason: string; at: Date },
): Promise<{ duplicate: boolean }> {
  await lotteryOf(db, input.lotteryId)
  const rows = await db
    .insert(lotteryDrawGrants)
    .values({ ...input, createdAt: input.at })
    .onConflictDoNothing()
    .returning({ id: lotteryDrawGrants.id })
  return { duplicate: rows.length === 0 }
}

/**
 * A paid order earns draws in every lottery on at the time that gives draws for orders (the paid-order
 * flow calls this; once per order and lottery by the grant's source key).
 */
export async function grantLotteryDrawsForOrder(
  db: Db,
  order: { memberId: number; orderNo: string; kind: string; payFen: number },
  at: Date,
): Promise<number> {
  if (order.kind !== 'goods' || order.payFen <= 0) return 0
  const rows = await queryRows<{ id: number }>(
    db,
    sql`insert into lottery_draw_grants (lottery_id, member_id, draws, source_key, reason, created_at)
        select l.id, ${order.memberId}, l.draws_per_order, 'lottery:' || l.id || ':order:' || ${order.orderNo},
               ${`订单 ${order.orderNo}`}, ${at.toISOString()}::timestamptz
        from lotteries l
        where l.draws_per_order > 0 and l.starts_at <= ${at.toISOString()}::timestamptz
          and l.ends_at > ${at.toISOString()}::timestamptz
        on conflict (source_key) do nothing
        returning id`,
  )
  return rows.length
}

interface Standing {
  today: number
  total: number
  freeToday: number
  earnedLeft: number
}

async function standingOf(db: Db, lottery: Lottery, memberId: number, day: string): Promise<Standing> {
  const [row] = await queryRows<Standing>(
    db,
    sql`select
      count(*) filter (where d.day = ${day})::int as today,
      count(*)::int as total,
      count(*) filter (where d.day = ${day} and d.entry = 'free')::int as "freeToday",
      (select coalesce(sum(g.draws), 0) from lottery_draw_grants g
        where g.lottery_id = ${lottery.id} and g.member_id = ${memberId})::int
        - (count(*) filter (where d.entry = 'earned'))::int as "earnedLeft"
      from lottery_draws d where d.lottery_id = ${lottery.id} and d.member_id = ${memberId}`,
  )
  return row!
}

/** Pure: how the next draw is paid for, or why there is none. */
export function nextEntry(
  lottery: Pick<Lottery, 'freeDrawsPerDay' | 'pointsPerDraw' | 'dailyLimit' | 'totalLimit'>,
  s: Standing,
): DrawEntry | 'daily_limit' | 'total_limit' | 'no_draws_left' {
  if (lottery.totalLimit !== null && s.total >= lottery.totalLimit) return 'total_limit'
  if (lottery.dailyLimit !== null && s.today >= lottery.dailyLimit) return 'daily_limit'
  if (s.freeToday < lottery.freeDrawsPerDay) return 'free'
  if (s.earnedLeft > 0) return 'earned'
  if (lottery.pointsPerDraw !== null) return 'points'
  return 'no_draws_left'
}

const refusals = {
  total_limit: '抽奖次数已达上限',
  daily_limit: '今天的抽奖次数已用完，明天再来吧',
  no_draws_left: '抽奖机会已用完，完成任务可获得更多机会',
}

export interface DrawResult {
  draw: LotteryDraw
  prize: Pick<LotteryPrize, 'id' | 'kind' | 'name' | 'points'>
  duplicate: boolean
}

/** One draw, all in one transaction. A retried request (same requestId) answers the first draw. */
export async function drawLottery(
  db: Db,
  input: { lotteryId: number; memberId: number; requestId: string; at: Date; random?: (n: number) => number },
): Promise<DrawResult> {
  const { at, memberId } = input
  const random = input.random ?? randomInt
  const lottery = await lotteryOf(db, input.lotteryId)
  if (lottery.startsAt > at) throw conflict('lottery_not_started', '抽奖尚未开始')
  if (lottery.endsAt <= at) throw conflict('lottery_ended', '抽奖已结束')
  const day = shanghaiDate(at)
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`lottery:${lottery.id}:${memberId}`}, 0))`,
    )
    const [prior] = await tx
      .select()
      .from(lotteryDraws)
      .where(and(eq(lotteryDraws.memberId, memberId), eq(lotteryDraws.requestId, input.requestId)))
    if (prior) {
      const [p] = await tx.select().from(lotteryPrizes).where(eq(lotteryPrizes.id, prior.prizeId))
      return { draw: prior, prize: p!, duplicate: true }
    }
    const entry = nextEntry(lottery, await standingOf(tx, lottery, memberId, day))
    if (entry === 'daily_limit' || entry === 'total_limit' || entry === 'no_draws_left')
      throw conflict(`lottery_${entry}`, refusals[entry])
    const pointsSpent = entry === 'points' ? lottery.pointsPerDraw! : 0
    if (pointsSpent > 0)
      await spendIn(txRaw, {
        memberId,
        amount: pointsSpent,
        sourceKey: `lottery:${lottery.id}:${memberId}:${input.requestId}:cost`,
        reason: `抽奖「${lottery.title}」`,
        at,
      })

    const prizes = await prizesOf(tx, lottery.id)
    const weights = prizes.map((p) => ({ prizeId: p.id, weight: p.weight }))
    const range = totalWeight(weights)
    const r = random(range)
    const drawn = prizes.find((p) => p.id === landOn(weights, r))!
    const fallback = prizes.find((p) => p.isFallback)!
    let prize = drawn
    if (drawn.stockLeft !== null) {
      const taken = await tx
        .update(lotteryPrizes)
        .set({ stockLeft: sql`${lotteryPrizes.stockLeft} - 1` })
        .where(and(eq(lotteryPrizes.id, drawn.id), gt(lotteryPrizes.stockLeft, 0)))
        .returning({ id: lotteryPrizes.id })
      if (taken.length === 0) prize = fallback
    }
    const [draw] = await tx
      .insert(lotteryDraws)
      .values({
        lotteryId: lottery.id,
        memberId,
        requestId: input.requestId,
        entry,
        pointsSpent,
        day,
        random: r,
        randomRange: range,
        randomSource: RANDOM_SOURCE,
        weights,
        drawnPrizeId: drawn.id,
        prizeId: prize.id,
        createdAt: at,
      })
      .returning()
    const delivered = await deliverPrize(tx, { lottery, prize, draw: draw!, at })
    return { draw: delivered, prize, duplicate: false }
  })
}

/** The lottery as a member sees it: prizes (with their odds), what their next draw costs, draws left today. */
export async function lotteryForMember(db: Db, lotteryId: number, memberId: number, at: Date) {
  const lottery = await lotteryOf(db, lotteryId)
  const prizes = await prizesOf(db, lotteryId)
  const total = totalWeight(prizes.map((p) => ({ prizeId: p.id, weight: p.weight })))
  const standing = await standingOf(db, lottery, memberId, shanghaiDate(at))
  const next = nextEntry(lottery, standing)
  return {
    id: lottery.id,
    title: lottery.title,
    startsAt: lottery.startsAt.toISOString(),
    endsAt: lottery.endsAt.toISOString(),
    open: lottery.startsAt <= at && lottery.endsAt > at,
    pointsPerDraw: lottery.pointsPerDraw,
    freeDrawsLeftToday: Math.max(0, lottery.freeDrawsPerDay - standing.freeToday),
    earnedDrawsLeft: Math.max(0, standing.earnedLeft),
    drawsToday: standing.today,
    dailyLimit: lottery.dailyLimit,
    next,
    prizes: prizes.map((p) => ({
      id: p.id,
      kind: p.kind,
      name: p.name,
      /** Odds in per cent, as configured. */
      oddsPct: total > 0 ? Math.round((p.weight / total) * 10_000) / 100 : 0,
      soldOut: p.stockLeft !== null && p.stockLeft <= 0,
    })),
  }
}

export async function memberDraws(db: Db, memberId: number, lotteryId?: number) {
  return db
    .select({
      id: lotteryDraws.id,
      lotteryId: lotteryDraws.lotteryId,
      prizeId: lotteryDraws.prizeId,
      prizeName: lotteryPrizes.name,
      kind: lotteryPrizes.kind,
      entry: lotteryDraws.entry,
      pointsSpent: lotteryDraws.pointsSpent,
      orderId: lotteryDraws.orderId,
      couponId: lotteryDraws.couponId,
      createdAt: lotteryDraws.createdAt,
    })
    .from(lotteryDraws)
    .innerJoin(lotteryPrizes, eq(lotteryPrizes.id, lotteryDraws.prizeId))
    .where(
      and(eq(lotteryDraws.memberId, memberId), lotteryId ? eq(lotteryDraws.lotteryId, lotteryId) : undefined),
    )
    .orderBy(desc(lotteryDraws.id))
    .limit(100)
}

/** The operator's audit of a lottery: every draw with its random number, range and source. */
export async function lotteryAudit(db: Db, lotteryId: number, page = 1, pageSize = 50) {
  await lotteryOf(db, lotteryId)
  const prizes = await prizesOf(db, lotteryId)
  const given = await queryRows<{ prize_id: number; n: number }>(
    db,
    sql`select prize_id, count(*)::int as n from lottery_draws where lottery_id = ${lotteryId} group by prize_id`,
  )
  const draws = await db
    .select()
    .from(lotteryDraws)
    .where(eq(lotteryDraws.lotteryId, lotteryId))
    .orderBy(desc(lotteryDraws.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
  return {
    prizes: prizes.map((p) => ({
      ...p,
      given: given.find((g) => Number(g.prize_id) === p.id)?.n ?? 0,
    })),
    draws,
    page,
    pageSize,
  }
}
