// The audience of a campaign as one SQL query: the kind's members, within the saved segment, minus
// merged members and the campaign's cool-down, each with a cohort (send / holdout / opted out), a
// channel (their advisor's chat, a subscribe message, or none and why), a wording variant and the
// rendered message. The planner inserts its rows, the preview selects a sample, the dry run counts it.
import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import type { CheckedCampaign } from './definition'
import type { CampaignIntegrations } from './integrations'
import { kindDefinition } from './kinds'
import type { TemplatePart } from '../template'
import { joinsFor, type RunLiterals, type VariableDefinition } from './variables'

export interface AudienceScope {
  db: Db
  at: Date
  runDate: string
  literals: RunLiterals
  integrations: CampaignIntegrations
  /** Seeds the holdout draw: the same member in the same run always lands in the same cohort. */
  holdoutSeed: string
  /** The campaign (for the cool-down) and run (excluded from it), when they exist. */
  campaignId: number | null
  runId: number | null
}

export interface AudienceOptions {
  /** random: each recipient a random variant; rotate: the sample's rows take the variants in turn. */
  variant: 'random' | 'rotate'
  /** Only these members (a preview sample). */
  memberIds?: number[]
  /** Add an `x_<name>` column per variable used (the preview shows them). */
  withValues?: boolean
  /** Render text for every row, not only for those that will be sent (the preview). */
  renderAll?: boolean
  /** Only members with ids in [from, to] (a run plans its audience in batches of ids). */
  range?: [number, number]
}

const col = (name: string) => sql.raw(`x_${name}`)

/** Limits of subscribe-message field values (WeChat refuses longer ones). */
function fieldLimit(key: string): number {
  if (key.startsWith('thing')) return 20
  if (key.startsWith('name')) return 10
  if (key.startsWith('phrase') || key.startsWith('symbol')) return 5
  return 32
}

function renderParts(parts: TemplatePart[]): SQL {
  if (parts.length === 0) return sql`''`
  const pieces = parts.map((p) =>
    'text' in p
      ? sql`${p.text}::text`
      : p.fallback !== null
        ? sql`coalesce(nullif(q.${col(p.variable)}, ''), ${p.fallback}::text)`
        : sql`coalesce(q.${col(p.variable)}, '')`,
  )
  return sql`concat(${sql.join(pieces, sql`, `)})`
}

function renderVariants(variants: TemplatePart[][]): SQL {
  if (variants.length === 1) return renderParts(variants[0]!)
  const cases = variants.map((parts, i) => sql`when ${i} then ${renderParts(parts)}`)
  return sql`case q.variant ${sql.join(cases, sql` `)} end`
}

function variableColumns(vars: VariableDefinition[], literals: RunLiterals): SQL {
  if (vars.length === 0) return sql``
  return sql`, ${sql.join(
    vars.map((v) => sql`${v.expr(literals)} as ${col(v.name)}`),
    sql`, `,
  )}`
}

/** The members of the campaign's audience with cohort, channel and variant (no text): the inner query. */
export async function audienceCore(
  campaign: CheckedCampaign,
  scope: AudienceScope,
  options: AudienceOptions,
  vars: VariableDefinition[],
): Promise<SQL> {
  const kind = kindDefinition(campaign.kind)
  const audience = await kind.audience(campaign.kindArgs, {
    db: scope.db,
    at: scope.at,
    runDate: scope.runDate,
    integrations: scope.integrations,
  })
  // A batch's id range is written into every subquery so that it is pushed down to their indexes,
  // rather than each batch evaluating the whole audience.
  const inRange = (column: SQL) =>
    options.range ? sql`${column} between ${options.range[0]} and ${options.range[1]}` : sql`true`
  const from = audience
    ? sql`(select * from (${audience}) a0 where ${inRange(sql`a0.member_id`)}) a join members m on m.id = a.member_id`
    : sql`members m`

  const filters: SQL[] = [sql`m.merged_into_id is null`, inRange(sql`m.id`)]
  if (campaign.segmentId !== null) {
    if (!scope.integrations.segments)
      throw new DomainError('audience_source_unavailable', '会员分群尚未接入，暂时无法按分群选择受众', 409)
    const segment = await scope.integrations.segments.memberIds(scope.db, campaign.segmentId, scope.at)
    filters.push(
      sql`m.id in (select s.member_id from (${segment}) s(member_id) where ${inRange(sql`s.member_id`)})`,
    )
  }
  if (campaign.cooldownDays !== null && scope.campaignId !== null) {
    filters.push(sql`not exists (select 1 from campaign_runs pru join campaign_recipients pr on pr.run_id = pru.id and pr.member_id = m.id
      where pru.campaign_id = ${scope.campaignId} and pr.cohort = 'send'
        and pr.run_id <> ${scope.runId ?? 0}
        and pr.created_at > ${scope.at.toISOString()}::timestamptz - make_interval(days => ${campaign.cooldownDays}))`)
  }
  if (options.memberIds)
    filters.push(sql`m.id = any(string_to_array(${options.memberIds.join(',')}, ',')::bigint[])`)

  const direct = campaign.channel === 'direct'
  const subscribe = campaign.subscribe
  const lookups: SQL[] = []
  const bulk = !options.memberIds
  if (direct)
    // A chat contact of the member on their advisor account: identity value `<accountId>:<contactId>`.
    lookups.push(
      bulk
        ? sql`left join (select i.member_id, split_part(i.value, ':', 1) as account, true as ok from member_identities i
              where i.kind = 'chat_contact' and ${inRange(sql`i.member_id`)} group by 1, 2) cc
            on cc.member_id = m.id and cc.account = m.advisor_account_id::text`
        : sql`left join lateral (select true as ok from member_identities i
              where i.member_id = m.id and i.kind = 'chat_contact' and split_part(i.value, ':', 1) = m.advisor_account_id::text
              limit 1) cc on true`,
    )
  if (subscribe)
    lookups.push(sql`left join lateral (select true as ok from subscribe_consents s
      where s.member_id = m.id and s.template_id = ${subscribe.templateId} and s.remaining > 0
        and exists (select 1 from member_identities oi where oi.member_id = m.id and oi.kind = 'mp_openid') limit 1) sc on true`)

  const subscribeOk = subscribe ? sql`sc.ok is not null` : sql`false`
  const channel = direct
    ? sql`case when cc.ok is not null then 'direct' when ${subscribeOk} then 'subscribe' else 'none' end`
    : sql`case when ${subscribeOk} then 'subscribe' else 'none' end`
  const reason = direct
    ? sql`case when cc.ok is not null or ${subscribeOk} then null
               when m.advisor_account_id is null then 'no_advisor' else 'no_chat_contact' end`
    : sql`case when ${subscribeOk} then null else 'no_subscribe_consent' end`
  const n = Math.max(campaign.variants.length, 1)
  const variant =
    options.variant === 'random'
      ? sql`floor(random() * ${n})::int`
      : sql`((array_position(string_to_array(${(options.memberIds ?? []).join(',')}, ',')::bigint[], m.id) - 1) % ${n})::int`
  const cohort =
    campaign.holdoutPct > 0
      ? sql`case when m.opted_out_at is not null then 'opted_out'
                 when abs(hashtext(${scope.holdoutSeed} || m.id::text)) % 100 < ${campaign.holdoutPct} then 'holdout'
                 else 'send' end`
      : sql`case when m.opted_out_at is not null then 'opted_out' else 'send' end`

  return sql`select m.id as member_id, m.advisor_account_id as account_id, ${cohort} as cohort,
      ${channel} as channel, ${reason} as unreachable_reason, ${variant} as variant
      ${variableColumns(vars, scope.literals)}
    from ${from} ${sql.join(lookups, sql` `)} ${joinsFor(vars, scope.at, { bulk, ...(options.range ? { memberRange: options.range } : {}) })}
    where ${sql.join(filters, sql` and `)}`
}

