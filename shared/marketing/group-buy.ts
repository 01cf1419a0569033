// Group buys (拼团): a leader opens a group by ordering at the group price; once the leader has paid the
// group is 'forming' and friends join by ordering too; when `groupSize` members have paid it has
// succeeded and its orders can ship; if it expires first it fails and every paid member is refunded.
// Seats are reserved by unpaid orders as well, so a group never takes more members than its size.
import { randomBytes } from 'node:crypto'
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { conflict, notFound } from '../errors'
import { products, skus } from '../db/schema/catalog'
import { members } from '../db/schema/members'
import { orders, type Order } from '../db/schema/orders'
import {
  groupBuyGroups,
  groupBuyParticipants,
  groupStatuses,
  groupBuys,
  type GroupBuy,
  type GroupBuyGroup,
} from '../db/schema/marketing'

export const groupBuyInputSchema = z
  .object({
    skuId: z.number().int().positive(),
    title: z.string().trim().min(1).max(60),
    groupPriceFen: z.number().int().min(1),
    groupSize: z.number().int().min(2).max(100),
    fillMinutes: z
      .number()
      .int()
      .min(5)
      .max(14 * 1440)
      .default(1440),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
  })
  .refine((g) => g.endsAt > g.startsAt, { path: ['endsAt'], message: '结束时间必须晚于开始时间' })

export async function createGroupBuy(db: Db, input: z.input<typeof groupBuyInputSchema>): Promise<GroupBuy> {
  const g = groupBuyInputSchema.parse(input)
  const [sku] = await db.select().from(skus).where(eq(skus.id, g.skuId))
  if (!sku) throw notFound('规格', 'sku_not_found')
  if (g.groupPriceFen >= sku.priceFen) throw conflict('group_price_too_high', '拼团价必须低于原价')
  const [row] = await db.insert(groupBuys).values(g).returning()
  return row!
}

