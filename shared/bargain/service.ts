// Bargains: campaigns set up by operators (units taken out of the SKU's stock, like a flash sale),
// bargains started by members, cuts by their friends — one per friend, serialised on the bargain's row
// so a hundred friends at once are each counted once and the price never passes the floor — and the
// purchase at the price reached, held by checkout (takeBargain) and given back if the order is cancelled.
import { randomInt } from 'node:crypto'
import { and, asc, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, invalid, notFound } from '../errors'
import { products, skus } from '../db/schema/catalog'
import { members } from '../db/schema/members'
import { nextCut, type RandomInt } from './cuts'
import {
  bargainCampaigns,
  bargainHelps,
  bargains,
  type Bargain,
  type BargainCampaign,
  type BargainHelp,
} from '../db/schema/bargain'

export const bargainCampaignInputSchema = z
  .object({
    skuId: z.number().int().positive(),
    title: z.string().trim().min(1).max(60),
    floorPriceFen: z.number().int().min(1),
    helpersNeeded: z.number().int().min(1).max(100),
    bargainHours: z.number().int().min(1).max(720).default(24),
    totalStock: z.number().int().min(1).max(100_000),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
  })
  .refine((c) => c.endsAt > c.startsAt, { path: ['endsAt'], message: '结束时间必须晚于开始时间' })

/** Create a campaign, taking its units out of the SKU's stock (refused if the SKU has too few). */
export async function createBargainCampaign(
  db: Db,
  input: z.input<typeof bargainCampaignInputSchema>,
): Promise<BargainCampaign> {
  const c = bargainCampaignInputSchema.parse(input)
  return db.transaction(async (tx) => {
    const [sku] = await tx
      .update(skus)
      .set({ stock: sql`${skus.stock} - ${c.totalStock}` })
      .where(and(eq(skus.id, c.skuId), sql`${skus.stock} >= ${c.totalStock}`))
      .returning()
    if (!sku) {
      const [exists] = await tx.select({ id: skus.id }).from(skus).where(eq(skus.id, c.skuId))
      if (!exists) throw invalid('skuId', '规格不存在', 'sku_not_found')
      throw conflict('stock_insufficient', '商品库存不足以设置这么多砍价数量')
    }
    if (c.floorPriceFen >= sku.priceFen) throw invalid('floorPriceFen', '底价必须低于原价')
    if (sku.priceFen - c.floorPriceFen < c.helpersNeeded)
      throw invalid('helpersNeeded', '可砍金额不足以让每位好友至少砍 1 分钱')
    const [campaign] = await tx
      .insert(bargainCampaigns)
      .values({ ...c, stockLeft: c.totalStock })
      .returning()
    return campaign!
  })
}

/** End a campaign now: units not bought go back to the SKU. Open bargains can no longer be bought. */
export async function endBargainCampaign(db: Db, campaignId: number, at: Date): Promise<BargainCampaign> {
  return db.transaction(async (tx) => {
    const [open] = await tx
      .select()
      .from(bargainCampaigns)
      .where(and(eq(bargainCampaigns.id, campaignId), isNull(bargainCampaigns.endedAt)))
      .for('update')
    if (!open) throw notFound('进行中的砍价活动', 'bargain_campaign_not_found')
    const [ended] = await tx
      .update(bargainCampaigns)
      .set({ endedAt: at, stockLeft: 0 })
      .where(eq(bargainCampaigns.id, campaignId))
      .returning()
    if (open.stockLeft > 0)
      await tx
        .update(skus)
        .set({ stock: sql`${skus.stock} + ${open.stockLeft}` })
        .where(eq(skus.id, open.skuId))
    await tx
      .update(bargains)
      .set({ status: 'expired' })
      .where(and(eq(bargains.campaignId, campaignId), inArray(bargains.status, ['open', 'reached'])))
    return ended!
  })
}

