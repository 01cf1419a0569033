// What each advocate is worth: the leads and referrals they generated, and the orders, revenue and
// gross margin of the customers they brought (revenue alone misleads), against the commission they
// earned: the return on the relationship.
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'

export const advocateSorts = ['margin', 'revenue', 'referrals', 'leads', 'orders'] as const
export type AdvocateSort = (typeof advocateSorts)[number]

export const advocateValueSchema = z.object({
  kind: z.enum(['member', 'staff']),
  /** The member id, or the operator id of a staff advocate. */
  advocateId: z.number().int(),
  displayName: z.string(),
  memberNo: z.string().nullable(),
  /** People who arrived through the advocate's code, attributed or not. */
  leads: z.number().int(),
  /** New members attributed to the advocate. */
  referrals: z.number().int(),
  /** Referred members with at least one kept order. */
  customers: z.number().int(),
  /** Paid orders of the referred members, not cancelled or fully refunded. */
  orders: z.number().int(),
  /** What those orders brought in: paid less refunded. */
  revenueFen: z.number().int(),
  /** Revenue less shipping and the cost of the goods (order_items.unit_cost_fen). */
  grossMarginFen: z.number().int(),
  /** Commission earned, net of refunds (frozen or available). */
  commissionFen: z.number().int(),
  /** Commission actually paid out (withdrawals marked paid). */
  commissionPaidFen: z.number().int(),
  /** (gross margin − commission) ÷ commission; null when no commission was earned. */
  returnOnRelationship: z.number().nullable(),
})
export type AdvocateValue = z.infer<typeof advocateValueSchema>

const sortColumn: Record<AdvocateSort, SQL> = {
  margin: sql`margin`,
  revenue: sql`revenue`,
  referrals: sql`referrals`,
  leads: sql`leads`,
  orders: sql`orders`,
}

export interface AdvocateQuery {
  /** Only referrals, orders, leads and commission from this instant (inclusive)… */
  from?: Date
  /** …to this one (exclusive). */
  to?: Date
  advocate?: { kind: 'member' | 'staff'; id: number }
  sort?: AdvocateSort
  limit?: number
  offset?: number
}

export async function advocateValues(db: Db, q: AdvocateQuery = {}): Promise<AdvocateValue[]> {
  const from = q.from?.toISOString() ?? null
  const to = q.to?.toISOString() ?? null
  const within = (col: SQL) =>
    sql`(${from}::timestamptz is null or ${col} >= ${from}::timestamptz) and (${to}::timestamptz is null or ${col} < ${to}::timestamptz)`
  const rows = await queryRows<Record<string, string | number | null>>(
    db,
    sql`with refs as (
          select case when referrer_id is not null then 'member' else 'staff' end as kind,
            coalesce(referrer_id, referrer_operator_id) as advocate_id, referee_id
          from referrals where ${within(sql`attributed_at`)}
        ),
        ref_counts as (select kind, advocate_id, count(*) as referrals from refs group by 1, 2),
        kept as (
          select r.kind, r.advocate_id, o.id as order_id, o.member_id,
            o.pay_fen - o.refunded_fen as revenue, o.shipping_fen
          from refs r join orders o on o.member_id = r.referee_id
          where o.paid_at is not null and o.status not in ('cancelled', 'refunded') and ${within(sql`o.paid_at`)}
        ),
        costs as (
          select i.order_id, sum(i.quantity * i.unit_cost_fen) as cost
          from order_items i where i.order_id in (select order_id from kept) group by 1
        ),
        sales as (
          select k.kind, k.advocate_id, count(*) as orders, count(distinct k.member_id) as customers,
            sum(k.revenue) as revenue, sum(k.revenue - k.shipping_fen - coalesce(c.cost, 0)) as margin
          from kept k left join costs c on c.order_id = k.order_id group by 1, 2
        ),
        leads as (
          select case when sc.member_id is not null then 'member' else 'staff' end as kind,
            coalesce(sc.member_id, sc.operator_id) as advocate_id, count(distinct t.member_id) as leads
          from referral_touches t join share_codes sc on sc.code = t.code
          where ${within(sql`t.touched_at`)}
          group by 1, 2
        ),
        comm as (
          select p.kind, coalesce(p.member_id, p.operator_id) as advocate_id,
            sum(c.amount_fen - c.reversed_fen) as earned
          from commissions c join promoters p on p.id = c.promoter_id
          where ${within(sql`c.created_at`)}
          group by 1, 2
        ),
        paid as (
          select p.kind, coalesce(p.member_id, p.operator_id) as advocate_id, a.withdrawn_fen
          from promoters p join commission_accounts a on a.promoter_id = p.id
        ),
        keys as (
          select kind, advocate_id from ref_counts
          union select kind, advocate_id from leads
          union select kind, advocate_id from comm
        ),
        result as (
          select k.kind, k.advocate_id,
            coalesce(m.name, m.nickname, m.member_no, op.display_name, '') as display_name, m.member_no,
            coalesce(l.leads, 0)::int as leads, coalesce(rc.referrals, 0)::int as referrals,
            coalesce(s.customers, 0)::int as customers, coalesce(s.orders, 0)::int as orders,
            coalesce(s.revenue, 0)::bigint as revenue, coalesce(s.margin, 0)::bigint as margin,
            coalesce(cm.earned, 0)::bigint as earned, coalesce(pd.withdrawn_fen, 0)::bigint as withdrawn
          from keys k
          left join ref_counts rc on rc.kind = k.kind and rc.advocate_id = k.advocate_id
          left join sales s on s.kind = k.kind and s.advocate_id = k.advocate_id
          left join leads l on l.kind = k.kind and l.advocate_id = k.advocate_id
          left join comm cm on cm.kind = k.kind and cm.advocate_id = k.advocate_id
          left join paid pd on pd.kind = k.kind and pd.advocate_id = k.advocate_id
          left join members m on k.kind = 'member' and m.id = k.advocate_id
          left join operators op on k.kind = 'staff' and op.id = k.advocate_id
          where ${q.advocate ? sql`k.kind = ${q.advocate.kind} and k.advocate_id = ${q.advocate.id}` : sql`true`}
        )
        select * from result
        order by ${sortColumn[q.sort ?? 'margin']} desc, kind, advocate_id
        limit ${q.limit ?? 50} offset ${q.offset ?? 0}`,
  )
  return rows.map((r) => {
    const commissionFen = Number(r.earned)
    const grossMarginFen = Number(r.margin)
    return {
      kind: r.kind as 'member' | 'staff',
      advocateId: Number(r.advocate_id),
      displayName: String(r.display_name),
      memberNo: r.member_no === null ? null : String(r.member_no),
      leads: Number(r.leads),
      referrals: Number(r.referrals),
      customers: Number(r.customers),
      orders: Number(r.orders),
      revenueFen: Number(r.revenue),
      grossMarginFen,
      commissionFen,
      commissionPaidFen: Number(r.withdrawn),
      returnOnRelationship:
        commissionFen > 0 ? Math.round(((grossMarginFen - commissionFen) / commissionFen) * 100) / 100 : null,
    }
  })
}

/** The top advocates of a period by one measure, ranked from 1. */
export async function advocateLeaderboard(
  db: Db,
  q: { from?: Date; to?: Date; by?: AdvocateSort; limit?: number },
): Promise<(AdvocateValue & { rank: number })[]> {
  const rows = await advocateValues(db, {
    from: q.from,
    to: q.to,
    sort: q.by ?? 'referrals',
    limit: q.limit ?? 10,
  })
  return rows.map((r, i) => ({ ...r, rank: i + 1 }))
}
