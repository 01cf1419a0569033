// Reading orders: a member's own list and detail, and the operators' list with filters.
import { and, count, desc, eq, gte, ilike, inArray, lt, or } from 'drizzle-orm'
import { containsPattern } from '../db/like'
import { z } from 'zod'
import type { Db } from '../db/client'
import { notFound } from '../errors'
import { members } from '../db/schema/members'
import { orderRefunds } from '../db/schema/payments'
import { groupBuyGroups } from '../db/schema/marketing'
import { orderStatuses, orderItems, orders, type Order, type OrderItem } from '../db/schema/orders'
import { statusName } from './lifecycle'

export const orderViewSchema = z.object({
  orderNo: z.string(),
  kind: z.enum(['goods', 'membership']),
  status: z.enum(orderStatuses),
  statusName: z.string(),
  itemsFen: z.number().int(),
  discountFen: z.number().int(),
  pointsUsed: z.number().int(),
  pointsDeductFen: z.number().int(),
  shippingFen: z.number().int(),
  payFen: z.number().int(),
  refundedFen: z.number().int(),
  address: z
    .object({
      name: z.string(),
      phone: z.string(),
      province: z.string(),
      city: z.string(),
      district: z.string(),
      detail: z.string(),
    })
    .nullable(),
  remark: z.string().nullable(),
  shippingCompany: z.string().nullable(),
  trackingNo: z.string().nullable(),
  groupBuyGroupId: z.number().int().nullable(),
  /** The group's share code, for the 邀请好友参团 link (null when not a group-buy order). */
  groupShareCode: z.string().nullable(),
  flashSaleId: z.number().int().nullable(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  shippedAt: z.string().nullable(),
  items: z.array(
    z.object({
      /** The order line; after-sale requests name their items by it. */
      id: z.number().int(),
      productId: z.number().int(),
      skuId: z.number().int(),
      title: z.string(),
      spec: z.string(),
      quantity: z.number().int(),
      listPriceFen: z.number().int(),
      unitPriceFen: z.number().int(),
    }),
  ),
})
export type OrderView = z.infer<typeof orderViewSchema>

const iso = (d: Date | null) => d?.toISOString() ?? null

async function withItems(db: Db, list: Order[]): Promise<OrderView[]> {
  if (list.length === 0) return []
  const items = await db
    .select()
    .from(orderItems)
    .where(
      inArray(
        orderItems.orderId,
        list.map((o) => o.id),
      ),
    )
  const groupIds = [...new Set(list.flatMap((o) => (o.groupBuyGroupId ? [o.groupBuyGroupId] : [])))]
  const codes = new Map(
    groupIds.length
      ? (
          await db
            .select({ id: groupBuyGroups.id, code: groupBuyGroups.shareCode })
            .from(groupBuyGroups)
            .where(inArray(groupBuyGroups.id, groupIds))
        ).map((g) => [g.id, g.code])
      : [],
  )
  return list.map((o) =>
    orderView(
      o,
      items.filter((i) => i.orderId === o.id),
      o.groupBuyGroupId ? (codes.get(o.groupBuyGroupId) ?? null) : null,
    ),
  )
}

/** Pure: an order and its lines as the shopper sees them. */
export const orderView = (o: Order, items: OrderItem[], groupShareCode: string | null = null): OrderView => ({
  orderNo: o.orderNo,
  kind: o.kind,
  status: o.status,
  statusName: statusName(o.status),
  itemsFen: o.itemsFen,
  discountFen: o.discountFen,
  pointsUsed: o.pointsUsed,
  pointsDeductFen: o.pointsDeductFen,
  shippingFen: o.shippingFen,
  payFen: o.payFen,
  refundedFen: o.refundedFen,
  address: o.address ?? null,
  remark: o.remark,
  shippingCompany: o.shippingCompany,
  trackingNo: o.trackingNo,
  groupBuyGroupId: o.groupBuyGroupId,
  groupShareCode,
  flashSaleId: o.flashSaleId,
  createdAt: o.createdAt.toISOString(),
  paidAt: iso(o.paidAt),
  expiresAt: iso(o.expiresAt),
  shippedAt: iso(o.shippedAt),
  items: items.map((i) => ({
    id: i.id,
    productId: i.productId,
    skuId: i.skuId,
    title: i.title,
    spec: i.spec,
    quantity: i.quantity,
    listPriceFen: i.listPriceFen,
    unitPriceFen: i.unitPriceFen,
  })),
})

export const presentOrder = async (db: Db, order: Order) => (await withItems(db, [order]))[0]!

export const myOrdersQuerySchema = z.object({
  status: z.enum(orderStatuses).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(10),
})

export async function listMyOrders(db: Db, memberId: number, q: z.infer<typeof myOrdersQuerySchema>) {
  const list = await db
    .select()
    .from(orders)
    .where(and(eq(orders.memberId, memberId), q.status ? eq(orders.status, q.status) : undefined))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
  return { items: await withItems(db, list), page: q.page, pageSize: q.pageSize }
}

export const adminOrdersQuerySchema = z.object({
  status: z.enum(orderStatuses).optional(),
  kind: z.enum(['goods', 'membership']).optional(),
  /** Order number, or the member's number or name. */
  q: z.string().trim().max(40).optional(),
  memberId: z.coerce.number().int().positive().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
})

export async function listOrdersForOperator(db: Db, q: z.infer<typeof adminOrdersQuerySchema>) {
  const where = and(
    q.status ? eq(orders.status, q.status) : undefined,
    q.kind ? eq(orders.kind, q.kind) : undefined,
    q.memberId ? eq(orders.memberId, q.memberId) : undefined,
    q.from ? gte(orders.createdAt, q.from) : undefined,
    q.to ? lt(orders.createdAt, q.to) : undefined,
    q.q
      ? or(eq(orders.orderNo, q.q), eq(members.memberNo, q.q), ilike(members.name, containsPattern(q.q)))
      : undefined,
  )
  const [total] = await db
    .select({ n: count() })
    .from(orders)
    .innerJoin(members, eq(members.id, orders.memberId))
    .where(where)
  const rows = await db
    .select({ order: orders, memberNo: members.memberNo, memberName: members.name })
    .from(orders)
    .innerJoin(members, eq(members.id, orders.memberId))
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
  const views = await withItems(
    db,
    rows.map((r) => r.order),
  )
  return {
    items: views.map((v, i) => ({
      ...v,
      memberId: rows[i]!.order.memberId,
      memberNo: rows[i]!.memberNo,
      memberName: rows[i]!.memberName,
    })),
    total: total!.n,
    page: q.page,
    pageSize: q.pageSize,
  }
}

export const adminOrderListSchema = z.object({
  items: z.array(
    orderViewSchema.extend({
      memberId: z.number().int(),
      memberNo: z.string(),
      memberName: z.string().nullable(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
})

export const adminOrderDetailSchema = orderViewSchema.extend({
  memberId: z.number().int(),
  transactionId: z.string().nullable(),
  referrerId: z.number().int().nullable(),
  refunds: z.array(
    z.object({
      outRefundNo: z.string(),
      amountFen: z.number().int(),
      status: z.string(),
      reason: z.string().nullable(),
      requestedBy: z.string().nullable(),
      createdAt: z.string(),
      succeededAt: z.string().nullable(),
    }),
  ),
})

export async function orderDetailForOperator(db: Db, orderNo: string) {
  const [order] = await db.select().from(orders).where(eq(orders.orderNo, orderNo))
  if (!order) throw notFound('订单', 'order_not_found')
  const refunds = await db
    .select()
    .from(orderRefunds)
    .where(eq(orderRefunds.orderId, order.id))
    .orderBy(orderRefunds.id)
  return {
    ...(await presentOrder(db, order)),
    memberId: order.memberId,
    transactionId: order.transactionId,
    referrerId: order.referrerId,
    refunds: refunds.map((r) => ({
      outRefundNo: r.outRefundNo,
      amountFen: r.amountFen,
      status: r.status,
      reason: r.reason,
      requestedBy: r.requestedBy,
      createdAt: r.createdAt.toISOString(),
      succeededAt: iso(r.succeededAt),
    })),
  }
}
