// Campaign kinds as rules (shared/rules.ts): a code, zod-typed arguments, the schedules that make sense for it, the
// extra template variables its audience provides, and the audience itself as SQL (selecting
// `member_id` and the `v_*` columns its variables read) — or null for "every member".
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { defineRule, RuleRegistry, type Rule } from '../rules'
import { addDays, birthdayKeysOn } from '../calendar'
import type { CampaignIntegrations } from './integrations'
import { campaignKinds, type CampaignKind } from '../db/schema/campaigns'
import type { ScheduleType } from './schedule'
import type { VariableDefinition } from './variables'
import { campaignKindDescriptions, campaignKindNames } from './labels'

export interface KindContext {
  db: Db
  /** The instant the audience is evaluated for. */
  at: Date
  /** The run's Asia/Shanghai date. */
  runDate: string
  integrations: CampaignIntegrations
}

export interface CampaignKindDefinition<A extends z.ZodType = z.ZodType> extends Rule<A> {
  code: CampaignKind
  /** A sentence for operators choosing a kind (the title is its name). */
  description: string
  schedules: readonly ScheduleType[]
  variables: VariableDefinition[]
  audience(args: z.output<A>, ctx: KindContext): Promise<SQL | null>
}

const campaignKind = <A extends z.ZodType>(kind: CampaignKindDefinition<A>) => defineRule(kind)

const isoAt = (at: Date) => sql`${at.toISOString()}::timestamptz`
const idList = (ids: number[]) =>
  sql`select unnest(string_to_array(${ids.join(',')}, ',')::bigint[]) as member_id`
const audienceUnavailable = (what: string) =>
  new DomainError('audience_source_unavailable', `${what}的数据来源尚未接入，暂时无法选出受众`, 409)

const holidayArgs = z.object({
  /** A festival code (mid_autumn, spring_festival…) or a brand date code. */
  occasion: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, '请选择节日'),
})

const birthdayArgs = z.object({
  /** 0 = on the day; 3 = three days before (to arrive before a weekend, or to send a gift). */
  daysAhead: z.number().int().min(0).max(30).default(0),
})

const serviceReminderArgs = z.object({
  service: z.string().trim().min(1, '请填写服务项目').max(30),
  daysBefore: z.number().int().min(0).max(365),
})

const winBackArgs = z
  .object({
    inactiveDays: z.number().int().min(7).max(3650),
    maxInactiveDays: z.number().int().min(8).max(3650).optional(),
  })
  .refine((a) => a.maxInactiveDays === undefined || a.maxInactiveDays > a.inactiveDays, {
    message: '最长未到访天数必须大于最短天数',
    path: ['maxInactiveDays'],
  })

const tierInviteArgs = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('near_next_level'),
    /** A spend ladder's code. */
    ladder: z.string().min(1).max(40).default('spend'),
    /** Invite members whose spend is this close (fen) to the next level. */
    withinFen: z.number().int().min(100).max(100_000_000),
    /** Count spend over this many days; absent = all time. */
    windowDays: z.number().int().min(1).max(3650).optional(),
  }),
  z.object({ mode: z.literal('super_user_candidates'), limit: z.number().int().min(1).max(50_000) }),
])

const benefitChangeArgs = z.object({ changeId: z.string().min(1).max(64).nullable().default(null) })

const holiday = campaignKind({
  code: 'holiday',
  title: campaignKindNames.holiday,
  description: campaignKindDescriptions.holiday,
  args: holidayArgs,
  schedules: ['yearly', 'once'],
  variables: [],
  audience: async () => null,
})

const birthday = campaignKind({
  code: 'birthday',
  title: campaignKindNames.birthday,
  description: campaignKindDescriptions.birthday,
  args: birthdayArgs,
  schedules: ['daily', 'once'],
  variables: [],
  async audience(args, ctx) {
    const keys = birthdayKeysOn(addDays(ctx.runDate, args.daysAhead))
    const md = sql`((extract(month from birthday) * 100 + extract(day from birthday))::int)`
    const inList = (ks: number[]) =>
      ks.length
        ? sql.join(
            ks.map((k) => sql`${k}`),
            sql`, `,
          )
        : sql`null`
    return sql`select id as member_id from members
      where birthday is not null and (
        (birthday_calendar = 'solar' and ${md} in (${inList(keys.solar)}))
        or (birthday_calendar = 'lunar' and ${md} in (${inList(keys.lunar)})))`
  },
})

