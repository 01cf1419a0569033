// Read-only member lookups for the console: a searchable, paginated list and one member's record.
// Absorbed (merged) members are not listed; their identities and history live on the survivor.
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import { notFound } from '../errors'
import type { FunnelStage, MemberDetail, MemberList, MemberSearch } from './contracts'
import { levelHeldAt } from '../db/schema/loyalty'

/** 13812345678 -> 138****5678, as everywhere a phone number is shown in a list. */
export function maskPhone(phone: string): string {
  return phone.length >= 11 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone
}

/** An identity's value as an operator sees it: a phone number in full only for those who may call. */
export const identityValueFor = (kind: string, value: string, fullPhone: boolean) =>
  kind === 'phone' && !fullPhone ? maskPhone(value) : value

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString()

/** A member matches by name, nickname, member number or phone number (any part of each). */
function searchFilter(q: string | undefined): SQL {
  if (!q) return sql`true`
  const contains = `%${escapeLike(q)}%`
  return sql`(
    m.name ilike ${contains} or m.nickname ilike ${contains} or m.member_no ilike ${contains}
    or exists (
      select 1 from member_identities i
      where i.member_id = m.id and i.kind = 'phone' and i.value like ${contains}
    )
  )`
}

/** Current tiers of a member (started, not ended), as JSON, ladder order. */
const currentTiersJson = (memberId: SQL, at: string) => sql`(
  select coalesce(json_agg(json_build_object(
      'ladderCode', ld.code, 'ladderName', ld.name, 'levelCode', lv.code, 'levelName', lv.name,
      'startsAt', mt.starts_at, 'endsAt', mt.ends_at) order by ld.id), '[]'::json)
  from member_tiers mt
  join tier_levels lv on lv.id = mt.level_id
  join tier_ladders ld on ld.id = mt.ladder_id
  where mt.member_id = ${memberId} and mt.starts_at <= ${at}::timestamptz
    and (mt.ends_at is null or mt.ends_at > ${at}::timestamptz)
)`

interface TierJson {
  ladderCode: string
  ladderName: string
  levelCode: string
  levelName: string
  startsAt: string
  endsAt: string | null
}
const presentTier = (t: TierJson) => ({ ...t, startsAt: iso(t.startsAt)!, endsAt: iso(t.endsAt) })

