// At the till: staff scan the member card's code (the member number, or a store card) or type a phone
// number, and see visits, total spend, tier and stage, with what to say next — invite a good customer
// into paid membership, tell them how close the next level is, ask a fan to recommend a friend.
import { and, eq, isNull, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import {
  memberIdentities,
  members,
  type LifecycleStage,
  type Member,
  type RepurchaserKind,
} from '../db/schema/members'
import { repurchaserAdvice, stageNames } from '../members/labels'
import { birthdayKeys } from '../segments/filter'
import { levelHeldAt } from '../db/schema/loyalty'

export const tillQuerySchema = z
  .object({
    /** What the card's QR code or barcode carries: the member number or a store card number. */
    code: z.string().trim().min(1).max(64).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^1[3-9]\d{9}$/, '手机号格式不正确')
      .optional(),
  })
  .refine((q) => q.code !== undefined || q.phone !== undefined, {
    message: '请扫描会员码或输入手机号',
    path: ['code'],
  })
export type TillQuery = z.infer<typeof tillQuerySchema>

export interface PitchContext {
  stage: LifecycleStage
  repurchaserKind: RepurchaserKind | null
  paidOrders: number
  spendFen: number
  /** Spend in the last 365 days, in fen: what spend-based levels are judged on. */
  yearSpendFen: number
  hasPaidTier: boolean
  /** The cheapest paid level on offer, if the brand sells one. */
  paidOffer: { name: string; annualFeeFen: number } | null
  /** The next level on the spend ladder above the member's, if any. */
  nextSpendLevel: { name: string; thresholdFen: number } | null
  birthdaySoon: boolean
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`

/** Pitches as rules, most valuable first: each returns what to say, or null when it does not apply. */
export const pitchRules: { code: string; say(c: PitchContext): string | null }[] = [
  {
    code: 'birthday',
    say: (c) => (c.birthdaySoon ? '生日就在这几天：送上生日祝福和生日礼，邀请拍照分享' : null),
  },
  {
    code: 'invite_paid_membership',
    say: (c) =>
      !c.hasPaidTier && c.paidOffer && (c.paidOrders >= 3 || c.spendFen >= 100_000)
        ? `好顾客（已购 ${c.paidOrders} 次，累计 ${yuan(c.spendFen)}）：邀请开通${c.paidOffer.name}（${yuan(c.paidOffer.annualFeeFen)}/年），讲清积分加倍和专属权益`
        : null,
  },
  {
    code: 'close_to_next_level',
    say: (c) =>
      c.nextSpendLevel &&
      c.nextSpendLevel.thresholdFen - c.yearSpendFen > 0 &&
      c.nextSpendLevel.thresholdFen - c.yearSpendFen <= c.nextSpendLevel.thresholdFen * 0.25
        ? `再消费 ${yuan(c.nextSpendLevel.thresholdFen - c.yearSpendFen)} 即可升级为${c.nextSpendLevel.name}，可以推荐合适的商品`
        : null,
  },
  {
    code: 'ask_for_referral',
    say: (c) =>
      c.stage === 'super_user' || c.repurchaserKind === 'spontaneous'
        ? '老朋友、爱分享：当面感谢，请他推荐好友，送一张好友券'
        : null,
  },
  {
    code: 'repurchaser_action',
    say: (c) =>
      c.repurchaserKind
        ? `${repurchaserAdvice[c.repurchaserKind].name}复购客户：${repurchaserAdvice[c.repurchaserKind].action}`
        : null,
  },
  {
    code: 'first_purchase',
    say: (c) => (c.paidOrders === 0 ? '还没买过：介绍招牌商品，邀请添加专属顾问微信，领新人券' : null),
  },
  { code: 'welcome_back', say: () => '欢迎再次光临：邀请加入会员社群，关注新品和会员活动' },
]

/** Pure: the first pitches that apply (at most two). */
export function suggestPitch(c: PitchContext): string[] {
  return pitchRules
    .map((r) => r.say(c))
    .filter((s): s is string => s !== null)
    .slice(0, 2)
}

export const tillResultSchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  stage: z.string(),
  stageName: z.string(),
  repurchaserKind: z.string().nullable(),
  visits: z.number().int(),
  lastVisitAt: z.string().nullable(),
  paidOrders: z.number().int(),
  totalSpendFen: z.number().int(),
  pointsBalance: z.number().int(),
  tiers: z.array(z.object({ ladder: z.string(), level: z.string(), endsAt: z.string().nullable() })),
  pitch: z.array(z.string()),
})
export type TillResult = z.infer<typeof tillResultSchema>

async function findAtTill(db: Db, q: TillQuery): Promise<Member | null> {
  if (q.code) {
    const code = q.code.toUpperCase()
    const [byNo] = await db
      .select()
      .from(members)
      .where(and(eq(members.memberNo, code), isNull(members.mergedIntoId)))
    if (byNo) return byNo
  }
  const conditions = []
  if (q.code)
    conditions.push(and(eq(memberIdentities.kind, 'store_card'), eq(memberIdentities.value, q.code)))
  if (q.phone) conditions.push(and(eq(memberIdentities.kind, 'phone'), eq(memberIdentities.value, q.phone)))
  const [row] = await db
    .select({ member: members })
    .from(memberIdentities)
    .innerJoin(members, eq(members.id, memberIdentities.memberId))
    .where(or(...conditions))
    .limit(1)
  return row?.member ?? null
}

/** Look a member up at the till. A code or phone that matches nobody: 404 `member_not_found`. */
export async function lookupAtTill(db: Db, input: TillQuery, at: Date): Promise<TillResult> {
  const q = tillQuerySchema.parse(input)
  const member = await findAtTill(db, q)
  if (!member) throw notFound('会员', 'member_not_found')
  if (member.mergedIntoId) throw new DomainError('member_merged', '该会员已合并到其他会员', 409)
  const now = sql`${at.toISOString()}::timestamptz`
  const [facts] = await queryRows<{
    visits: number
    last_visit_at: Date | string | null
    paid_orders: number
    spend_fen: number
    year_spend_fen: number
    points: number
  }>(
    db,
    sql`select
      (select count(distinct (v.at at time zone 'Asia/Shanghai')::date)::int from (
        select o.paid_at as at from orders o where o.member_id = ${member.id} and o.channel = 'store' and o.paid_at is not null
        union all
        select e.occurred_at from member_events e where e.member_id = ${member.id} and e.type = 'store_visit') v) as visits,
      (select max(v.at) from (
        select o.paid_at as at from orders o where o.member_id = ${member.id} and o.channel = 'store' and o.paid_at is not null
        union all
        select e.occurred_at from member_events e where e.member_id = ${member.id} and e.type = 'store_visit') v) as last_visit_at,
      (select count(*)::int from orders o where o.member_id = ${member.id} and o.paid_at is not null
        and o.status not in ('refunded', 'cancelled')) as paid_orders,
      (select coalesce(sum(o.pay_fen - o.refunded_fen), 0)::bigint from orders o where o.member_id = ${member.id}
        and o.paid_at is not null and o.status not in ('refunded', 'cancelled')) as spend_fen,
      (select coalesce(sum(o.pay_fen - o.refunded_fen), 0)::bigint from orders o where o.member_id = ${member.id}
        and o.paid_at > ${now} - interval '365 days' and o.status not in ('refunded', 'cancelled')) as year_spend_fen,
      coalesce((select balance from points_accounts where member_id = ${member.id}), 0) as points`,
  )
  const tiers = await queryRows<{
    ladder: string
    basis: string
    level: string
    rank: number
    ladder_id: number
    ends_at: Date | string | null
  }>(
    db,
    sql`select tl.name as ladder, tl.basis, lv.name as level, lv.rank, tl.id as ladder_id, mt.ends_at
        from member_tiers mt join tier_ladders tl on tl.id = mt.ladder_id join tier_levels lv on lv.id = mt.level_id
        where mt.member_id = ${member.id} and ${levelHeldAt('mt', now)}
        order by tl.id`,
  )
  const [offer] = await queryRows<{ name: string; annual_fee_fen: number }>(
    db,
    sql`select lv.name, lv.annual_fee_fen from tier_levels lv join tier_ladders tl on tl.id = lv.ladder_id
        where tl.basis = 'paid' and lv.annual_fee_fen > 0 order by lv.annual_fee_fen, lv.rank limit 1`,
  )
  const spendTier = tiers.find((t) => t.basis === 'spend')
  const [next] = await queryRows<{ name: string; threshold: number }>(
    db,
    sql`select lv.name, lv.threshold from tier_levels lv join tier_ladders tl on tl.id = lv.ladder_id
        where tl.basis = 'spend' and lv.rank > ${spendTier?.rank ?? 0}
          ${spendTier ? sql`and tl.id = ${spendTier.ladder_id}` : sql``}
        order by lv.rank limit 1`,
  )
  const keys = birthdayKeys(at, 7)
  const md = member.birthday ? Number(member.birthday.slice(5).replace('-', '')) : null
  const birthdaySoon =
    md !== null && (member.birthdayCalendar === 'lunar' ? keys.lunar.includes(md) : keys.solar.includes(md))
  const f = facts!
  const context: PitchContext = {
    stage: member.stage,
    repurchaserKind: member.repurchaserKind,
    paidOrders: Number(f.paid_orders),
    spendFen: Number(f.spend_fen),
    yearSpendFen: Number(f.year_spend_fen),
    hasPaidTier: tiers.some((t) => t.basis === 'paid'),
    paidOffer: offer ? { name: offer.name, annualFeeFen: Number(offer.annual_fee_fen) } : null,
    nextSpendLevel: next ? { name: next.name, thresholdFen: Number(next.threshold) } : null,
    birthdaySoon,
  }
  return {
    memberId: member.id,
    memberNo: member.memberNo,
    name: member.name,
    nickname: member.nickname,
    stage: member.stage,
    stageName: stageNames[member.stage],
    repurchaserKind: member.repurchaserKind,
    visits: Number(f.visits),
    lastVisitAt: f.last_visit_at ? new Date(f.last_visit_at).toISOString() : null,
    paidOrders: context.paidOrders,
    totalSpendFen: context.spendFen,
    pointsBalance: Number(f.points),
    tiers: tiers.map((t) => ({
      ladder: t.ladder,
      level: t.level,
      endsAt: t.ends_at ? new Date(t.ends_at).toISOString() : null,
    })),
    pitch: suggestPitch(context),
  }
}
