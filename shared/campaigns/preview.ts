// Before a campaign goes out: rendered messages for a sample of its audience (preview), and the audience
// per advisor account with when each account will have sent its share (dry run). Nothing is written.
import { sql } from 'drizzle-orm'
import { shanghaiDate } from '../clock'
import { queryRows } from '../db/client'
import { botAccounts } from '../db/schema/chat'
import type { CheckedCampaign } from './definition'
import { ASSUMED_SEND_INTERVAL_SECONDS, estimateFinish } from './delivery-estimate'
import { audienceCore, audienceQuery, groupPostQuery, type AudienceScope } from './render-query'
import { nextRunOf, runLiterals, type CampaignContext } from './service'

async function scopeFor(ctx: CampaignContext, campaign: CheckedCampaign, campaignId: number | null) {
  const now = ctx.clock.now()
  const next = await nextRunOf(ctx.db, campaign, now)
  const runDate = next?.runDate ?? shanghaiDate(now)
  const scope: AudienceScope = {
    db: ctx.db,
    at: now,
    runDate,
    literals: await runLiterals(ctx.db, campaign, runDate),
    integrations: ctx.integrations,
    holdoutSeed: `preview:${campaignId ?? 0}:`,
    campaignId,
    runId: null,
  }
  return { scope, next }
}

export interface PreviewSample {
  memberId: number | null
  chatGroupId: number | null
  accountId: number | null
  cohort: string
  channel: string
  unreachableReason: string | null
  variant: number
  text: string | null
  subscribeData: Record<string, { value: string }> | null
  values: Record<string, string | null>
}

/**
 * Rendered messages for a random sample of the audience, every variable's value beside them, the
 * wording variants taken in turn so each one is seen.
 */
export async function previewCampaign(
  ctx: CampaignContext,
  campaign: CheckedCampaign,
  campaignId: number | null,
  sampleSize: number,
): Promise<{ runDate: string; samples: PreviewSample[]; variables: { name: string; label: string }[] }> {
  const { scope } = await scopeFor(ctx, campaign, campaignId)
  const names = campaign.availableVariables.map((v) => v.name)
  const valuesOf = (row: Record<string, unknown>) =>
    Object.fromEntries(names.map((n) => [n, (row[`x_${n}`] as string | null) ?? null]))
  const variables = campaign.availableVariables.map((v) => ({ name: v.name, label: v.label }))
  if (campaign.channel === 'group') {
    const rows = await queryRows<Record<string, unknown>>(
      ctx.db,
      sql`${groupPostQuery(campaign, scope, { variant: 'rotate', withValues: true })} order by q.chat_group_id limit ${sampleSize}`,
    )
    return {
      runDate: scope.runDate,
      variables,
      samples: rows.map((r) => ({
        memberId: null,
        chatGroupId: Number(r.chat_group_id),
        accountId: Number(r.account_id),
        cohort: 'send',
        channel: 'group',
        unreachableReason: null,
        variant: Number(r.variant),
        text: r.text as string,
        subscribeData: null,
        values: valuesOf(r),
      })),
    }
  }
  const core = await audienceCore(campaign, scope, { variant: 'random' }, [])
  const sample = await queryRows<{ member_id: number }>(
    ctx.db,
    sql`select member_id from (${core}) q where q.cohort <> 'opted_out' order by random() limit ${sampleSize}`,
  )
  const memberIds = sample.map((s) => Number(s.member_id))
  if (memberIds.length === 0) return { runDate: scope.runDate, variables, samples: [] }
  const rows = await queryRows<Record<string, unknown>>(
    ctx.db,
    sql`${await audienceQuery(campaign, scope, { variant: 'rotate', memberIds, withValues: true, renderAll: true })}
        order by array_position(string_to_array(${memberIds.join(',')}, ',')::bigint[], q.member_id)`,
  )
  return {
    runDate: scope.runDate,
    variables,
    samples: rows.map((r) => ({
      memberId: Number(r.member_id),
      chatGroupId: null,
      accountId: r.account_id === null ? null : Number(r.account_id),
      cohort: r.cohort as string,
      channel: r.channel as string,
      unreachableReason: (r.unreachable_reason as string | null) ?? null,
      variant: Number(r.variant),
      text: (r.text as string | null) ?? null,
      subscribeData: (r.subscribe_data as PreviewSample['subscribeData']) ?? null,
      values: valuesOf(r),
    })),
  }
}

export interface DryRunAccount {
  accountId: number | null
  accountName: string | null
  state: string | null
  direct: number
  subscribe: number
  unreachable: number
  holdout: number
  optedOut: number
  groups: number
  dailyCap: number | null
  backlog: number
  estimatedFinishAt: string | null
  warning: string | null
}

/**
 * The audience per advisor account and when each account will have sent its share: the account's
 * daily cap, quiet hours and queue, at the assumed interval between messages.
 */