const campaignColumns = {
  id: bargainCampaigns.id,
  title: bargainCampaigns.title,
  skuId: bargainCampaigns.skuId,
  productId: skus.productId,
  productTitle: products.title,
  image: sql<string | null>`${products.images}->>0`,
  listPriceFen: skus.priceFen,
  floorPriceFen: bargainCampaigns.floorPriceFen,
  helpersNeeded: bargainCampaigns.helpersNeeded,
  bargainHours: bargainCampaigns.bargainHours,
  totalStock: bargainCampaigns.totalStock,
  stockLeft: bargainCampaigns.stockLeft,
  startsAt: bargainCampaigns.startsAt,
  endsAt: bargainCampaigns.endsAt,
  endedAt: bargainCampaigns.endedAt,
}

export async function listBargainCampaigns(db: Db, at: Date, options: { includeEnded?: boolean } = {}) {
  return db
    .select(campaignColumns)
    .from(bargainCampaigns)
    .innerJoin(skus, eq(skus.id, bargainCampaigns.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(
      options.includeEnded
        ? undefined
        : and(gt(bargainCampaigns.endsAt, at), isNull(bargainCampaigns.endedAt)),
    )
    .orderBy(asc(bargainCampaigns.startsAt), asc(bargainCampaigns.id))
}

/** A member starts a bargain in a campaign that is on (or gets back the one they already have going). */
export async function startBargain(
  db: Db,
  input: { campaignId: number; memberId: number; at: Date },
): Promise<Bargain> {
  const { at } = input
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ campaign: bargainCampaigns, listPriceFen: skus.priceFen })
      .from(bargainCampaigns)
      .innerJoin(skus, eq(skus.id, bargainCampaigns.skuId))
      .where(eq(bargainCampaigns.id, input.campaignId))
    if (!row) throw notFound('砍价活动', 'bargain_campaign_not_found')
    const c = row.campaign
    if (c.endedAt || c.endsAt <= at) throw conflict('bargain_campaign_ended', '砍价活动已结束')
    if (c.startsAt > at) throw conflict('bargain_campaign_not_started', '砍价活动尚未开始')
    // A bargain of this member's that ran out of time no longer counts as their active one.
    await tx
      .update(bargains)
      .set({ status: 'expired' })
      .where(
        and(
          eq(bargains.campaignId, c.id),
          eq(bargains.memberId, input.memberId),
          inArray(bargains.status, ['open', 'reached']),
          lte(bargains.expiresAt, at),
        ),
      )
    const [active] = await tx
      .select()
      .from(bargains)
      .where(
        and(
          eq(bargains.campaignId, c.id),
          eq(bargains.memberId, input.memberId),
          inArray(bargains.status, ['open', 'reached', 'ordered']),
        ),
      )
    if (active) return active
    if (c.stockLeft <= 0) throw conflict('bargain_sold_out', '砍价商品已售罄')
    const expiresAt = new Date(Math.min(c.endsAt.getTime(), at.getTime() + c.bargainHours * 3_600_000))
    const [started] = await tx
      .insert(bargains)
      .values({
        campaignId: c.id,
        memberId: input.memberId,
        listPriceFen: row.listPriceFen,
        floorPriceFen: c.floorPriceFen,
        priceFen: row.listPriceFen,
        helpersNeeded: c.helpersNeeded,
        expiresAt,
        createdAt: at,
      })
      .onConflictDoNothing()
      .returning()
    if (started) return started
    // The same member started it twice at once: the other request's bargain.
    const [other] = await tx
      .select()
      .from(bargains)
      .where(
        and(
          eq(bargains.campaignId, c.id),
          eq(bargains.memberId, input.memberId),
          inArray(bargains.status, ['open', 'reached', 'ordered']),
        ),
      )
    return other!
  })
}

/**
 * A friend helps: one cut, once per friend and bargain, never by the starter, only while the bargain is
 * open. The bargain's row is locked for the transaction, so concurrent friends cut one after another.
 */
