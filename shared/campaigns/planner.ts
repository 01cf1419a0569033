// Runs: when a campaign is due, one run per occasion (unique in the database, so however many workers
// look, it starts once), planned in phases that each finish in their own transaction:
//   audience — in batches of member ids, each one statement in one transaction: the audience evaluated,
//              every member written once as a recipient (cohort, channel, variant) and each direct
//              message rendered into the paced outbox, one row per (run, member) under a unique key;
//   gifts    — attached points (and coupons) credited once per member by source key.
// A run that stops half-way (a crash, a lost connection) is resumed at its phase by the next tick, and
// the unique keys make every phase safe to repeat: nobody is enqueued or credited twice.
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { Clock } from '../clock'
import { queryRows, type Db } from '../db/client'
import { DomainError } from '../errors'
import type { Logger } from '../logger'
import { defaultPointsExpiry } from '../points/earning'
import { grantPoints } from '../points/ledger'
import { occasionsOn } from '../calendar'
import { checkCampaign, type CheckedCampaign } from './definition'
import type { CampaignIntegrations } from './integrations'
import { listBrandDates } from './occasions'
import { audienceQuery, groupPostQuery, type AudienceScope } from './render-query'
import { dueRun } from './schedule'
import { campaignRuns, campaigns, type CampaignRun } from '../db/schema/campaigns'
import { inputOf, runLiterals } from './service'

export interface PlannerDeps {
  db: Db
  clock: Clock
  logger: Logger
  integrations: CampaignIntegrations
  /** This worker, as named in run leases. */
  owner: string
  /** Member ids planned per batch (one transaction each). */
  batchSize?: number
}

const LEASE_MS = 10 * 60_000

export const outboxKey = (runId: number, memberId: number) => `campaign:${runId}:${memberId}`
export const giftKey = (runId: number, memberId: number) => `campaign:${runId}:${memberId}:gift`

/** Start the runs that are due now and resume any left half-planned. Returns what it did. */
export async function runDueCampaigns(
  deps: PlannerDeps,
): Promise<{ started: number; planned: number; failed: number }> {
  const { db, clock } = deps
  const now = clock.now()
  const approved = await db.select().from(campaigns).where(eq(campaigns.status, 'approved'))
  const brand = approved.some((c) => c.kind === 'holiday') ? await listBrandDates(db) : []
  let started = 0
  for (const c of approved) {
    if (c.approvedVersion !== c.version) continue
    const occasion = c.kind === 'holiday' ? String((c.kindArgs as { occasion?: string }).occasion) : null
    const due = dueRun(inputOf(c).schedule, now, (date) =>
      occasionsOn(date, brand).some((o) => o.code === occasion),
    )
    if (!due) continue
    const created = await db
      .insert(campaignRuns)
      .values({
        campaignId: c.id,
        occasionKey: due.occasionKey,
        occasionName: occasion
          ? (occasionsOn(due.runDate, brand).find((o) => o.code === occasion)?.name ?? null)
          : null,
        runDate: due.runDate,
        campaignVersion: c.version,
        startedAt: now,
      })
      .onConflictDoNothing({ target: [campaignRuns.campaignId, campaignRuns.occasionKey] })
      .returning({ id: campaignRuns.id })
    if (created.length) {
      started++
      deps.logger.info(
        { campaignId: c.id, runId: created[0]!.id, occasion: due.occasionKey },
        'campaign run started',
      )
    }
  }
  const open = await db
    .select({ id: campaignRuns.id })
    .from(campaignRuns)
    .where(
      and(
        eq(campaignRuns.status, 'planning'),
        or(
          isNull(campaignRuns.leaseUntil),
          lt(campaignRuns.leaseUntil, now),
          eq(campaignRuns.leaseOwner, deps.owner),
        ),
      ),
    )
    .orderBy(campaignRuns.id)
  let planned = 0
  let failed = 0
  for (const run of open) {
    const outcome = await planRun(deps, run.id)
    if (outcome === 'planned') planned++
    if (outcome === 'failed' || outcome === 'interrupted') failed++
  }
  return { started, planned, failed }
}

/** Take the run's lease (or renew ours); null when another worker holds it. */
async function lease(deps: PlannerDeps, runId: number): Promise<CampaignRun | null> {
  const now = deps.clock.now()
  const [run] = await deps.db
    .update(campaignRuns)
    .set({ leaseOwner: deps.owner, leaseUntil: new Date(now.getTime() + LEASE_MS) })
    .where(
      and(
        eq(campaignRuns.id, runId),
        eq(campaignRuns.status, 'planning'),
        or(
          isNull(campaignRuns.leaseUntil),
          lt(campaignRuns.leaseUntil, now),
          eq(campaignRuns.leaseOwner, deps.owner),
        ),
      ),
    )
    .returning()
  return run ?? null
}

