// What tier rules read about members: each member's holding on a ladder and their net spend per
// window, plus tags and categories bought when a card rule needs them. One set-based query per ladder
// for a whole pass; the same query for one member after a paid order.
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
import type { Holding, MemberFacts, ParsedRule } from './rules'

export interface MemberTierFacts {
  facts: MemberFacts
  holding: Holding | null
}

/** Start of the Asia/Shanghai calendar year that `at` falls in. */
export function calendarYearStart(at: Date): Date {
  const year = new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear()
  return new Date(Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS)
}

export const rollingYearStart = (at: Date) => new Date(at.getTime() - 365 * 86_400_000)

const iso = (d: Date) => d.toISOString()

/**
 * Facts for the members a ladder's rules can touch at `at`: its holders, anyone with a paid goods order
 * in the last year or this calendar year, and (for card rules) anyone with a named tag or category.
 * `memberIds` narrows it to those members (the check after a paid order).
 */
export async function loadTierFacts(
  db: Db,
  ladderId: number,
  rules: ParsedRule[],
  at: Date,
  memberIds?: number[],
): Promise<Map<number, MemberTierFacts>> {
  const rolling = rollingYearStart(at)
  const yearStart = calendarYearStart(at)
  const earliest = rolling < yearStart ? rolling : yearStart
  const tags = new Set<string>()
  const categories = new Set<string>()
  for (const r of rules) {
    if (r.code !== 'card_eligibility') continue
    const a = r.args as { anyTags: string[]; anyCategories: string[] }
    a.anyTags.forEach((t) => tags.add(t))
    a.anyCategories.forEach((c) => categories.add(c))
  }
  const only = memberIds ? sql`and x.member_id = any(${`{${memberIds.join(',')}}`}::bigint[])` : sql``
  const tagList = `{${[...tags].map((t) => JSON.stringify(t)).join(',')}}`
  const catList = `{${[...categories].map((c) => JSON.stringify(c)).join(',')}}`
  const candidates: SQL[] = [
    sql`select member_id from member_tiers where ladder_id = ${ladderId}`,
    sql`select member_id from orders where kind = 'goods' and paid_at > ${iso(earliest)}::timestamptz and paid_at <= ${iso(at)}::timestamptz`,
  ]
  if (tags.size)
    candidates.push(
      sql`select mt.member_id from member_tags mt join tags t on t.id = mt.tag_id where t.name = any(${tagList}::text[])`,
    )
  if (categories.size)
    candidates.push(sql`select o.member_id from orders o join order_items oi on oi.order_id = o.id
      join categories c on c.id = oi.category_id
      where c.name = any(${catList}::text[]) and o.paid_at > ${iso(rolling)}::timestamptz and o.paid_at <= ${iso(at)}::timestamptz`)
  const tagFacts = tags.size
    ? sql`array(select t.name from member_tags mt join tags t on t.id = mt.tag_id
            where mt.member_id = m.id and t.name = any(${tagList}::text[]))`
    : sql`array[]::text[]`
  const categoryFacts = categories.size
    ? sql`array(select distinct c.name from orders o2 join order_items oi on oi.order_id = o2.id
            join categories c on c.id = oi.category_id
            where o2.member_id = m.id and o2.status <> 'refunded' and c.name = any(${catList}::text[])
              and o2.paid_at > ${iso(rolling)}::timestamptz and o2.paid_at <= ${iso(at)}::timestamptz)`
    : sql`array[]::text[]`

  const rows = await queryRows<{
    member_id: number
    level_id: number | null
    starts_at: Date | string | null
    ends_at: Date | string | null
    rolling: number
    calendar: number
    period: number
    tags: string[]
    categories: string[]
  }>(
    db,
    sql`with cand as (select distinct x.member_id from (${sql.join(candidates, sql` union all `)}) x where true ${only})
        select m.id as member_id, h.level_id, h.starts_at, h.ends_at,
          coalesce(sum(o.pay_fen - o.refunded_fen) filter (where o.paid_at > ${iso(rolling)}::timestamptz), 0)::bigint as rolling,
          coalesce(sum(o.pay_fen - o.refunded_fen) filter (where o.paid_at >= ${iso(yearStart)}::timestamptz), 0)::bigint as calendar,
          coalesce(sum(o.pay_fen - o.refunded_fen) filter (
            where h.starts_at is not null and o.paid_at >= h.starts_at and (h.ends_at is null or o.paid_at < h.ends_at)), 0)::bigint as period,
          ${tagFacts} as tags,
          ${categoryFacts} as categories
        from cand c
        join members m on m.id = c.member_id and m.merged_into_id is null
        left join member_tiers h on h.member_id = m.id and h.ladder_id = ${ladderId}
        left join orders o on o.member_id = m.id and o.kind = 'goods' and o.paid_at is not null
          and o.paid_at <= ${iso(at)}::timestamptz
          and o.paid_at > least(${iso(earliest)}::timestamptz, coalesce(h.starts_at, ${iso(earliest)}::timestamptz))
        group by m.id, h.level_id, h.starts_at, h.ends_at
        order by m.id`,
  )
  const toDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v))
  return new Map(
    rows.map((r) => [
      r.member_id,
      {
        holding:
          r.level_id === null
            ? null
            : { levelId: r.level_id, startsAt: toDate(r.starts_at)!, endsAt: toDate(r.ends_at) },
        facts: {
          memberId: r.member_id,
          spendFen: {
            rolling_year: Number(r.rolling),
            calendar_year: Number(r.calendar),
            period: Number(r.period),
          },
          tags: r.tags ?? [],
          categories: r.categories ?? [],
        },
      },
    ]),
  )
}
