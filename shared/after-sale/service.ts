// After-sale requests. A shopper asks for a refund (nothing sent back) or a return (goods sent back) of
// items of their order within the return window, with a reason and photos; an operator approves or
// refuses. Approval records the refund in the same transaction (and, for a return whose shipping the
// member's "free return shipping" benefit pays, one use of that quota), then submits it to WeChat Pay
// like any refund: a full refund reverses points and commission through the order-refunded flow.
import { and, desc, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, DomainError, invalid, notFound } from '../errors'
import { memberBenefits, useBenefit } from '../benefits/quotas'
import { orderItems, orders, type Order } from '../db/schema/orders'
import { recordRefund, submitRefund } from '../payments/refunds'
import { orderRefunds } from '../db/schema/payments'
import type { WechatPayClient } from '../payments/wechatpay-client'
import {
  afterSaleKinds,
  afterSaleRequests,
  afterSaleStatuses,
  type AfterSaleRequest,
} from '../db/schema/after-sale'

export const afterSaleRules = {
  /** Days after delivery (or payment, for an order not shipped yet) during which a shopper may ask. */
  returnWindowDays: 7,
  /** The quota benefit that pays a return's shipping. */
  freeReturnBenefitCode: 'free_return_shipping',
}

export const afterSaleInputSchema = z.object({
  orderNo: z.string().regex(/^[A-Za-z0-9]{6,32}$/, '订单号格式不正确'),
  kind: z.enum(afterSaleKinds),
  reason: z.string().trim().min(2, '请说明原因').max(200),
  /** Photo URLs from wx.uploadFile (at most 9). */
  photos: z.array(z.string().trim().url('图片地址不正确').max(500)).max(9).default([]),
  items: z
    .array(z.object({ orderItemId: z.number().int().positive(), quantity: z.number().int().min(1).max(999) }))
    .min(1, '请选择要售后的商品')
    .max(50),
  /** Use the member's free return shipping benefit (returns only). */
  freeReturnShipping: z.boolean().default(false),
})
export type AfterSaleInput = z.input<typeof afterSaleInputSchema>

const ACTIVE = ['requested', 'approved'] as const

/** When the window to ask closes: from delivery (completion or shipping) or, unshipped, from payment. */
export const returnWindowEnds = (o: Pick<Order, 'completedAt' | 'shippedAt' | 'paidAt'>) => {
  const from = o.completedAt ?? o.shippedAt ?? o.paidAt
  return from ? new Date(from.getTime() + afterSaleRules.returnWindowDays * 86_400_000) : null
}

