// The member's electronic card in the mini-program: levels, benefits, points, honours and the signed
// member code for the till; and paying for or renewing a paid level (part in points where offered).
import { z } from 'zod'
import { memberCard, tillCodeKey } from '../../../shared/card/member-card'
import { quoteRenewal, renewMembership } from '../../../shared/tiers/membership'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { cachedJson } from '../../read-cache'

const cardSchema = z.object({
  member: z.object({
    memberNo: z.string(),
    name: z.string().nullable(),
    nickname: z.string().nullable(),
    avatarUrl: z.string().nullable(),
  }),
  levels: z.array(
    z.object({
      ladder: z.string(),
      ladderName: z.string(),
      kind: z.enum(['vertical', 'horizontal']),
      level: z.string(),
      levelName: z.string(),
      pointsMultiplierPct: z.number(),
      endsAt: z.string().nullable(),
    }),
  ),
  pointsMultiplierPct: z.number(),
  benefits: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      kind: z.string(),
      description: z.string().nullable(),
      level: z.string(),
      quota: z.number().nullable(),
      used: z.number().nullable(),
      remaining: z.number().nullable(),
      discountPct: z.number().nullable(),
    }),
  ),
  points: z.object({
    balance: z.number(),
    expiringPoints: z.number(),
    expiringSoonestAt: z.string().nullable(),
  }),
  honours: z.array(
    z.object({ code: z.string(), title: z.string(), periodKey: z.string(), rank: z.number() }),
  ),
  tillCode: z.object({ payload: z.string(), expiresAt: z.string(), qrDataUrl: z.string() }),
})

/**
 * How long a card may be served from the cache: a minute at most (the till code keeps four of its five
 * minutes), and never past a level's end or the moment points lapse — those change it without a write.
 */
export function cardTtlMs(
  card: { levels: { endsAt: string | null }[]; points: { expiringSoonestAt: string | null } },
  at: Date,
): number {
  const moments = [...card.levels.map((l) => l.endsAt), card.points.expiringSoonestAt].flatMap((iso) =>
    iso ? [new Date(iso).getTime() - at.getTime()] : [],
  )
  return Math.max(0, Math.min(CARD_TTL_MS, ...moments))
}

const CARD_TTL_MS = 60_000

const levelQuery = z.object({ ladder: z.string().min(1).max(32), level: z.string().min(1).max(32) })

export function registerMpCard(api: ApiRouter, deps: AppDeps): void {
  const tillKey = tillCodeKey(deps.config.signingKey)

  api.get(
    '/card',
    { summary: '我的会员卡：等级、权益、积分、荣誉与到店出示的会员码（5 分钟有效）', response: cardSchema },
    (_input, ctx) => {
      const memberId = ctx.state.memberId!
      const at = deps.clock.now()
      return cachedJson(
        deps.readCaches?.cards,
        ctx,
        memberId,
        () => memberCard(deps.db, memberId, at, tillKey),
        (card) => cardTtlMs(card, at),
      )
    },
  )

  api.get(
    '/card/renewal',
    { summary: '付费会员开通/续费报价（含积分抵扣方案）', query: levelQuery },
    ({ query }, ctx) =>
      quoteRenewal(deps.db, ctx.state.memberId!, query.ladder, query.level, deps.clock.now()),
  )

  api.post(
    '/card/renewal',
    {
      summary: '开通或续费付费会员：现金部分由已支付的会费订单承担，续费时可用积分抵扣部分会费',
      body: levelQuery.extend({
        requestId: z.string().trim().min(8).max(64),
        usePoints: z.boolean().default(false),
        orderNo: z.string().min(1).max(64).optional(),
      }),
      status: 201,
    },
    async ({ body }, ctx) => {
      const r = await renewMembership(
        deps.db,
        {
          memberId: ctx.state.memberId!,
          ladderCode: body.ladder,
          levelCode: body.level,
          requestId: body.requestId,
          usePoints: body.usePoints,
          orderNo: body.orderNo,
        },
        deps.clock.now(),
      )
      return {
        duplicate: r.duplicate,
        feeFen: r.renewal.feeFen,
        cashFen: r.renewal.cashFen,
        pointsSpent: r.renewal.pointsSpent,
        startsAt: r.renewal.startsAt.toISOString(),
        endsAt: r.renewal.endsAt.toISOString(),
      }
    },
  )
}