const serviceReminder = campaignKind({
  code: 'service_reminder',
  title: campaignKindNames.service_reminder,
  description: campaignKindDescriptions.service_reminder,
  args: serviceReminderArgs,
  schedules: ['daily', 'once'],
  variables: [
    { name: 'service', label: '服务项目', example: '保养', scope: 'member', expr: () => sql`a.v_service` },
    {
      name: 'due_date',
      label: '到期日',
      example: '10月2日',
      scope: 'member',
      expr: () => sql`to_char(a.v_due_on, 'FMMM"月"FMDD"日"')`,
    },
    {
      name: 'days_left',
      label: '剩余天数',
      example: '7',
      scope: 'member',
      expr: () => sql`a.v_days_left::text`,
    },
  ],
  async audience(args, ctx) {
    const due = addDays(ctx.runDate, args.daysBefore)
    return sql`select member_id, min(service) as v_service, min(due_on) as v_due_on, ${args.daysBefore}::int as v_days_left
      from member_service_dates where service = ${args.service} and due_on = ${due}::date group by member_id`
  },
})

const winBack = campaignKind({
  code: 'win_back',
  title: campaignKindNames.win_back,
  description: campaignKindDescriptions.win_back,
  args: winBackArgs,
  schedules: ['daily', 'once'],
  variables: [
    {
      name: 'days_away',
      label: '多少天没来',
      example: '120',
      scope: 'member',
      expr: () => sql`a.v_days_away::text`,
    },
  ],
  async audience(args, ctx) {
    const at = isoAt(ctx.at)
    const upper = args.maxInactiveDays
      ? sql`and x.last_active >= ${at} - make_interval(days => ${args.maxInactiveDays})`
      : sql``
    return sql`select mm.id as member_id, floor(extract(epoch from (${at} - x.last_active)) / 86400)::int as v_days_away
      from members mm
      cross join lateral (select greatest(mm.last_seen_at, mm.created_at,
        (select max(o.paid_at) from orders o where o.member_id = mm.id)) as last_active) x
      where x.last_active < ${at} - make_interval(days => ${args.inactiveDays}) ${upper}`
  },
})

const tierInvite = campaignKind({
  code: 'tier_invite',
  title: campaignKindNames.tier_invite,
  description: campaignKindDescriptions.tier_invite,
  args: tierInviteArgs,
  schedules: ['daily', 'once'],
  variables: [
    {
      name: 'next_tier',
      label: '下一等级',
      example: '金卡会员',
      scope: 'member',
      expr: () => sql`a.v_next_tier`,
    },
    {
      name: 'gap',
      label: '升级还差（元）',
      example: '120',
      scope: 'member',
      expr: () => sql`ceil(a.v_gap_fen / 100.0)::bigint::text`,
    },
  ],
  async audience(args, ctx) {
    const at = isoAt(ctx.at)
    if (args.mode === 'super_user_candidates') {
      if (ctx.integrations.superUserCandidates) {
        const ids = await ctx.integrations.superUserCandidates(ctx.db, ctx.at, args.limit)
        return sql`select c.member_id, null::text as v_next_tier, null::bigint as v_gap_fen from (${idList(ids)}) c`
      }
      // Until the ranked candidate list is wired: repurchasers ranked by paid orders in the last year.
      return sql`select o.member_id, null::text as v_next_tier, null::bigint as v_gap_fen
        from orders o join members mm on mm.id = o.member_id
        where mm.stage = 'repurchaser' and o.paid_at > ${at} - interval '365 days' and o.status <> 'refunded'
        group by o.member_id order by count(*) desc, max(o.paid_at) desc limit ${args.limit}`
    }
    const window = args.windowDays
      ? sql`and o.paid_at > ${at} - make_interval(days => ${args.windowDays})`
      : sql``
    return sql`select s.member_id, nx.name as v_next_tier, nx.threshold - s.spent as v_gap_fen
      from (select o.member_id, sum(o.pay_fen - o.refunded_fen) as spent from orders o
            where o.paid_at is not null and o.paid_at <= ${at} and o.status in ('paid', 'shipped', 'completed', 'refunded') ${window}
            group by o.member_id) s
      cross join lateral (select lv.name, lv.threshold from tier_levels lv join tier_ladders ld on ld.id = lv.ladder_id
            where ld.code = ${args.ladder} and lv.threshold > s.spent order by lv.threshold limit 1) nx
      where nx.threshold - s.spent <= ${args.withinFen}`
  },
})