/** A shopper asks. Refused past the window, beyond what was bought, or while another request is open. */
export async function requestAfterSale(
  db: Db,
  memberId: number,
  raw: AfterSaleInput,
  at: Date,
): Promise<AfterSaleRequest> {
  const input = afterSaleInputSchema.parse(raw)
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const [order] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.orderNo, input.orderNo), eq(orders.memberId, memberId)))
      .for('update')
    if (!order) throw notFound('订单', 'order_not_found')
    if (
      !['paid', 'shipped', 'completed'].includes(order.status) ||
      order.kind !== 'goods' ||
      order.payFen <= 0
    )
      throw conflict('order_not_returnable', '该订单不能申请售后')
    const ends = returnWindowEnds(order)
    if (!ends || ends <= at)
      throw conflict('after_sale_window_closed', `已超过 ${afterSaleRules.returnWindowDays} 天售后期限`)
    if (input.kind === 'return' && order.status === 'paid')
      throw invalid('kind', '订单尚未发货，请申请仅退款', 'order_not_shipped')
    if (input.freeReturnShipping && input.kind !== 'return')
      throw invalid('freeReturnShipping', '仅退货可使用免费退货权益')
    if (input.freeReturnShipping) {
      const held = (await memberBenefits(tx, memberId, at)).find(
        (b) => b.code === afterSaleRules.freeReturnBenefitCode,
      )
      if (!held || (held.remaining ?? 0) <= 0)
        throw new DomainError('benefit_quota_exhausted', '免费退货次数已用完或当前等级不含该权益', 409, [
          { path: 'freeReturnShipping', message: '免费退货次数不足' },
        ])
    }
    const prior = await tx
      .select()
      .from(afterSaleRequests)
      .where(and(eq(afterSaleRequests.orderId, order.id), inArray(afterSaleRequests.status, [...ACTIVE])))
    if (prior.some((r) => r.status === 'requested'))
      throw conflict('after_sale_open', '该订单已有处理中的售后申请')

    const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id))
    const claimed = new Map<number, number>()
    for (const r of prior)
      for (const i of r.items) claimed.set(i.orderItemId, (claimed.get(i.orderItemId) ?? 0) + i.quantity)
    let valueFen = 0
    for (const [n, want] of input.items.entries()) {
      const item = items.find((i) => i.id === want.orderItemId)
      if (!item) throw invalid(`items.${n}.orderItemId`, '订单中没有这件商品')
      const left =
        item.quantity -
        (claimed.get(item.id) ?? 0) -
        input.items
          .slice(0, n)
          .filter((i) => i.orderItemId === item.id)
          .reduce((s, i) => s + i.quantity, 0)
      if (want.quantity > left) throw invalid(`items.${n}.quantity`, `最多可申请 ${Math.max(0, left)} 件`)
      valueFen += item.unitPriceFen * want.quantity
    }
    const totalValue = items.reduce((s, i) => s + i.unitPriceFen * i.quantity, 0)
    const askedBefore = prior.reduce((s, r) => s + r.amountFen, 0)
    const everything = items.every(
      (i) =>
        (claimed.get(i.id) ?? 0) +
          input.items.filter((x) => x.orderItemId === i.id).reduce((s, x) => s + x.quantity, 0) ===
        i.quantity,
    )
    // The items' share of what was paid for goods; the last request takes the exact remainder, shipping included.
    const goodsPaid = order.payFen - order.shippingFen
    const amountFen = everything
      ? order.payFen - askedBefore
      : totalValue > 0
        ? Math.floor((goodsPaid * valueFen) / totalValue)
        : 0
    const [request] = await tx
      .insert(afterSaleRequests)
      .values({
        orderId: order.id,
        memberId,
        kind: input.kind,
        reason: input.reason,
        photos: input.photos,
        items: input.items,
        amountFen: Math.max(0, Math.min(amountFen, order.payFen - order.refundedFen)),
        freeReturnShipping: input.freeReturnShipping,
        createdAt: at,
      })
      .returning()
    return request!
  })
}

export const afterSaleDecisionSchema = z.object({
  approve: z.boolean(),
  note: z.string().trim().max(200).optional(),
})

/**
 * An operator decides. Approving records the refund (and the free-return use) in one transaction with
 * the decision, then submits the refund to WeChat Pay; refusing only records the decision.
 */