export async function dryRunCampaign(
  ctx: CampaignContext,
  campaign: CheckedCampaign,
  campaignId: number | null,
) {
  const { scope, next } = await scopeFor(ctx, campaign, campaignId)
  const startsAt = next?.startsAt ?? ctx.clock.now()
  const counts = new Map<number | null, DryRunAccount>()
  const entry = (accountId: number | null): DryRunAccount => {
    let e = counts.get(accountId)
    if (!e) {
      e = {
        accountId,
        accountName: null,
        state: null,
        direct: 0,
        subscribe: 0,
        unreachable: 0,
        holdout: 0,
        optedOut: 0,
        groups: 0,
        dailyCap: null,
        backlog: 0,
        estimatedFinishAt: null,
        warning: null,
      }
      counts.set(accountId, e)
    }
    return e
  }
  if (campaign.channel === 'group') {
    const rows = await queryRows<{ account_id: number; n: number }>(
      ctx.db,
      sql`select account_id, count(*)::int as n from (${groupPostQuery(campaign, scope, { variant: 'random' })}) g group by account_id`,
    )
    for (const r of rows) entry(Number(r.account_id)).groups = Number(r.n)
  } else {
    const core = await audienceCore(campaign, scope, { variant: 'random' }, [])
    const rows = await queryRows<{ account_id: number | null; cohort: string; channel: string; n: number }>(
      ctx.db,
      sql`select account_id, cohort, channel, count(*)::int as n from (${core}) q group by 1, 2, 3`,
    )
    for (const r of rows) {
      const e = entry(r.account_id === null ? null : Number(r.account_id))
      const n = Number(r.n)
      if (r.cohort === 'opted_out') e.optedOut += n
      else if (r.cohort === 'holdout') e.holdout += n
      else if (r.channel === 'direct') e.direct += n
      else if (r.channel === 'subscribe') e.subscribe += n
      else e.unreachable += n
    }
  }
  const accountIds = [...counts.keys()].filter((id): id is number => id !== null)
  if (accountIds.length) {
    const dayStart = new Date(Date.parse(`${shanghaiDate(startsAt)}T00:00:00+08:00`))
    const accounts = await queryRows<{
      id: number
      display_name: string
      state: string
      daily_cap: number
      quiet_start: string
      quiet_end: string
      backlog: number
      sent_today: number
    }>(
      ctx.db,
      sql`select b.id, b.display_name, b.state, b.daily_cap, b.quiet_start, b.quiet_end,
            (select count(*)::int from outbound_messages o where o.account_id = b.id and o.status in ('queued', 'claimed')) as backlog,
            (select count(*)::int from outbound_messages o where o.account_id = b.id and o.status = 'sent'
               and o.sent_at >= ${dayStart.toISOString()}::timestamptz) as sent_today
          from ${botAccounts} b where b.id = any(string_to_array(${accountIds.join(',')}, ',')::bigint[])`,
    )
    for (const a of accounts) {
      const e = entry(Number(a.id))
      e.accountName = a.display_name
      e.state = a.state
      e.dailyCap = a.daily_cap
      e.backlog = Number(a.backlog)
      const finish = ctx.integrations.accountFinishEstimate
        ? await ctx.integrations.accountFinishEstimate(
            ctx.db,
            Number(a.id),
            Number(a.backlog) + e.direct + e.groups,
            startsAt,
          )
        : estimateFinish(
            {
              dailyCap: a.daily_cap,
              quietStart: a.quiet_start,
              quietEnd: a.quiet_end,
              sentToday: Number(a.sent_today),
              backlog: Number(a.backlog),
            },
            e.direct + e.groups,
            startsAt,
          )
      e.estimatedFinishAt = finish?.toISOString() ?? null
      if (['banned', 'disabled', 'logged_out'].includes(a.state)) e.warning = '该账号当前无法发送消息'
      else if (!finish) e.warning = '该账号每日上限为 0，无法发送'
    }
  }
  const list = [...counts.values()].sort((a, b) => (a.accountId ?? Infinity) - (b.accountId ?? Infinity))
  const sum = (k: keyof DryRunAccount) => list.reduce((s, e) => s + (e[k] as number), 0)
  const finishes = list.map((e) => e.estimatedFinishAt).filter((f): f is string => f !== null)
  return {
    runDate: scope.runDate,
    startsAt: startsAt.toISOString(),
    totals: {
      audience: sum('direct') + sum('subscribe') + sum('unreachable') + sum('holdout') + sum('optedOut'),
      direct: sum('direct'),
      subscribe: sum('subscribe'),
      unreachable: sum('unreachable'),
      holdout: sum('holdout'),
      optedOut: sum('optedOut'),
      groups: sum('groups'),
    },
    estimatedFinishAt: finishes.length ? finishes.sort().at(-1)! : null,
    accounts: list,
    assumptions: ctx.integrations.accountFinishEstimate
      ? { intervalSeconds: null, note: '按发送端的节奏规则、每个账号的每日上限、免打扰时段和已排队消息估算' }
      : {
          intervalSeconds: ASSUMED_SEND_INTERVAL_SECONDS,
          note: `按发送端的节奏规则估算：每个账号的每日与每小时上限、免打扰时段和已排队消息，两条消息间隔 ${ASSUMED_SEND_INTERVAL_SECONDS.min}–${ASSUMED_SEND_INTERVAL_SECONDS.max} 秒`,
        },
  }
}