export async function helpBargain(
  db: Db,
  input: { bargainId: number; helperId: number; at: Date; random?: RandomInt },
): Promise<{ help: BargainHelp; bargain: Bargain }> {
  const random = input.random ?? randomInt
  return db.transaction(async (tx) => {
    const [b] = await tx.select().from(bargains).where(eq(bargains.id, input.bargainId)).for('update')
    if (!b) throw notFound('砍价', 'bargain_not_found')
    if (b.memberId === input.helperId) throw conflict('bargain_own', '不能给自己砍价，快分享给好友吧')
    const [prior] = await tx
      .select({ id: bargainHelps.id })
      .from(bargainHelps)
      .where(and(eq(bargainHelps.bargainId, b.id), eq(bargainHelps.helperId, input.helperId)))
    if (prior) throw conflict('bargain_already_helped', '你已经帮 TA 砍过了')
    if (b.status !== 'open' || b.helpersCount >= b.helpersNeeded)
      throw conflict('bargain_closed', '这个砍价已经砍到底价了')
    if (b.expiresAt <= input.at) throw conflict('bargain_expired', '这个砍价已过期')
    const cut = nextCut(b.priceFen - b.floorPriceFen, b.helpersNeeded - b.helpersCount, random)
    const [help] = await tx
      .insert(bargainHelps)
      .values({ bargainId: b.id, helperId: input.helperId, ...cut, createdAt: input.at })
      .returning()
    const reached = b.helpersCount + 1 === b.helpersNeeded
    const [bargain] = await tx
      .update(bargains)
      .set({
        priceFen: b.priceFen - cut.cutFen,
        helpersCount: b.helpersCount + 1,
        ...(reached ? { status: 'reached' as const, reachedAt: input.at } : {}),
      })
      .where(eq(bargains.id, b.id))
      .returning()
    return { help: help!, bargain: bargain! }
  })
}

