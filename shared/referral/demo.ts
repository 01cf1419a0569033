// Demo data for referral and distribution, on top of the members, orders and referrals the people
// script generated: share codes, leads, commission levels, promoters with commission earned through
// the real services, a few withdrawals, post-purchase survey answers, and the referral statistics.
// Each step touches only rows it has not seen, so seeding in batches adds up.
import { and, desc, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { queryRows } from '../db/client'
import { orders } from '../db/schema/orders'
import { promoterLevels, withdrawals } from '../db/schema/referral'
import { savePromoterLevel } from './promoters'
import { onReferredOrderPaid } from './order-attribution'
import { releaseFrozenCommissions } from './commissions'
import { commissionBalanceOf } from './commission-ledger'
import { actOnWithdrawal, requestWithdrawal } from './withdrawals'
import { refreshReferralStats } from './stats'

/** At most this many recent referred orders earn commission through the services per batch. */
const COMMISSION_ORDERS = 300
const DAY_MS = 86_400_000

export async function seedReferralDemo(db: Db, now: Date): Promise<void> {
  await db.execute(sql`insert into referral_settings (id) values (1) on conflict do nothing`)
  const levels = await db.select({ id: promoterLevels.id }).from(promoterLevels).limit(1)
  if (levels.length === 0) {
    await savePromoterLevel(db, {
      code: 'starter',
      name: '推广新人',
      rank: 1,
      tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 500 } },
      tier2Rule: null,
      isDefault: true,
    })
    await savePromoterLevel(db, {
      code: 'gold',
      name: '金牌推广员',
      rank: 2,
      tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 1000 } },
      tier2Rule: { code: 'percent_of_paid', args: { basisPoints: 300 } },
    })
  }

  const nowAt = sql`${now.toISOString()}::timestamptz`
  // Share codes for everyone who has brought someone (the code recorded on their first referral).
  await db.execute(sql`
    insert into share_codes (code, member_id, created_at)
    select distinct on (referrer_id) coalesce(code, 'R' || referrer_id), referrer_id, attributed_at
    from referrals r
    where referrer_id is not null and not exists (select 1 from share_codes s where s.member_id = r.referrer_id)
    order by referrer_id, attributed_at
    on conflict do nothing`)
  // Every attribution was a touch; some existing members opened a code too (leads that were not new).
  await db.execute(sql`
    insert into referral_touches (code, member_id, outcome, touched_at)
    select s.code, r.referee_id, 'attributed', r.attributed_at
    from referrals r join share_codes s on s.member_id = r.referrer_id
    where not exists (select 1 from referral_touches t where t.member_id = r.referee_id and t.code = s.code)`)
  // One member in eight opened somebody's code once (picked by hash, so the work grows with the members,
  // not with members × codes).
  await db.execute(sql`
    with codes as (
      select code, member_id, created_at, (row_number() over (order by code) - 1)::int as i from share_codes
    ), n as (select count(*)::int as n from codes)
    insert into referral_touches (code, member_id, outcome, touched_at)
    select c.code, m.id, 'not_new', greatest(m.created_at, c.created_at) + interval '40 days'
    from members m cross join n
    join codes c on c.i = (hashtext('touch' || m.id) & 2147483647) % n.n
    where n.n > 0 and (hashtext('opened' || m.id) & 7) = 0 and m.id <> c.member_id
      and greatest(m.created_at, c.created_at) + interval '40 days' < ${nowAt}
      and not exists (select 1 from referral_touches t where t.member_id = m.id and t.code = c.code)`)
  // The most active referrers are promoters: gold from 10 direct referrals, otherwise starter.
  await db.execute(sql`
    insert into promoters (kind, member_id, level_id, joined_at)
    select 'member', c.referrer_id,
      (select id from promoter_levels where code = case when c.n >= 10 then 'gold' else 'starter' end),
      c.first_at
    from (
      select referrer_id, count(*) as n, min(attributed_at) as first_at from referrals
      where referrer_id is not null group by referrer_id having count(*) >= 3
      order by count(*) desc limit 200
    ) c
    where exists (select 1 from promoter_levels where code = 'starter')
    on conflict do nothing`)

  // Commission through the real rules: the latest referred orders, then the return window passes.
  const referred = await db
    .select({ id: orders.id, paidAt: orders.paidAt })
    .from(orders)
    .where(
      and(
        isNotNull(orders.referrerId),
        isNotNull(orders.paidAt),
        sql`not exists (select 1 from commissions c where c.order_id = ${orders.id})`,
        sql`exists (select 1 from promoters p where p.member_id = ${orders.referrerId})`,
      ),
    )
    .orderBy(desc(orders.paidAt))
    .limit(COMMISSION_ORDERS)
  for (const o of referred) await onReferredOrderPaid(db, o.id, o.paidAt!)
  await releaseFrozenCommissions(db, now)

  // A few promoters have asked to withdraw: one paid, one approved, one waiting.
  const [{ n: existing }] = (await db.select({ n: sql<number>`count(*)::int` }).from(withdrawals)) as [
    { n: number },
  ]
  if (existing === 0) {
    const rich = await queryRows<{ promoter_id: number }>(
      db,
      sql`select promoter_id from commission_accounts where available_fen >= 2000 order by available_fen desc limit 3`,
    )
    const steps: ('pay' | 'approve' | null)[] = ['pay', 'approve', null]
    for (const [i, { promoter_id }] of rich.entries()) {
      const promoterId = Number(promoter_id)
      const { availableFen } = await commissionBalanceOf(db, promoterId)
      const at = new Date(now.getTime() - (3 - i) * DAY_MS)
      const w = await requestWithdrawal(db, { promoterId, amountFen: Math.floor(availableFen / 2), at })
      const step = steps[i]
      if (step) await actOnWithdrawal(db, { withdrawalId: w.id, action: 'approve', at })
      if (step === 'pay')
        await actOnWithdrawal(db, { withdrawalId: w.id, action: 'pay', at, note: '企业付款到零钱' })
    }
  }

  // Post-purchase survey answers for about a third of the last 90 days' orders, mostly happy.
  await db.execute(sql`
    insert into survey_responses (member_id, order_id, score, channel, answered_at)
    select o.member_id, o.id,
      (array[10,10,10,9,9,9,8,8,7,6,5,3])[1 + (abs(hashtext(o.order_no)) % 12)],
      case when abs(hashtext(o.order_no || 'c')) % 4 = 0 then 'chat' else 'mp' end,
      o.paid_at + interval '2 days'
    from orders o
    where o.paid_at is not null and o.status not in ('cancelled', 'refunded')
      and o.paid_at > ${nowAt} - interval '90 days'
      and o.paid_at + interval '2 days' < ${nowAt}
      and abs(hashtext(o.order_no || 's')) % 3 = 0
      and not exists (select 1 from survey_responses s where s.order_id = o.id)`)
  await db.execute(sql`
    insert into member_events (member_id, type, occurred_at, payload, source_key)
    select s.member_id, 'survey_answered', s.answered_at,
      jsonb_build_object('score', s.score,
        'band', case when s.score >= 9 then 'promoter' when s.score >= 7 then 'passive' else 'detractor' end,
        'orderId', s.order_id, 'channel', s.channel),
      'survey:' || s.id
    from survey_responses s
    on conflict do nothing`)

  await refreshReferralStats(db, now)
}