export async function searchMembers(db: Db, now: Date, search: MemberSearch): Promise<MemberList> {
  const at = now.toISOString()
  const where = sql`m.merged_into_id is null and ${searchFilter(search.q)}
    and ${search.stage ? sql`m.stage = ${search.stage}` : sql`true`}`
  const [counted] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::bigint as n from members m where ${where}`,
  )
  const rows = await queryRows<{
    id: number
    member_no: string
    name: string | null
    nickname: string | null
    phone: string | null
    stage: FunnelStage
    tiers: TierJson[]
    points_balance: number
    created_at: Date | string
    last_seen_at: Date | string | null
  }>(
    db,
    sql`
      with page as (
        select m.id from members m where ${where}
        order by m.id desc limit ${search.pageSize} offset ${(search.page - 1) * search.pageSize}
      )
      select m.id, m.member_no, m.name, m.nickname, m.stage, m.created_at, m.last_seen_at,
        (select i.value from member_identities i
          where i.member_id = m.id and i.kind = 'phone' order by i.id limit 1) as phone,
        coalesce(pa.balance, 0) as points_balance,
        ${currentTiersJson(sql`m.id`, at)} as tiers
      from page
      join members m on m.id = page.id
      left join points_accounts pa on pa.member_id = m.id
      order by m.id desc`,
  )
  return {
    total: Number(counted!.n),
    page: search.page,
    pageSize: search.pageSize,
    items: rows.map((r) => ({
      id: Number(r.id),
      memberNo: r.member_no,
      name: r.name,
      nickname: r.nickname,
      phone: r.phone ? maskPhone(r.phone) : null,
      stage: r.stage,
      tiers: r.tiers.map(presentTier),
      pointsBalance: Number(r.points_balance),
      createdAt: iso(r.created_at)!,
      lastSeenAt: iso(r.last_seen_at),
    })),
  }
}

const RECENT_EVENTS = 30

export async function memberDetail(
  db: Db,
  now: Date,
  memberId: number,
  options: { fullPhone: boolean } = { fullPhone: false },
): Promise<MemberDetail> {
  const at = now.toISOString()
  const [m] = await queryRows<{
    id: number
    member_no: string
    name: string | null
    nickname: string | null
    gender: 'unknown' | 'male' | 'female'
    birthday: string | null
    city: string | null
    occupation: string | null
    stage: FunnelStage
    repurchaser_kind: string | null
    source: string
    advisor: string | null
    opted_out_at: Date | string | null
    created_at: Date | string
    last_seen_at: Date | string | null
    points_balance: number
    order_count: number
    spent_fen: number
    last_paid_at: Date | string | null
    referrer_id: number | null
    referrer_no: string | null
    referrer_name: string | null
    brought: number
  }>(
    db,
    sql`
      select m.id, m.member_no, m.name, m.nickname, m.gender, m.birthday::text as birthday, m.city,
        m.occupation, m.stage, m.repurchaser_kind, m.source, m.opted_out_at, m.created_at, m.last_seen_at,
        a.display_name as advisor,
        coalesce(pa.balance, 0) as points_balance,
        o.order_count, o.spent_fen, o.last_paid_at,
        rm.id as referrer_id, rm.member_no as referrer_no, rm.name as referrer_name,
        (select count(*) from referrals r2 where r2.referrer_id = m.id)::bigint as brought
      from members m
      left join bot_accounts a on a.id = m.advisor_account_id
      left join points_accounts pa on pa.member_id = m.id
      left join referrals r on r.referee_id = m.id
      left join members rm on rm.id = r.referrer_id
      cross join lateral (
        select count(*)::bigint as order_count, coalesce(sum(pay_fen - refunded_fen), 0)::bigint as spent_fen,
          max(paid_at) as last_paid_at
        from orders where member_id = m.id and status in ('paid', 'shipped', 'completed')
      ) o
      where m.id = ${memberId} and m.merged_into_id is null`,
  )
  if (!m) throw notFound('会员', 'member_not_found')

  const identities = await queryRows<{
    kind: string
    value: string
    verified: boolean
    created_at: Date | string
  }>(
    db,
    sql`select kind, value, verified, created_at from member_identities where member_id = ${memberId} order by id`,
  )
  const tiers = await queryRows<TierJson & { active: boolean }>(
    db,
    sql`
      select ld.code as "ladderCode", ld.name as "ladderName", lv.code as "levelCode", lv.name as "levelName",
        mt.starts_at as "startsAt", mt.ends_at as "endsAt",
        ${levelHeldAt('mt', sql`${at}::timestamptz`)} as active
      from member_tiers mt
      join tier_levels lv on lv.id = mt.level_id
      join tier_ladders ld on ld.id = mt.ladder_id
      where mt.member_id = ${memberId}
      order by ld.id`,
  )
  const tags = await queryRows<{ dimension: string; name: string }>(
    db,
    sql`
      select d.name as dimension, t.name
      from member_tags mt join tags t on t.id = mt.tag_id join tag_dimensions d on d.id = t.dimension_id
      where mt.member_id = ${memberId}
      order by d.id, t.id`,
  )
  const events = await queryRows<{
    id: number
    type: string
    occurred_at: Date | string
    payload: Record<string, unknown>
  }>(
    db,
    sql`
      select id, type, occurred_at, payload from member_events
      where member_id = ${memberId}
      order by occurred_at desc, id desc
      limit ${RECENT_EVENTS}`,
  )

  return {
    profile: {
      id: Number(m.id),
      memberNo: m.member_no,
      name: m.name,
      nickname: m.nickname,
      gender: m.gender,
      birthday: m.birthday,
      city: m.city,
      occupation: m.occupation,
      stage: m.stage,
      repurchaserKind: m.repurchaser_kind,
      source: m.source,
      advisor: m.advisor,
      optedOut: m.opted_out_at !== null,
      createdAt: iso(m.created_at)!,
      lastSeenAt: iso(m.last_seen_at),
    },
    identities: identities.map((i) => ({
      kind: i.kind,
      value: identityValueFor(i.kind, i.value, options.fullPhone),
      verified: i.verified,
      createdAt: iso(i.created_at)!,
    })),
    tiers: tiers.map((t) => ({ ...presentTier(t), active: t.active })),
    pointsBalance: Number(m.points_balance),
    orders: {
      count: Number(m.order_count),
      spentFen: Number(m.spent_fen),
      lastPaidAt: iso(m.last_paid_at),
    },
    referral: {
      referredBy:
        m.referrer_id === null
          ? null
          : { id: Number(m.referrer_id), memberNo: m.referrer_no!, name: m.referrer_name },
      broughtMembers: Number(m.brought),
    },
    tags,
    recentEvents: events.map((e) => ({
      id: Number(e.id),
      type: e.type,
      occurredAt: iso(e.occurred_at)!,
      payload: e.payload ?? {},
    })),
  }
}