async function setPhase(
  db: Db,
  runId: number,
  phase: CampaignRun['phase'],
  extra: Partial<CampaignRun> = {},
) {
  await db
    .update(campaignRuns)
    .set({ phase, ...extra })
    .where(eq(campaignRuns.id, runId))
}

export type PlanOutcome = 'planned' | 'busy' | 'cancelled' | 'failed' | 'interrupted'

/**
 * Plan (or resume planning) one run. An expected failure (the audience source is not wired, the
 * campaign was changed or paused) ends the run; anything else leaves it to be resumed next tick.
 */
export async function planRun(deps: PlannerDeps, runId: number): Promise<PlanOutcome> {
  const { db, clock } = deps
  const run = await lease(deps, runId)
  if (!run) return 'busy'
  const log = deps.logger.child({ runId, campaignId: run.campaignId })
  try {
    const [row] = await db.select().from(campaigns).where(eq(campaigns.id, run.campaignId))
    if (!row || row.status !== 'approved' || row.version !== run.campaignVersion) {
      await db
        .update(campaignRuns)
        .set({
          status: 'cancelled',
          cancelledAt: clock.now(),
          leaseUntil: null,
          lastError: '活动在发送前被修改、暂停或归档',
        })
        .where(eq(campaignRuns.id, runId))
      log.warn('campaign changed before its run was planned: run cancelled')
      return 'cancelled'
    }
    const campaign = checkCampaign(inputOf(row))
    const scope: AudienceScope = {
      db,
      at: clock.now(),
      runDate: run.runDate,
      literals: await runLiterals(db, campaign, run.runDate),
      integrations: deps.integrations,
      holdoutSeed: `run:${runId}:`,
      campaignId: row.id,
      runId,
    }
    let phase = run.phase
    const ms: Partial<Record<CampaignRun['phase'], number>> = {}
    let t = performance.now()
    const lap = (p: CampaignRun['phase']) => {
      ms[p] = Math.round(performance.now() - t)
      t = performance.now()
    }
    if (phase === 'audience') {
      if (campaign.channel === 'group') await enqueueGroupPosts(db, runId, campaign, scope)
      else await planAudience(deps, run, campaign, scope)
      phase = campaign.offer && campaign.channel !== 'group' ? 'gifts' : 'done'
      await setPhase(db, runId, phase)
      lap('audience')
    }
    if (phase === 'gifts') {
      await creditGifts(deps, runId, campaign.offer!, log)
      phase = 'done'
      lap('gifts')
    }
    await setPhase(db, runId, 'done', {
      status: 'planned',
      plannedAt: clock.now(),
      leaseUntil: null,
      lastError: null,
    })
    log.info({ ms }, 'campaign run planned')
    return 'planned'
  } catch (err) {
    const expected = err instanceof DomainError
    await db
      .update(campaignRuns)
      .set({
        leaseUntil: null,
        lastError: rootMessage(err).slice(0, 2000),
        ...(expected ? { status: 'failed' as const } : {}),
      })
      .where(eq(campaignRuns.id, runId))
    log.error({ err }, expected ? 'campaign run failed' : 'campaign run interrupted, will resume')
    return expected ? 'failed' : 'interrupted'
  }
}

/**
 * The audience, in batches of member ids: each batch in one transaction writes its recipients and
 * their outbox rows (one statement) and moves the run's cursor past it. A batch is all or nothing, and
 * a repeated one changes nothing (unique run+member and dedupe keys).
 */
async function planAudience(
  deps: PlannerDeps,
  run: CampaignRun,
  campaign: CheckedCampaign,
  scope: AudienceScope,
) {
  const batch = deps.batchSize ?? 25_000
  const [span] = await queryRows<{ lo: number | null; hi: number | null }>(
    deps.db,
    sql`select min(id) as lo, max(id) as hi from members`,
  )
  if (span?.lo == null || span.hi == null) return
  const at = sql`${scope.at.toISOString()}::timestamptz`
  for (
    let from = Math.max(Number(span.lo), (run.cursorMemberId ?? 0) + 1);
    from <= Number(span.hi);
    from += batch
  ) {
    const to = Math.min(from + batch - 1, Number(span.hi))
    const audience = await audienceQuery(campaign, scope, { variant: 'random', range: [from, to] })
    await deps.db.transaction(async (tx) => {
      // A short bulk statement: compiling it (JIT) would cost more than running it, and its sorts and
      // hashes of one batch fit in memory.
      await tx.execute(sql`set local jit = off`)
      await tx.execute(sql`set local work_mem = '64MB'`)
      await tx.execute(sql`with q as materialized (${audience}),
        recipients as (
          insert into campaign_recipients
            (run_id, member_id, account_id, cohort, channel, unreachable_reason, variant, subscribe_data, subscribe_status, created_at)
          select ${run.id}, q.member_id, q.account_id, q.cohort, q.channel, q.unreachable_reason, q.variant, q.subscribe_data,
            case when q.subscribe_data is not null then 'pending' end, ${at}
          from q
          on conflict on constraint campaign_recipients_pkey do nothing)
        insert into outbound_messages (dedupe_key, account_id, member_id, kind, text, source, campaign_run_id, not_before, created_at)
        select 'campaign:' || ${run.id}::bigint || ':' || q.member_id, q.account_id, q.member_id, 'direct', q.text, 'campaign',
          ${run.id}, ${at}, ${at}
        from q where q.cohort = 'send' and q.channel = 'direct'
        on conflict (dedupe_key) do nothing`)
      await tx
        .update(campaignRuns)
        .set({ cursorMemberId: to, leaseUntil: new Date(deps.clock.now().getTime() + LEASE_MS) })
        .where(eq(campaignRuns.id, run.id))
    })
  }
}