export async function listGroupBuys(db: Db, at: Date, options: { includeEnded?: boolean } = {}) {
  return db
    .select({
      id: groupBuys.id,
      title: groupBuys.title,
      skuId: groupBuys.skuId,
      productId: skus.productId,
      productTitle: products.title,
      image: sql<string | null>`${products.images}->>0`,
      listPriceFen: skus.priceFen,
      groupPriceFen: groupBuys.groupPriceFen,
      groupSize: groupBuys.groupSize,
      fillMinutes: groupBuys.fillMinutes,
      startsAt: groupBuys.startsAt,
      endsAt: groupBuys.endsAt,
    })
    .from(groupBuys)
    .innerJoin(skus, eq(skus.id, groupBuys.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(options.includeEnded ? undefined : gt(groupBuys.endsAt, at))
    .orderBy(asc(groupBuys.startsAt), asc(groupBuys.id))
}

export async function activeGroupBuy(db: Db, groupBuyId: number, at: Date): Promise<GroupBuy> {
  const [g] = await db.select().from(groupBuys).where(eq(groupBuys.id, groupBuyId))
  if (!g) throw notFound('拼团活动', 'group_buy_not_found')
  if (g.startsAt > at) throw conflict('group_buy_not_started', '拼团尚未开始')
  if (g.endsAt <= at) throw conflict('group_buy_ended', '拼团已结束')
  return g
}

/** A group as shoppers share it: who has joined, seats left, when it closes. */
/** A group's share code: 12 URL-safe characters from 72 random bits. */
export const newGroupShareCode = () => randomBytes(9).toString('base64url')

export const groupShareCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{12,16}$/, '拼团链接无效')

/** The share page of a group, by its share code. */
export async function groupView(db: Db, shareCode: string) {
  const [group] = await db.select().from(groupBuyGroups).where(eq(groupBuyGroups.shareCode, shareCode))
  if (!group) throw notFound('拼团', 'group_not_found')
  const groupId = group.id
  const people = await db
    .select({
      memberId: groupBuyParticipants.memberId,
      nickname: members.nickname,
      avatarUrl: members.avatarUrl,
      status: groupBuyParticipants.status,
      joinedAt: groupBuyParticipants.joinedAt,
    })
    .from(groupBuyParticipants)
    .innerJoin(members, eq(members.id, groupBuyParticipants.memberId))
    .where(and(eq(groupBuyParticipants.groupId, groupId), eq(groupBuyParticipants.status, 'paid')))
    .orderBy(asc(groupBuyParticipants.joinedAt))
  return {
    id: group.id,
    shareCode: group.shareCode,
    groupBuyId: group.groupBuyId,
    status: group.status,
    groupSize: group.groupSize,
    paidCount: group.paidCount,
    seatsLeft: group.groupSize - group.seatsTaken,
    expiresAt: group.expiresAt?.toISOString() ?? null,
    members: people.map((p) => ({ ...p, joinedAt: p.joinedAt.toISOString() })),
  }
}

/** Groups of a campaign that a shopper can still join. */
export async function joinableGroups(db: Db, groupBuyId: number, at: Date) {
  return db
    .select()
    .from(groupBuyGroups)
    .where(
      and(
        eq(groupBuyGroups.groupBuyId, groupBuyId),
        eq(groupBuyGroups.status, 'forming'),
        gt(groupBuyGroups.expiresAt, at),
        sql`${groupBuyGroups.seatsTaken} < ${groupBuyGroups.groupSize}`,
      ),
    )
    .orderBy(asc(groupBuyGroups.expiresAt))
    .limit(20)
}

/**
 * Inside checkout: open a new group (groupId absent) or take a seat in a forming one. Returns the group.
 * Refuses a full, closed or expired group, and a member already in it.
 */
export async function takeGroupSeat(
  tx: Db,
  input: { groupBuy: GroupBuy; groupId?: number; memberId: number; orderId: number; at: Date },
): Promise<GroupBuyGroup> {
  let group: GroupBuyGroup | undefined
  if (input.groupId === undefined) {
    ;[group] = await tx
      .insert(groupBuyGroups)
      .values({
        groupBuyId: input.groupBuy.id,
        shareCode: newGroupShareCode(),
        leaderId: input.memberId,
        groupSize: input.groupBuy.groupSize,
        seatsTaken: 1,
        createdAt: input.at,
      })
      .returning()
  } else {
    ;[group] = await tx
      .update(groupBuyGroups)
      .set({ seatsTaken: sql`${groupBuyGroups.seatsTaken} + 1` })
      .where(
        and(
          eq(groupBuyGroups.id, input.groupId),
          eq(groupBuyGroups.groupBuyId, input.groupBuy.id),
          eq(groupBuyGroups.status, 'forming'),
          gt(groupBuyGroups.expiresAt, input.at),
          sql`${groupBuyGroups.seatsTaken} < ${groupBuyGroups.groupSize}`,
        ),
      )
      .returning()
    if (!group) throw conflict('group_unavailable', '该团已满员或已结束，请开新团')
  }
  try {
    await tx.insert(groupBuyParticipants).values({
      groupId: group!.id,
      memberId: input.memberId,
      orderId: input.orderId,
      joinedAt: input.at,
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('group_already_joined', '你已在这个团里了')
    throw err
  }
  return group!
}

/** Inside the PAID transition: count the member as paid; the leader's payment opens the group. */
export async function groupOrderPaid(tx: Db, order: Order, at: Date): Promise<GroupBuyGroup | null> {
  if (!order.groupBuyGroupId) return null
  const [p] = await tx
    .update(groupBuyParticipants)
    .set({ status: 'paid' })
    .where(and(eq(groupBuyParticipants.orderId, order.id), eq(groupBuyParticipants.status, 'pending')))
    .returning()
  if (!p) return null
  const [campaign] = await tx
    .select({ fillMinutes: groupBuys.fillMinutes })
    .from(groupBuys)
    .innerJoin(groupBuyGroups, eq(groupBuyGroups.groupBuyId, groupBuys.id))
    .where(eq(groupBuyGroups.id, order.groupBuyGroupId))
  const [group] = await tx
    .update(groupBuyGroups)
    .set({
      paidCount: sql`${groupBuyGroups.paidCount} + 1`,
      status: sql`case when ${groupBuyGroups.paidCount} + 1 >= ${groupBuyGroups.groupSize} then 'succeeded' else 'forming' end`,
      expiresAt: sql`coalesce(${groupBuyGroups.expiresAt}, ${new Date(at.getTime() + campaign!.fillMinutes * 60_000).toISOString()}::timestamptz)`,
      succeededAt: sql`case when ${groupBuyGroups.paidCount} + 1 >= ${groupBuyGroups.groupSize} then ${at.toISOString()}::timestamptz end`,
    })
    .where(eq(groupBuyGroups.id, order.groupBuyGroupId))
    .returning()
  return group!
}

/** An unpaid group order was cancelled: free its seat; a group whose leader never paid is dropped. */
export async function releaseGroupSeat(tx: Db, order: Order, at: Date): Promise<void> {
  if (!order.groupBuyGroupId) return
  const [p] = await tx
    .update(groupBuyParticipants)
    .set({ status: 'released' })
    .where(and(eq(groupBuyParticipants.orderId, order.id), eq(groupBuyParticipants.status, 'pending')))
    .returning()
  if (!p) return
  await tx
    .update(groupBuyGroups)
    .set({
      seatsTaken: sql`${groupBuyGroups.seatsTaken} - 1`,
      status: sql`case when ${groupBuyGroups.status} = 'opening' then 'failed' else ${groupBuyGroups.status} end`,
      failedAt: sql`case when ${groupBuyGroups.status} = 'opening' then ${at.toISOString()}::timestamptz else ${groupBuyGroups.failedAt} end`,
    })
    .where(eq(groupBuyGroups.id, order.groupBuyGroupId))
}

/** Has this order's group succeeded (or is it not a group order)? Orders ship only then. */
export async function groupAllowsShipping(db: Db, order: Order): Promise<boolean> {
  if (!order.groupBuyGroupId) return true
  const [g] = await db
    .select({ status: groupBuyGroups.status })
    .from(groupBuyGroups)
    .where(eq(groupBuyGroups.id, order.groupBuyGroupId))
  return g?.status === 'succeeded'
}

/**
 * Groups past their deadline that did not fill: mark them failed and, in the same transaction, hand
 * each paid order to `refund` (which records the refund), so a failed group never loses a refund.
 */
export async function failExpiredGroups(
  db: Db,
  at: Date,
  refund: (tx: Db, orderId: number) => Promise<void>,
): Promise<{ groups: number; orderIds: number[] }> {
  return db.transaction(async (tx) => {
    const failed = await tx
      .update(groupBuyGroups)
      .set({ status: 'failed', failedAt: at })
      .where(and(eq(groupBuyGroups.status, 'forming'), lte(groupBuyGroups.expiresAt, at)))
      .returning({ id: groupBuyGroups.id })
    if (failed.length === 0) return { groups: 0, orderIds: [] }
    const ids = failed.map((f) => f.id)
    const paid = await tx
      .update(groupBuyParticipants)
      .set({ status: 'refunded' })
      .where(
        and(
          sql`${groupBuyParticipants.groupId} in (${sql.join(
            ids.map((i) => sql`${i}`),
            sql`, `,
          )})`,
          eq(groupBuyParticipants.status, 'paid'),
        ),
      )
      .returning({ orderId: groupBuyParticipants.orderId })
    for (const p of paid) await refund(tx as unknown as Db, p.orderId)
    return { groups: failed.length, orderIds: paid.map((p) => p.orderId) }
  })
}

export const adminGroupBuySchema = z.object({
  id: z.number().int(),
  title: z.string(),
  skuId: z.number().int(),
  productId: z.number().int(),
  productTitle: z.string(),
  image: z.string().nullable(),
  listPriceFen: z.number().int(),
  groupPriceFen: z.number().int(),
  groupSize: z.number().int(),
  fillMinutes: z.number().int(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** Groups by state, and the paid orders of the campaign (members who paid, what they paid). */
  groups: z.object({
    opening: z.number().int(),
    forming: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  paidOrders: z.number().int(),
  revenueFen: z.number().int(),
})

export const adminGroupSchema = z.object({
  id: z.number().int(),
  shareCode: z.string(),
  leaderId: z.number().int(),
  status: z.enum(groupStatuses),
  groupSize: z.number().int(),
  seatsTaken: z.number().int(),
  paidCount: z.number().int(),
  expiresAt: z.string().nullable(),
  succeededAt: z.string().nullable(),
  failedAt: z.string().nullable(),
  createdAt: z.string(),
})

/** Every group-buy campaign with its groups by state and its paid orders, for operators. */
export async function listGroupBuysWithResults(
  db: Db,
  at: Date,
): Promise<z.infer<typeof adminGroupBuySchema>[]> {
  const campaigns = await listGroupBuys(db, at, { includeEnded: true })
  const groups = await db
    .select({ id: groupBuyGroups.groupBuyId, status: groupBuyGroups.status, n: sql<number>`count(*)::int` })
    .from(groupBuyGroups)
    .groupBy(groupBuyGroups.groupBuyId, groupBuyGroups.status)
  const paid = await db
    .select({
      id: groupBuyGroups.groupBuyId,
      paidOrders: sql<number>`count(*)::int`,
      revenueFen: sql<number>`coalesce(sum(${orders.payFen}), 0)::int`,
    })
    .from(orders)
    .innerJoin(groupBuyGroups, eq(groupBuyGroups.id, orders.groupBuyGroupId))
    .where(inArray(orders.status, ['paid', 'shipped', 'completed']))
    .groupBy(groupBuyGroups.groupBuyId)
  return campaigns.map((c) => {
    const count = (status: (typeof groupStatuses)[number]) =>
      groups.find((g) => Number(g.id) === c.id && g.status === status)?.n ?? 0
    const money = paid.find((p) => Number(p.id) === c.id)
    return {
      ...c,
      startsAt: c.startsAt.toISOString(),
      endsAt: c.endsAt.toISOString(),
      groups: {
        opening: count('opening'),
        forming: count('forming'),
        succeeded: count('succeeded'),
        failed: count('failed'),
      },
      paidOrders: money?.paidOrders ?? 0,
      revenueFen: money?.revenueFen ?? 0,
    }
  })
}
