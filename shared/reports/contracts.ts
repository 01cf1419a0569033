// What the operator reports look like on the wire. Zod only (no database code), so the console can
// import these types without pulling the data model into the browser.
import { z } from 'zod'
import { funnelStages } from './stages'

export { funnelStages, type FunnelStage } from './stages'

const ratio = z.number().min(0).nullable().describe('0..1; null when the denominator is zero')
const calendarDate = z.iso.date('日期格式应为 YYYY-MM-DD')

export const funnelReportSchema = z.object({
  totalMembers: z.number().int(),
  stages: z.array(
    z.object({
      stage: z.enum(funnelStages),
      /** Members currently at this stage. */
      members: z.number().int(),
      /** Members at this stage or further along the journey. */
      reached: z.number().int(),
      /** reached ÷ reached of the previous stage (null for the first stage). */
      fromPrevious: ratio,
    }),
  ),
})
export type FunnelReport = z.infer<typeof funnelReportSchema>

export const tierDistributionSchema = z.object({
  totalMembers: z.number().int(),
  ladders: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      kind: z.enum(['vertical', 'horizontal']),
      levels: z.array(
        z.object({ code: z.string(), name: z.string(), rank: z.number().int(), members: z.number().int() }),
      ),
      /** Members holding no current level on this ladder. */
      withoutLevel: z.number().int(),
    }),
  ),
})
export type TierDistribution = z.infer<typeof tierDistributionSchema>

export const periodQuerySchema = z
  .object({
    from: calendarDate.optional(),
    to: calendarDate.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] })
export type PeriodQuery = z.infer<typeof periodQuerySchema>

export const periodReportSchema = z.object({
  /** Calendar dates in Asia/Shanghai, both inclusive. */
  from: z.string(),
  to: z.string(),
  reach: z.object({
    /** Members an advisor or a campaign reached out to in the period. */
    reached: z.number().int(),
    /** Members on record at the end of the period. */
    members: z.number().int(),
    rate: ratio,
  }),
  referral: z.object({
    newMembers: z.number().int(),
    /** New members of the period who were brought by another member. */
    referredNewMembers: z.number().int(),
    /** Members who brought at least one new member in the period. */
    referrers: z.number().int(),
    rate: ratio,
  }),
  /** 销售额 = 流量 × 客单价 × 转化率 × 复购率 (seed 001), each factor measured. */
  sales: z.object({
    /** Paid minus refunded, fen, of orders paid in the period and not cancelled or refunded. */
    salesFen: z.number().int(),
    /** Members with any recorded event in the period (a purchase counts as one). */
    traffic: z.number().int(),
    buyers: z.number().int(),
    orders: z.number().int(),
    /** Buyers with two or more orders in the period. */
    repeatBuyers: z.number().int(),
    averageOrderFen: z.number().int().nullable(),
    conversionRate: ratio,
    repurchaseRate: ratio,
    /** Orders per buyer: traffic × conversion × orders per buyer × average order = sales. */
    ordersPerBuyer: z.number().nullable(),
  }),
})
export type PeriodReport = z.infer<typeof periodReportSchema>

export const growthQuerySchema = z.object({
  months: z.coerce.number().int().min(1).max(60).default(18),
})

export const growthReportSchema = z.object({
  months: z.array(
    z.object({
      /** YYYY-MM in Asia/Shanghai. */
      month: z.string(),
      newMembers: z.number().int(),
      orders: z.number().int(),
      revenueFen: z.number().int(),
    }),
  ),
})
export type GrowthReport = z.infer<typeof growthReportSchema>

export const memberSearchSchema = z.object({
  q: z.string().trim().max(50).optional(),
  stage: z.enum(funnelStages).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
})
export type MemberSearch = z.infer<typeof memberSearchSchema>

const memberTierSchema = z.object({
  ladderCode: z.string(),
  ladderName: z.string(),
  levelCode: z.string(),
  levelName: z.string(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
})

export const memberListSchema = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  items: z.array(
    z.object({
      id: z.number().int(),
      memberNo: z.string(),
      name: z.string().nullable(),
      nickname: z.string().nullable(),
      /** Masked: 138****5678. */
      phone: z.string().nullable(),
      stage: z.enum(funnelStages),
      tiers: z.array(memberTierSchema),
      pointsBalance: z.number().int(),
      createdAt: z.string(),
      lastSeenAt: z.string().nullable(),
    }),
  ),
})
export type MemberList = z.infer<typeof memberListSchema>
export type MemberListItem = MemberList['items'][number]

export const memberDetailSchema = z.object({
  profile: z.object({
    id: z.number().int(),
    memberNo: z.string(),
    name: z.string().nullable(),
    nickname: z.string().nullable(),
    gender: z.enum(['unknown', 'male', 'female']),
    birthday: z.string().nullable(),
    city: z.string().nullable(),
    occupation: z.string().nullable(),
    stage: z.enum(funnelStages),
    repurchaserKind: z.string().nullable(),
    source: z.string(),
    advisor: z.string().nullable(),
    optedOut: z.boolean(),
    createdAt: z.string(),
    lastSeenAt: z.string().nullable(),
  }),
  identities: z.array(
    z.object({ kind: z.string(), value: z.string(), verified: z.boolean(), createdAt: z.string() }),
  ),
  tiers: z.array(memberTierSchema.extend({ active: z.boolean() })),
  pointsBalance: z.number().int(),
  orders: z.object({
    count: z.number().int(),
    spentFen: z.number().int(),
    lastPaidAt: z.string().nullable(),
  }),
  referral: z.object({
    referredBy: z
      .object({ id: z.number().int(), memberNo: z.string(), name: z.string().nullable() })
      .nullable(),
    broughtMembers: z.number().int(),
  }),
  tags: z.array(z.object({ dimension: z.string(), name: z.string() })),
  recentEvents: z.array(
    z.object({
      id: z.number().int(),
      type: z.string(),
      occurredAt: z.string(),
      payload: z.record(z.string(), z.unknown()),
    }),
  ),
})
export type MemberDetail = z.infer<typeof memberDetailSchema>
