// Campaigns as operators handle them: write (any edit sends it back to draft), approve, pause, resume,
// archive; and what a run fills in and when the next one starts. Preview and dry run: preview.ts.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../clock'
import type { Db } from '../db/client'
import { DomainError, notFound } from '../errors'
import { chineseMonthDay, occasionsOfYear } from '../calendar'
import { checkCampaign, type CampaignInput, type CheckedCampaign } from './definition'
import type { CampaignIntegrations } from './integrations'
import { findOccasion, listBrandDates } from './occasions'
import { nextRunStart } from './schedule'
import { campaigns, type Campaign, type CampaignKind, type CampaignStatus } from '../db/schema/campaigns'
import type { RunLiterals } from './variables'

export interface CampaignContext {
  db: Db
  clock: Clock
  integrations: CampaignIntegrations
}

/** The stored campaign as its definition (what an operator wrote). */
export function inputOf(row: Campaign): CampaignInput {
  return {
    name: row.name,
    kind: row.kind,
    kindArgs: row.kindArgs as Record<string, unknown>,
    segmentId: row.segmentId,
    channel: row.channel,
    variants: row.variants,
    subscribe: row.subscribe as CampaignInput['subscribe'],
    groupTarget: row.groupTarget as CampaignInput['groupTarget'],
    schedule: row.schedule as CampaignInput['schedule'],
    offer: row.offer as CampaignInput['offer'],
    holdoutPct: row.holdoutPct,
    cooldownDays: row.cooldownDays,
  }
}

export function presentCampaign(row: Campaign) {
  return {
    id: row.id,
    ...inputOf(row),
    status: row.status,
    version: row.version,
    approved: row.status === 'approved' && row.approvedVersion === row.version,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
export type CampaignView = ReturnType<typeof presentCampaign>

/** Everything a definition must satisfy beyond its own shape: the occasion and the segment exist. */
export async function checkForSave(ctx: CampaignContext, input: CampaignInput): Promise<CheckedCampaign> {
  const checked = checkCampaign(input)
  if (checked.kind === 'holiday') {
    const code = String(checked.kindArgs.occasion)
    if (!(await findOccasion(ctx.db, code)))
      throw new DomainError('unknown_occasion', `没有代码为 ${code} 的节日或品牌日`, 400, [
        { path: 'body.kindArgs.occasion', message: '没有这个节日或品牌日' },
      ])
  }
  if (checked.segmentId !== null) {
    if (!ctx.integrations.segments)
      throw new DomainError('audience_source_unavailable', '会员分群尚未接入，暂时无法按分群选择受众', 409)
    if (!(await ctx.integrations.segments.find(ctx.db, checked.segmentId)))
      throw new DomainError('segment_not_found', '分群不存在', 400, [
        { path: 'body.segmentId', message: '分群不存在' },
      ])
  }
  return checked
}

export async function loadCampaign(db: Db, id: number): Promise<Campaign> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id))
  if (!row) throw notFound('活动', 'campaign_not_found')
  return row
}

function storedFields(c: CheckedCampaign) {
  return {
    name: c.name,
    kind: c.kind,
    kindArgs: c.kindArgs,
    segmentId: c.segmentId,
    channel: c.channel,
    variants: c.variants,
    subscribe: c.subscribe,
    groupTarget: c.groupTarget,
    schedule: c.schedule,
    offer: c.offer,
    holdoutPct: c.holdoutPct,
    cooldownDays: c.cooldownDays,
  }
}

export async function createCampaign(ctx: CampaignContext, input: CampaignInput, operatorId: number | null) {
  const checked = await checkForSave(ctx, input)
  const now = ctx.clock.now()
  const [row] = await ctx.db
    .insert(campaigns)
    .values({ ...storedFields(checked), createdBy: operatorId, createdAt: now, updatedAt: now })
    .returning()
  return row!
}