/** A bargain as the starter and their friends see it: product, prices, helpers' cuts, what the viewer may do. */
export async function bargainView(db: Db, bargainId: number, viewerId: number, at: Date) {
  const [row] = await db
    .select({ bargain: bargains, campaign: campaignColumns, starter: members.nickname })
    .from(bargains)
    .innerJoin(bargainCampaigns, eq(bargainCampaigns.id, bargains.campaignId))
    .innerJoin(skus, eq(skus.id, bargainCampaigns.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .innerJoin(members, eq(members.id, bargains.memberId))
    .where(eq(bargains.id, bargainId))
  if (!row) throw notFound('砍价', 'bargain_not_found')
  const helps = await db
    .select({
      nickname: members.nickname,
      avatarUrl: members.avatarUrl,
      helperId: bargainHelps.helperId,
      cutFen: bargainHelps.cutFen,
      at: bargainHelps.createdAt,
    })
    .from(bargainHelps)
    .innerJoin(members, eq(members.id, bargainHelps.helperId))
    .where(eq(bargainHelps.bargainId, bargainId))
    .orderBy(desc(bargainHelps.createdAt), desc(bargainHelps.id))
  const b = row.bargain
  const status = (b.status === 'open' || b.status === 'reached') && b.expiresAt <= at ? 'expired' : b.status
  const mine = b.memberId === viewerId
  return {
    id: b.id,
    campaignId: b.campaignId,
    title: row.campaign.title,
    productId: row.campaign.productId,
    productTitle: row.campaign.productTitle,
    image: row.campaign.image,
    starterNickname: row.starter,
    mine,
    listPriceFen: b.listPriceFen,
    floorPriceFen: b.floorPriceFen,
    priceFen: b.priceFen,
    helpersNeeded: b.helpersNeeded,
    helpersCount: b.helpersCount,
    status,
    expiresAt: b.expiresAt.toISOString(),
    canHelp: !mine && status === 'open' && !helps.some((h) => h.helperId === viewerId),
    canBuy: mine && (status === 'open' || status === 'reached') && row.campaign.endedAt === null,
    helpers: helps.map((h) => ({
      nickname: h.nickname ?? '好友',
      avatarUrl: h.avatarUrl,
      cutFen: h.cutFen,
      at: h.at.toISOString(),
    })),
  }
}

export async function myBargains(db: Db, memberId: number) {
  return db
    .select({ id: bargains.id })
    .from(bargains)
    .where(eq(bargains.memberId, memberId))
    .orderBy(desc(bargains.createdAt), desc(bargains.id))
    .limit(50)
}

/** Checkout: the member's own bargain, still open for purchase, with its campaign. */
export async function bargainForCheckout(
  db: Db,
  bargainId: number,
  memberId: number,
  at: Date,
): Promise<{ bargain: Bargain; campaign: BargainCampaign }> {
  const [row] = await db
    .select({ bargain: bargains, campaign: bargainCampaigns })
    .from(bargains)
    .innerJoin(bargainCampaigns, eq(bargainCampaigns.id, bargains.campaignId))
    .where(and(eq(bargains.id, bargainId), eq(bargains.memberId, memberId)))
  if (!row) throw invalid('bargain.bargainId', '砍价不存在', 'bargain_not_found')
  const { bargain, campaign } = row
  if (bargain.status === 'ordered') throw conflict('bargain_ordered', '这个砍价已经下过单了')
  if (bargain.status === 'expired' || bargain.expiresAt <= at || campaign.endedAt)
    throw conflict('bargain_expired', '这个砍价已过期')
  if (campaign.stockLeft <= 0) throw conflict('bargain_sold_out', '砍价商品已售罄')
  return { bargain, campaign }
}

/** Inside checkout, last: the bargain is held by this order and one unit of the campaign is taken. */
export async function takeBargain(tx: Db, bargain: Bargain, orderId: number, at: Date): Promise<void> {
  const held = await tx
    .update(bargains)
    .set({ status: 'ordered', orderId })
    .where(
      and(
        eq(bargains.id, bargain.id),
        inArray(bargains.status, ['open', 'reached']),
        gt(bargains.expiresAt, at),
      ),
    )
    .returning({ id: bargains.id })
  if (held.length === 0) throw conflict('bargain_ordered', '这个砍价已经下过单了')
  const taken = await tx
    .update(bargainCampaigns)
    .set({ stockLeft: sql`${bargainCampaigns.stockLeft} - 1` })
    .where(
      and(
        eq(bargainCampaigns.id, bargain.campaignId),
        sql`${bargainCampaigns.stockLeft} >= 1`,
        isNull(bargainCampaigns.endedAt),
      ),
    )
    .returning({ id: bargainCampaigns.id })
  if (taken.length === 0) throw conflict('bargain_sold_out', '砍价商品已售罄')
}

/**
 * The order holding a bargain was cancelled (or refunded): its unit goes back to the campaign (or the
 * SKU once the campaign ended); a cancelled order's bargain may be bought again. Returns false when the
 * order held no bargain.
 */
export async function releaseBargain(
  tx: Db,
  order: { id: number; status: string },
  at: Date,
  options: { stock?: boolean } = {},
): Promise<boolean> {
  const [b] = await tx
    .select()
    .from(bargains)
    .where(and(eq(bargains.orderId, order.id), eq(bargains.status, 'ordered')))
  if (!b) return false
  if (order.status === 'cancelled') {
    const again = b.expiresAt > at ? (b.helpersCount === b.helpersNeeded ? 'reached' : 'open') : 'expired'
    await tx.update(bargains).set({ status: again, orderId: null }).where(eq(bargains.id, b.id))
  }
  if (options.stock === false) return true
  const back = await tx
    .update(bargainCampaigns)
    .set({ stockLeft: sql`${bargainCampaigns.stockLeft} + 1` })
    .where(and(eq(bargainCampaigns.id, b.campaignId), isNull(bargainCampaigns.endedAt)))
    .returning({ skuId: bargainCampaigns.skuId })
  if (back.length === 0) {
    const [c] = await tx.select().from(bargainCampaigns).where(eq(bargainCampaigns.id, b.campaignId))
    await tx
      .update(skus)
      .set({ stock: sql`${skus.stock} + 1` })
      .where(eq(skus.id, c!.skuId))
  }
  return true
}