export async function decideAfterSale(
  db: Db,
  pay: WechatPayClient | null,
  input: { requestId: number; approve: boolean; note?: string | undefined; operatorId: number },
  at: Date,
): Promise<AfterSaleRequest> {
  const decided = await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    const [request] = await tx
      .select()
      .from(afterSaleRequests)
      .where(eq(afterSaleRequests.id, input.requestId))
      .for('update')
    if (!request) throw notFound('售后申请', 'after_sale_not_found')
    if (request.status !== 'requested') throw conflict('after_sale_decided', '该售后申请已处理')
    const decision = {
      decidedBy: `operator:${input.operatorId}`,
      decisionNote: input.note ?? null,
      decidedAt: at,
    }
    if (!input.approve) {
      const [refused] = await tx
        .update(afterSaleRequests)
        .set({ status: 'refused', ...decision })
        .where(eq(afterSaleRequests.id, request.id))
        .returning()
      return { request: refused!, refund: null }
    }
    let benefitUsageId: number | null = null
    if (request.freeReturnShipping) {
      const use = await useBenefit(
        tx,
        {
          memberId: request.memberId,
          benefitCode: afterSaleRules.freeReturnBenefitCode,
          requestId: `after-sale:${request.id}`,
          operatorId: input.operatorId,
          note: `售后退货运费（申请 ${request.id}）`,
        },
        at,
      )
      benefitUsageId = use.usage.id
    }
    const refund =
      request.amountFen > 0
        ? await recordRefund(tx, {
            orderId: request.orderId,
            amountFen: request.amountFen,
            reason: `售后：${request.reason}`.slice(0, 80),
            requestedBy: `operator:${input.operatorId}`,
            at,
          })
        : null
    const [approved] = await tx
      .update(afterSaleRequests)
      .set({ status: 'approved', ...decision, benefitUsageId, outRefundNo: refund?.outRefundNo ?? null })
      .where(eq(afterSaleRequests.id, request.id))
      .returning()
    return { request: approved!, refund }
  })
  if (decided.refund) await submitRefund(db, pay, decided.refund, at)
  return decided.request
}

/** A request as shopper and operator see it, with where its refund stands. */
export const presentAfterSale = (r: AfterSaleRequest & { orderNo: string; refundStatus: string | null }) => ({
  id: r.id,
  orderNo: r.orderNo,
  kind: r.kind,
  status: r.status,
  reason: r.reason,
  photos: r.photos,
  items: r.items,
  amountFen: r.amountFen,
  freeReturnShipping: r.freeReturnShipping,
  decisionNote: r.decisionNote,
  refundStatus: r.refundStatus,
  createdAt: r.createdAt.toISOString(),
  decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
})

export const afterSaleViewSchema = z.object({
  id: z.number().int(),
  orderNo: z.string(),
  kind: z.enum(afterSaleKinds),
  status: z.enum(afterSaleStatuses),
  reason: z.string(),
  photos: z.array(z.string()),
  items: z.array(z.object({ orderItemId: z.number().int(), quantity: z.number().int() })),
  amountFen: z.number().int(),
  freeReturnShipping: z.boolean(),
  decisionNote: z.string().nullable(),
  /** The refund's state at WeChat Pay once approved: processing, success, closed, abnormal. */
  refundStatus: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
})

export async function listAfterSales(
  db: Db,
  q: { memberId?: number; status?: AfterSaleRequest['status']; limit?: number; offset?: number },
) {
  const rows = await db
    .select({ request: afterSaleRequests, orderNo: orders.orderNo, refundStatus: orderRefunds.status })
    .from(afterSaleRequests)
    .innerJoin(orders, eq(orders.id, afterSaleRequests.orderId))
    .leftJoin(orderRefunds, eq(orderRefunds.outRefundNo, afterSaleRequests.outRefundNo))
    .where(
      and(
        q.memberId ? eq(afterSaleRequests.memberId, q.memberId) : undefined,
        q.status ? eq(afterSaleRequests.status, q.status) : undefined,
      ),
    )
    .orderBy(desc(afterSaleRequests.createdAt), desc(afterSaleRequests.id))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0)
  return rows.map((r) => presentAfterSale({ ...r.request, orderNo: r.orderNo, refundStatus: r.refundStatus }))
}

/** The shopper withdraws a request nobody has decided yet. */
export async function cancelAfterSale(db: Db, memberId: number, requestId: number) {
  const [cancelled] = await db
    .update(afterSaleRequests)
    .set({ status: 'cancelled' })
    .where(
      and(
        eq(afterSaleRequests.id, requestId),
        eq(afterSaleRequests.memberId, memberId),
        eq(afterSaleRequests.status, 'requested'),
      ),
    )
    .returning()
  if (!cancelled) throw conflict('after_sale_not_cancellable', '该售后申请不能撤销')
  return cancelled
}
