// The variables a template may use, each an SQL expression over the row being rendered:
//   m  = members, a = the kind's audience row (its extra columns), pa = points_accounts,
//   ba = bot_accounts (the advisor account, or the group's account), tier = the member's tier name.
// Literal values of the run (festival, date, coupon, gift points) are bound parameters.
import { sql, type SQL } from 'drizzle-orm'
import { levelHeldAt } from '../db/schema/loyalty'
import type { TemplateVariable } from '../template'

export interface RunLiterals {
  /** The festival or brand date of a holiday run. */
  occasionName: string | null
  /** The run's date as members read it (9月25日). */
  dateText: string
  couponTitle: string | null
  giftPoints: number | null
}

/** Tables a variable's expression needs joined. */
export type VariableJoin = 'points' | 'advisor' | 'tier'

export interface VariableDefinition extends TemplateVariable {
  /** member: only for messages to one member; any: group posts too. */
  scope: 'member' | 'any'
  joins?: VariableJoin[]
  expr(l: RunLiterals): SQL
}

export const memberVariables: VariableDefinition[] = [
  {
    name: 'name',
    label: '称呼（姓名，没有则昵称）',
    example: '王丽',
    scope: 'member',
    expr: () => sql`coalesce(nullif(btrim(m.name), ''), nullif(btrim(m.nickname), ''))`,
  },
  {
    name: 'nickname',
    label: '微信昵称',
    example: '丽丽',
    scope: 'member',
    expr: () => sql`nullif(btrim(m.nickname), '')`,
  },
  { name: 'member_no', label: '会员号', example: 'M10000001', scope: 'member', expr: () => sql`m.member_no` },
  {
    name: 'tier',
    label: '会员等级',
    example: 'V2 会员',
    scope: 'member',
    joins: ['tier'],
    expr: () => sql`tier.name`,
  },
  {
    name: 'points',
    label: '积分余额',
    example: '1280',
    scope: 'member',
    joins: ['points'],
    expr: () => sql`coalesce(pa.balance, 0)::text`,
  },
  {
    name: 'advisor',
    label: '专属顾问',
    example: '小美',
    scope: 'any',
    joins: ['advisor'],
    expr: () => sql`nullif(split_part(ba.display_name, ' · ', 1), '')`,
  },
  { name: 'date', label: '日期', example: '9月25日', scope: 'any', expr: (l) => sql`${l.dateText}::text` },
]

export const festivalVariable: VariableDefinition = {
  name: 'festival',
  label: '节日名称',
  example: '中秋节',
  scope: 'any',
  expr: (l) => sql`${l.occasionName}::text`,
}

export const couponVariable: VariableDefinition = {
  name: 'coupon',
  label: '附带的优惠券',
  example: '满199减30券',
  scope: 'any',
  expr: (l) => sql`${l.couponTitle}::text`,
}

export const giftPointsVariable: VariableDefinition = {
  name: 'gift_points',
  label: '赠送的积分',
  example: '200',
  scope: 'any',
  expr: (l) => sql`${l.giftPoints === null ? null : String(l.giftPoints)}::text`,
}

/**
 * Joins needed by the variables used, as SQL to append after `from members m ...`. `bulk` (a run's
 * thousands of members) joins the tier as one set; otherwise (a preview's few) looks it up per member.
 */
export function joinsFor(
  vars: readonly VariableDefinition[],
  at: Date,
  options: { accountColumn?: SQL; bulk?: boolean; memberRange?: [number, number] } = {},
): SQL {
  const needed = new Set(vars.flatMap((v) => v.joins ?? []))
  const parts: SQL[] = []
  const atSql = sql`${at.toISOString()}::timestamptz`
  if (needed.has('points')) parts.push(sql`left join points_accounts pa on pa.member_id = m.id`)
  if (needed.has('advisor'))
    parts.push(
      sql`left join bot_accounts ba on ba.id = ${options.accountColumn ?? sql`m.advisor_account_id`}`,
    )
  if (needed.has('tier')) {
    // The member's highest current vertical tier, a paid membership before a spend level.
    const current = sql`ld.kind = 'vertical' and ${levelHeldAt('mt', atSql)}`
    const tiers = sql`from member_tiers mt join tier_levels lv on lv.id = mt.level_id join tier_ladders ld on ld.id = mt.ladder_id`
    parts.push(
      options.bulk
        ? sql`left join (select distinct on (mt.member_id) mt.member_id, lv.name ${tiers} where ${current}
              ${options.memberRange ? sql`and mt.member_id between ${options.memberRange[0]} and ${options.memberRange[1]}` : sql``}
            order by mt.member_id, (ld.basis = 'paid') desc, lv.rank desc) tier on tier.member_id = m.id`
        : sql`left join lateral (select lv.name ${tiers} where mt.member_id = m.id and ${current}
            order by (ld.basis = 'paid') desc, lv.rank desc limit 1) tier on true`,
    )
  }
  return sql.join(parts, sql` `)
}