/** The full audience query: the core plus the rendered message and subscribe data. */
export async function audienceQuery(
  campaign: CheckedCampaign,
  scope: AudienceScope,
  options: AudienceOptions,
): Promise<SQL> {
  const vars = options.withValues ? campaign.availableVariables : campaign.usedVariables
  const core = await audienceCore(campaign, scope, options, vars)
  const sendable = options.renderAll ? sql`true` : sql`q.cohort = 'send' and q.channel = 'direct'`
  const subscribeSendable = options.renderAll ? sql`true` : sql`q.cohort = 'send' and q.channel = 'subscribe'`
  const subscribeData = campaign.subscribeParts.length
    ? sql`case when ${subscribeSendable} then jsonb_build_object(${sql.join(
        campaign.subscribeParts.map(
          ([key, parts]) =>
            sql`${key}::text, jsonb_build_object('value', left(${renderParts(parts)}, ${fieldLimit(key)}))`,
        ),
        sql`, `,
      )}) end`
    : sql`null::jsonb`
  const text =
    campaign.variantParts.length > 0 && (options.renderAll || campaign.channel === 'direct')
      ? sql`case when ${sendable} then ${renderVariants(campaign.variantParts)} end`
      : sql`null::text`
  const values = options.withValues
    ? sql`, ${sql.join(
        vars.map((v) => sql`q.${col(v.name)}`),
        sql`, `,
      )}`
    : sql``
  return sql`select q.member_id, q.account_id, q.cohort, q.channel, q.unreachable_reason, q.variant,
      ${text} as text,
      ${subscribeData} as subscribe_data ${values}
    from (${core}) q`
}

/** Group posts: one row per target group, with the post rendered (only group-wide variables). */
export function groupPostQuery(
  campaign: CheckedCampaign,
  scope: AudienceScope,
  options: AudienceOptions,
): SQL {
  const target = campaign.groupTarget
  if (!target) throw new DomainError('group_target_required', '请选择要发送的群', 400)
  const vars = options.withValues ? campaign.availableVariables : campaign.usedVariables
  const where: SQL[] = []
  if (target.groupIds?.length)
    where.push(sql`g.id = any(string_to_array(${target.groupIds.join(',')}, ',')::bigint[])`)
  if (target.purpose) where.push(sql`g.purpose = ${target.purpose}`)
  const n = campaign.variants.length
  const variant =
    options.variant === 'random'
      ? sql`floor(random() * ${n})::int`
      : sql`((row_number() over (order by g.id) - 1) % ${n})::int`
  const values = options.withValues
    ? sql`, ${sql.join(
        vars.map((v) => sql`q.${col(v.name)}`),
        sql`, `,
      )}`
    : sql``
  return sql`select q.chat_group_id, q.account_id, q.topic, q.variant, ${renderVariants(campaign.variantParts)} as text ${values}
    from (select g.id as chat_group_id, g.account_id, g.topic, ${variant} as variant ${variableColumns(vars, scope.literals)}
          from chat_groups g ${joinsFor(vars, scope.at, { accountColumn: sql`g.account_id` })}
          where ${sql.join(where, sql` or `)}) q`
}
