// Lotteries in the mini-program: the wheel (prizes and their odds, draws left), a draw, my draws.
import { z } from 'zod'
import { drawLottery, listLotteries, lotteryForMember, memberDraws } from '../../../shared/lottery/service'
import { prizeKinds } from '../../../shared/db/schema/lottery'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })

const lotteryViewSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  open: z.boolean(),
  pointsPerDraw: z.number().int().nullable(),
  freeDrawsLeftToday: z.number().int(),
  earnedDrawsLeft: z.number().int(),
  drawsToday: z.number().int(),
  dailyLimit: z.number().int().nullable(),
  /** How the next draw is paid for (free / earned / points), or why there is none. */
  next: z.enum(['free', 'earned', 'points', 'daily_limit', 'total_limit', 'no_draws_left']),
  prizes: z.array(
    z.object({
      id: z.number().int(),
      kind: z.enum(prizeKinds),
      name: z.string(),
      oddsPct: z.number(),
      soldOut: z.boolean(),
    }),
  ),
})

const drawSchema = z.object({
  drawId: z.number().int(),
  entry: z.enum(['free', 'earned', 'points']),
  pointsSpent: z.number().int(),
  prize: z.object({
    id: z.number().int(),
    kind: z.enum(prizeKinds),
    name: z.string(),
    points: z.number().int().nullable(),
  }),
  /** A gift won: the order that ships it. */
  orderId: z.number().int().nullable(),
  couponId: z.number().int().nullable(),
  createdAt: z.string(),
})

export function registerMpLotteries(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/lotteries',
    {
      summary: '进行中的抽奖',
      response: z.array(z.object({ id: z.number().int(), title: z.string(), endsAt: z.string() })),
    },
    async () => {
      const now = deps.clock.now()
      return (await listLotteries(deps.db))
        .filter((l) => l.startsAt <= now && l.endsAt > now)
        .map((l) => ({ id: l.id, title: l.title, endsAt: l.endsAt.toISOString() }))
    },
  )

  api.get(
    '/lotteries/:id',
    { summary: '抽奖详情：奖品与中奖概率、剩余次数', params: idParams, response: lotteryViewSchema },
    ({ params }, ctx) => lotteryForMember(deps.db, params.id, ctx.state.memberId!, deps.clock.now()),
  )

  api.post(
    '/lotteries/:id/draws',
    {
      summary: '抽一次（先用每日免费次数，再用任务获得的次数，再按积分）',
      description: '同一 requestId 重试只抽一次，返回第一次的结果。',
      params: idParams,
      body: z.object({ requestId: z.string().trim().min(8, '请求编号至少 8 位').max(64) }),
      response: drawSchema,
      status: 201,
    },
    async ({ params, body }, ctx) => {
      const { draw, prize } = await drawLottery(deps.db, {
        lotteryId: params.id,
        memberId: ctx.state.memberId!,
        requestId: body.requestId,
        at: deps.clock.now(),
      })
      return {
        drawId: draw.id,
        entry: draw.entry,
        pointsSpent: draw.pointsSpent,
        prize: { id: prize.id, kind: prize.kind, name: prize.name, points: prize.points },
        orderId: draw.orderId,
        couponId: draw.couponId,
        createdAt: draw.createdAt.toISOString(),
      }
    },
  )

  api.get(
    '/lotteries/:id/draws',
    {
      summary: '我的抽奖记录',
      params: idParams,
      response: z.array(
        z.object({
          id: z.number().int(),
          prizeName: z.string(),
          kind: z.enum(prizeKinds),
          entry: z.enum(['free', 'earned', 'points']),
          pointsSpent: z.number().int(),
          orderId: z.number().int().nullable(),
          couponId: z.number().int().nullable(),
          createdAt: z.string(),
        }),
      ),
    },
    async ({ params }, ctx) =>
      (await memberDraws(deps.db, ctx.state.memberId!, params.id)).map(
        ({ lotteryId: _l, prizeId: _p, ...d }) => ({
          ...d,
          createdAt: d.createdAt.toISOString(),
        }),
      ),
  )
}