/** Replace a campaign's definition. It goes back to draft: an operator must approve it again. */
export async function updateCampaign(ctx: CampaignContext, id: number, input: CampaignInput) {
  const current = await loadCampaign(ctx.db, id)
  if (current.status === 'archived') throw new DomainError('campaign_archived', '活动已归档，不能修改', 409)
  const checked = await checkForSave(ctx, input)
  const [row] = await ctx.db
    .update(campaigns)
    .set({
      ...storedFields(checked),
      status: 'draft',
      version: sql`${campaigns.version} + 1`,
      approvedBy: null,
      approvedVersion: null,
      approvedAt: null,
      updatedAt: ctx.clock.now(),
    })
    .where(eq(campaigns.id, id))
    .returning()
  return row!
}

export async function listCampaigns(db: Db, filter: { status?: CampaignStatus; kind?: CampaignKind }) {
  const where: SQL[] = []
  if (filter.status) where.push(eq(campaigns.status, filter.status))
  if (filter.kind) where.push(eq(campaigns.kind, filter.kind))
  return db
    .select()
    .from(campaigns)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(campaigns.id))
}

/**
 * Approve the version the operator reviewed. A campaign edited since (another version) is refused, so
 * nobody approves wording they have not seen.
 */
export async function approveCampaign(
  ctx: CampaignContext,
  id: number,
  version: number,
  operatorId: number | null,
) {
  const current = await loadCampaign(ctx.db, id)
  if (current.status === 'archived') throw new DomainError('campaign_archived', '活动已归档', 409)
  if (current.version !== version)
    throw new DomainError('campaign_changed', '活动在你查看之后被修改过，请重新预览后再批准', 409)
  await checkForSave(ctx, inputOf(current))
  const [row] = await ctx.db
    .update(campaigns)
    .set({
      status: 'approved',
      approvedBy: operatorId,
      approvedVersion: version,
      approvedAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    })
    .where(and(eq(campaigns.id, id), eq(campaigns.version, version)))
    .returning()
  if (!row) throw new DomainError('campaign_changed', '活动在你查看之后被修改过，请重新预览后再批准', 409)
  return row
}

const transitions: Record<'pause' | 'resume' | 'archive', { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['approved'], to: 'paused' },
  resume: { from: ['paused'], to: 'approved' },
  archive: { from: ['draft', 'approved', 'paused'], to: 'archived' },
}

export async function changeCampaignStatus(
  ctx: CampaignContext,
  id: number,
  action: keyof typeof transitions,
) {
  const current = await loadCampaign(ctx.db, id)
  const t = transitions[action]
  if (!t.from.includes(current.status))
    throw new DomainError('campaign_status_conflict', `活动当前状态为 ${current.status}，不能执行此操作`, 409)
  if (action === 'resume' && current.approvedVersion !== current.version)
    throw new DomainError('campaign_not_approved', '活动需要重新批准', 409)
  const [row] = await ctx.db
    .update(campaigns)
    .set({ status: t.to, updatedAt: ctx.clock.now() })
    .where(and(eq(campaigns.id, id), eq(campaigns.status, current.status)))
    .returning()
  if (!row) throw new DomainError('campaign_status_conflict', '活动状态已被其他人修改', 409)
  return row
}

/** What a run of this campaign on `runDate` fills in besides each member's own data. */
export async function runLiterals(db: Db, campaign: CheckedCampaign, runDate: string): Promise<RunLiterals> {
  const occasion =
    campaign.kind === 'holiday' ? await findOccasion(db, String(campaign.kindArgs.occasion)) : null
  return {
    occasionName: occasion?.name ?? null,
    dateText: chineseMonthDay(runDate),
    couponTitle: campaign.offer?.coupon?.title ?? null,
    giftPoints: campaign.offer?.points ?? null,
  }
}

/** When the next run of a campaign starts (or null for a yearly one without a date ahead). */
export async function nextRunOf(db: Db, campaign: CheckedCampaign, now: Date) {
  const brand = campaign.kind === 'holiday' ? await listBrandDates(db) : []
  const code = String(campaign.kindArgs.occasion ?? '')
  return nextRunStart(campaign.schedule, now, (year) =>
    occasionsOfYear(year, brand)
      .filter((o) => o.code === code)
      .map((o) => o.date),
  )
}
