// Referral figures over the whole brand: every member's counts (the referral-stats job keeps them in
// `referral_stats`), the super communicators, and the referral rate by month.
import { desc, eq, gte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
import { members } from '../db/schema/members'
import { referralSettings, referralStats } from '../db/schema/referral'
import { diffForestStats, forestStats, parseEdgePairs, parseIntegerRows, type ForestStats } from './forest'
import { getReferralSettings } from './settings'

/** Every member's direct and total referrals, depth and root, from one read of the edges. */
export async function computeDownlineCounts(db: Db): Promise<ForestStats> {
  const [row] = await queryRows<{ pairs: string | null }>(
    db,
    sql`select string_agg(referee_id::text || ',' || referrer_id::text, ',') as pairs
        from referrals where referrer_id is not null`,
  )
  const { refereeIds, referrerIds } = parseEdgePairs(row?.pairs ?? '')
  return forestStats(refereeIds, referrerIds)
}

const CHUNK = 20_000
const pgArray = (values: ArrayLike<number>, at: readonly number[]) =>
  `{${at.map((k) => values[k]).join(',')}}`

/**
 * Bring `referral_stats` up to date with the referrals: recompute the whole forest, then write only
 * the rows whose counts changed and remove members no longer in it (one transaction).
 */
export async function refreshReferralStats(
  db: Db,
  at: Date,
): Promise<{ members: number; changed: number; removed: number; maxDepth: number; unreachable: number }> {
  const stats = await computeDownlineCounts(db)
  const [stored] = await queryRows<{ rows: string | null }>(
    db,
    sql`select string_agg(member_id::text || ',' || direct_count || ',' || downline_count || ',' || depth || ',' || root_member_id, ',') as rows
        from referral_stats`,
  )
  const [memberIds, directCount, downlineCount, depth, rootMemberId] = parseIntegerRows(stored?.rows ?? '', 5)
  const { changed, removed } = diffForestStats(
    {
      memberIds: memberIds!,
      directCount: directCount!,
      downlineCount: downlineCount!,
      depth: depth!,
      rootMemberId: rootMemberId!,
    },
    stats,
  )
  await db.transaction(async (tx) => {
    for (let from = 0; from < removed.length; from += CHUNK) {
      const ids = removed.slice(from, from + CHUNK)
      await tx.execute(
        sql`delete from referral_stats where member_id = any(${`{${ids.join(',')}}`}::bigint[])`,
      )
    }
    for (let from = 0; from < changed.length; from += CHUNK) {
      const ks = changed.slice(from, from + CHUNK)
      await tx.execute(sql`
        insert into referral_stats (member_id, direct_count, downline_count, depth, root_member_id, refreshed_at)
        select *, ${at.toISOString()}::timestamptz from unnest(
          ${pgArray(stats.memberIds, ks)}::bigint[],
          ${pgArray(stats.directCount, ks)}::int[],
          ${pgArray(stats.downlineCount, ks)}::int[],
          ${pgArray(stats.depth, ks)}::int[],
          ${pgArray(stats.rootMemberId, ks)}::bigint[])
        on conflict (member_id) do update set
          direct_count = excluded.direct_count, downline_count = excluded.downline_count,
          depth = excluded.depth, root_member_id = excluded.root_member_id, refreshed_at = excluded.refreshed_at`)
    }
    await tx.execute(sql`
      insert into referral_settings (id, stats_refreshed_at) values (1, ${at.toISOString()}::timestamptz)
      on conflict (id) do update set stats_refreshed_at = excluded.stats_refreshed_at`)
  })
  return {
    members: stats.memberIds.length,
    changed: changed.length,
    removed: removed.length,
    maxDepth: stats.maxDepth,
    unreachable: stats.unreachable,
  }
}

export const superCommunicatorSchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  directCount: z.number().int(),
  downlineCount: z.number().int(),
  depth: z.number().int(),
})

/** Members who brought at least the threshold directly (10 by default), most direct referrals first. */
export async function superCommunicators(
  db: Db,
  options: { threshold?: number; limit?: number; offset?: number } = {},
) {
  const threshold = options.threshold ?? (await getReferralSettings(db)).superCommunicatorThreshold
  const rows = await db
    .select({
      memberId: referralStats.memberId,
      memberNo: members.memberNo,
      name: members.name,
      nickname: members.nickname,
      directCount: referralStats.directCount,
      downlineCount: referralStats.downlineCount,
      depth: referralStats.depth,
    })
    .from(referralStats)
    .innerJoin(members, eq(members.id, referralStats.memberId))
    .where(gte(referralStats.directCount, threshold))
    .orderBy(desc(referralStats.directCount), desc(referralStats.downlineCount), referralStats.memberId)
    .limit(options.limit ?? 50)
    .offset(options.offset ?? 0)
  const [refreshed] = await db
    .select({ at: referralSettings.statsRefreshedAt })
    .from(referralSettings)
    .where(eq(referralSettings.id, 1))
  return { threshold, refreshedAt: refreshed?.at ?? null, members: rows }
}

export const referralRateMonthSchema = z.object({
  month: z.string(),
  newCustomers: z.number().int(),
  broughtByMembers: z.number().int(),
  broughtByStaff: z.number().int(),
  /** broughtByMembers ÷ newCustomers, 0 when the month had no new customer. */
  referralRate: z.number(),
})
export type ReferralRateMonth = z.infer<typeof referralRateMonthSchema>

/** "YYYY-MM" in Asia/Shanghai. */
const shanghaiMonth = (at: Date) => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7)

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m++
    if (m === 13) {
      m = 1
      y++
    }
  }
  return out
}

/**
 * The brand's referral rate by month (Asia/Shanghai): of the members whose first purchase fell in the
 * month (a paid order not cancelled or fully refunded), how many had been brought by a member.
 */
export async function referralRateByMonth(
  db: Db,
  range: { from: Date; to: Date },
): Promise<ReferralRateMonth[]> {
  const rows = await queryRows<{
    month: string
    new_customers: number
    by_members: number
    by_staff: number
  }>(
    db,
    sql`with firsts as (
          select member_id, min(paid_at) as first_paid from orders
          where paid_at is not null and status not in ('cancelled', 'refunded')
          group by member_id
        )
        select to_char(f.first_paid at time zone 'Asia/Shanghai', 'YYYY-MM') as month,
          count(*)::int as new_customers,
          (count(*) filter (where r.referrer_id is not null))::int as by_members,
          (count(*) filter (where r.referrer_operator_id is not null))::int as by_staff
        from firsts f left join referrals r on r.referee_id = f.member_id
        where f.first_paid >= ${range.from.toISOString()}::timestamptz
          and f.first_paid < ${range.to.toISOString()}::timestamptz
        group by 1`,
  )
  const byMonth = new Map(rows.map((r) => [r.month, r]))
  const last = new Date(range.to.getTime() - 1)
  return monthsBetween(shanghaiMonth(range.from), shanghaiMonth(last)).map((month) => {
    const r = byMonth.get(month)
    const newCustomers = r?.new_customers ?? 0
    const broughtByMembers = r?.by_members ?? 0
    return {
      month,
      newCustomers,
      broughtByMembers,
      broughtByStaff: r?.by_staff ?? 0,
      referralRate: newCustomers === 0 ? 0 : Math.round((broughtByMembers / newCustomers) * 10_000) / 10_000,
    }
  })
}