async function enqueueGroupPosts(db: Db, runId: number, campaign: CheckedCampaign, scope: AudienceScope) {
  const at = sql`${scope.at.toISOString()}::timestamptz`
  await db.execute(sql`insert into outbound_messages
      (dedupe_key, account_id, chat_group_id, kind, text, source, campaign_run_id, not_before, created_at)
    select 'campaign:' || ${runId}::bigint || ':group:' || g.chat_group_id, g.account_id, g.chat_group_id, 'group', g.text,
      'campaign', ${runId}, ${at}, ${at}
    from (${groupPostQuery(campaign, scope, { variant: 'random' })}) g
    on conflict (dedupe_key) do nothing`)
}

/** Credit the attached points (and issue the coupon) to every member the run reaches, once each. */
async function creditGifts(
  deps: PlannerDeps,
  runId: number,
  offer: NonNullable<ReturnType<typeof checkCampaign>['offer']>,
  log: Logger,
): Promise<void> {
  const rows = await deps.db.execute(
    sql`select member_id from campaign_recipients where run_id = ${runId} and cohort = 'send' and channel <> 'none' order by member_id`,
  )
  const memberIds = (rows as unknown as { rows: { member_id: number }[] }).rows.map((r) =>
    Number(r.member_id),
  )
  const at = deps.clock.now()
  let coupons = 0
  for (const [i, memberId] of memberIds.entries()) {
    if (offer.points)
      await grantPoints(deps.db, {
        memberId,
        amount: offer.points,
        sourceKey: giftKey(runId, memberId),
        reason: '活动赠送积分',
        at,
        expiresAt: defaultPointsExpiry(at),
        kind: 'adjust',
      })
    if (offer.coupon?.templateId && deps.integrations.issueCoupon) {
      await deps.integrations.issueCoupon(deps.db, {
        memberId,
        couponTemplateId: offer.coupon.templateId,
        sourceKey: `campaign:${runId}:${memberId}:coupon`,
        at,
      })
      coupons++
    }
    if (i % 500 === 499)
      await deps.db
        .update(campaignRuns)
        .set({ leaseUntil: new Date(deps.clock.now().getTime() + LEASE_MS) })
        .where(eq(campaignRuns.id, runId))
  }
  if (offer.coupon?.templateId && !deps.integrations.issueCoupon)
    log.warn('coupon issuing is not wired: the coupon is named in the message but not issued')
  log.info({ members: memberIds.length, coupons }, 'campaign gifts credited')
}

/** The innermost message of an error (drizzle wraps the database's error in "Failed query: …"). */
function rootMessage(err: unknown): string {
  let e = err
  while (e instanceof Error && e.cause instanceof Error) e = e.cause
  return e instanceof Error ? e.message : String(e)
}

/** Cancel a run: nothing more is enqueued and its messages still waiting in the outbox are withdrawn. */
export async function cancelRun(db: Db, clock: Clock, runId: number): Promise<{ withdrawn: number }> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .update(campaignRuns)
      .set({ status: 'cancelled', cancelledAt: clock.now(), leaseUntil: null })
      .where(and(eq(campaignRuns.id, runId), inArray(campaignRuns.status, ['planning', 'planned'])))
      .returning()
    if (!run) throw new DomainError('run_not_cancellable', '该次发送不存在或已结束', 409)
    const withdrawn = await tx.execute(
      sql`update outbound_messages set status = 'cancelled' where campaign_run_id = ${runId} and status = 'queued' returning id`,
    )
    await tx.execute(
      sql`update campaign_recipients set subscribe_status = 'failed', subscribe_error = 'cancelled'
          where run_id = ${runId} and subscribe_status = 'pending'`,
    )
    return { withdrawn: (withdrawn as unknown as { rows: unknown[] }).rows.length }
  })
}