const referralAsk = campaignKind({
  code: 'referral_ask',
  title: campaignKindNames.referral_ask,
  description: campaignKindDescriptions.referral_ask,
  args: z.object({}),
  schedules: ['daily', 'once'],
  variables: [],
  async audience(_args, ctx) {
    if (ctx.integrations.referralAskList) {
      // The referral domain's list (promoters who scored 9–10 and never referred), less whoever a
      // referral-ask campaign has already asked.
      const ids = idList(await ctx.integrations.referralAskList(ctx.db, ctx.at))
      return sql`select a.member_id from (${ids}) a(member_id)
        where not exists (select 1 from campaign_recipients cr join campaign_runs ru on ru.id = cr.run_id
                          join campaigns c on c.id = ru.campaign_id
                          where cr.member_id = a.member_id and cr.cohort = 'send' and c.kind = 'referral_ask')`
    }
    // Until the referral domain's ask list is wired: members with two or more kept orders, one in the
    // last 30 days, who never referred anyone and were never asked by a referral-ask campaign.
    const at = isoAt(ctx.at)
    return sql`select o.member_id from orders o
      where o.paid_at is not null and o.paid_at <= ${at} and o.status in ('paid', 'shipped', 'completed')
        and not exists (select 1 from referrals r where r.referrer_id = o.member_id)
        and not exists (select 1 from campaign_recipients cr join campaign_runs ru on ru.id = cr.run_id
                        join campaigns c on c.id = ru.campaign_id
                        where cr.member_id = o.member_id and cr.cohort = 'send' and c.kind = 'referral_ask')
      group by o.member_id
      having count(*) >= 2 and max(o.paid_at) > ${at} - interval '30 days'`
  },
})

const benefitChange = campaignKind({
  code: 'benefit_change',
  title: campaignKindNames.benefit_change,
  description: campaignKindDescriptions.benefit_change,
  args: benefitChangeArgs,
  schedules: ['once', 'daily'],
  variables: [
    {
      name: 'change',
      label: '变更内容',
      example: '金卡每年包邮次数由 6 次调整为 4 次',
      scope: 'member',
      expr: () => sql`a.v_change`,
    },
    {
      name: 'effective_date',
      label: '生效日期',
      example: '1月1日',
      scope: 'member',
      expr: () => sql`to_char(a.v_effective_on, 'FMMM"月"FMDD"日"')`,
    },
  ],
  async audience(args, ctx) {
    if (!ctx.integrations.benefitChangeNotices) throw audienceUnavailable('权益变更通知')
    const notices = await ctx.integrations.benefitChangeNotices(ctx.db, ctx.at, args.changeId)
    const json = JSON.stringify(
      notices.map((n) => ({ member_id: n.memberId, change: n.change, effective_on: n.effectiveOn })),
    )
    return sql`select n.member_id, min(n.change) as v_change, min(n.effective_on)::date as v_effective_on
      from jsonb_to_recordset(${json}::jsonb) as n(member_id bigint, change text, effective_on text) group by n.member_id`
  },
})

/** Every kind of campaign, by its code (the campaigns.kind column). */
export const campaignKindRules = new RuleRegistry<CampaignKindDefinition>('活动类型', [
  holiday,
  birthday,
  serviceReminder,
  winBack,
  tierInvite,
  referralAsk,
  benefitChange,
])
const missing = campaignKinds.filter((k) => !campaignKindRules.has(k))
if (missing.length) throw new Error(`campaign kinds without a definition: ${missing.join(', ')}`)

export function kindDefinition(kind: CampaignKind): CampaignKindDefinition {
  return campaignKindRules.get(kind)
}

/** Validate a kind's arguments; a 400 naming each wrong field. */
export function parseKindArgs(kind: CampaignKind, args: unknown): unknown {
  const rule = kindDefinition(kind)
  const parsed = rule.args.safeParse(args ?? {})
  if (parsed.success) return parsed.data
  throw new DomainError(
    'invalid_kind_args',
    '活动类型的参数不正确',
    400,
    campaignKindRules.argsProblems(rule, args, ['body', 'kindArgs']),
  )
}
