// Checkout: the server prices every order itself (the quote, quote.ts) and places it in one
// transaction that holds what it needs: the member's flash-sale share, the coupon, the points, the
// group seat, and last the stock, by conditional updates that can never oversell. The order then waits
// for payment until it expires and gives everything back.
import { randomInt } from 'node:crypto'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { shanghaiDate } from '../clock'
import type { Db } from '../db/client'
import { conflict, invalid, notFound } from '../errors'
import { takeBargain } from '../bargain/service'
import { skus } from '../db/schema/catalog'
import { lockCoupon } from '../coupons/service'
import { spendIn } from '../points/ledger'
import { recordMemberEvent } from '../members/events'
import { claimFlashSaleLimit, takeFlashSaleStock } from '../marketing/flash-sale'
import { takeGroupSeat } from '../marketing/group-buy'
import { shareCodes } from '../db/schema/referral'
import { cartItems, orderItems, orders, type Order, type OrderItem } from '../db/schema/orders'
import {
  buildQuote,
  checkoutInputSchema,
  presentQuote,
  type CheckoutDeps,
  type CheckoutInput,
  type QuoteView,
} from './quote'

/** Our order number, also WeChat Pay's out_trade_no: D + Shanghai date + 12 random digits. */
export function newOrderNo(at: Date): string {
  const day = shanghaiDate(at).replace(/-/g, '')
  return `D${day}${String(randomInt(0, 1_000_000)).padStart(6, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`
}

/**
 * Place the order: everything it holds is taken in one transaction, or nothing is. An order with
 * nothing to pay is settled by the checkout flow (shared/flows/checkout.ts), which shoppers go through.
 */
export async function placeOrder(
  deps: CheckoutDeps,
  memberId: number,
  raw: CheckoutInput,
): Promise<{ order: Order; items: OrderItem[]; groupShareCode: string | null; quote: QuoteView }> {
  const input = checkoutInputSchema.parse(raw)
  const quote = await buildQuote(deps, memberId, input)
  if (quote.kind === 'goods' && !quote.address)
    throw invalid('addressId', '请选择收货地址', 'address_required')
  const at = deps.clock.now()
  const orderNo = newOrderNo(at)
  const { db } = deps

  let referrerId: number | null = null
  if (input.shareCode) {
    const [code] = await db.select().from(shareCodes).where(eq(shareCodes.code, input.shareCode))
    if (code && code.memberId !== memberId) referrerId = code.memberId
  }

  let items: OrderItem[] = []
  let groupShareCode: string | null = null
  const order = await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    // Per-member holdings first (rows only this member contends for) …
    if (quote.flashSale) await claimFlashSaleLimit(tx, quote.flashSale, memberId, quote.lines[0]!.quantity)
    const p = quote.price
    const [order] = await tx
      .insert(orders)
      .values({
        orderNo,
        memberId,
        kind: quote.kind,
        channel: 'mp',
        itemsFen: p.itemsFen,
        discountFen: p.discountFen,
        pointsUsed: p.pointsUsed,
        pointsDeductFen: p.pointsDeductFen,
        shippingFen: p.shippingFen,
        payFen: p.payFen,
        referrerId,
        membershipLevelId: quote.membershipLevel?.id ?? null,
        flashSaleId: quote.flashSale?.id ?? null,
        address: quote.address ?? null,
        remark: input.remark ?? null,
        createdAt: at,
        expiresAt: new Date(at.getTime() + quote.rules.unpaidOrderMinutes * 60_000),
      })
      .returning()
    if (quote.lines.length)
      items = await tx
        .insert(orderItems)
        .values(
          quote.lines.map((l) => ({
            orderId: order!.id,
            productId: l.productId,
            skuId: l.skuId,
            categoryId: l.categoryId,
            title: l.title,
            spec: l.spec,
            quantity: l.quantity,
            listPriceFen: l.listPriceFen,
            unitPriceFen: l.unitPriceFen,
            unitCostFen: l.costFen,
          })),
        )
        .returning()
    if (quote.couponId && !(await lockCoupon(tx, quote.couponId, order!.id)))
      throw conflict('coupon_unusable', '优惠券已被使用')
    if (p.pointsUsed > 0)
      await spendIn(txRaw, {
        memberId,
        amount: p.pointsUsed,
        sourceKey: `order:${orderNo}:deduct`,
        reason: `订单 ${orderNo} 积分抵扣`,
        at,
      })
    if (quote.groupBuy) {
      const group = await takeGroupSeat(tx, {
        groupBuy: quote.groupBuy,
        ...(input.groupBuy?.groupId ? { groupId: input.groupBuy.groupId } : {}),
        memberId,
        orderId: order!.id,
        at,
      })
      await tx.update(orders).set({ groupBuyGroupId: group.id }).where(eq(orders.id, order!.id))
      order!.groupBuyGroupId = group.id
      groupShareCode = group.shareCode
    }
    if (input.fromCart && quote.lines.length)
      await tx.delete(cartItems).where(
        and(
          eq(cartItems.memberId, memberId),
          inArray(
            cartItems.skuId,
            quote.lines.map((l) => l.skuId),
          ),
        ),
      )
    await recordMemberEvent(tx, {
      memberId,
      type: 'order_placed',
      occurredAt: at,
      sourceKey: `order_placed:${orderNo}`,
      payload: { orderNo, kind: quote.kind, payFen: p.payFen },
    })
    // … then the shared rows everyone contends for, last, so their locks are held for the shortest time.
    if (quote.flashSale) {
      await takeFlashSaleStock(tx, quote.flashSale.id, quote.lines[0]!.quantity, at)
    } else if (quote.bargain) {
      await takeBargain(tx, quote.bargain, order!.id, at)
    } else {
      for (const l of [...quote.lines].sort((a, b) => a.skuId - b.skuId)) {
        const taken = await tx
          .update(skus)
          .set({ stock: sql`${skus.stock} - ${l.quantity}` })
          .where(and(eq(skus.id, l.skuId), sql`${skus.stock} >= ${l.quantity}`))
          .returning({ id: skus.id })
        if (taken.length === 0) throw conflict('out_of_stock', `「${l.title}」库存不足`)
      }
    }
    return order!
  })

  return { order, items, groupShareCode, quote: presentQuote(quote) }
}

export async function orderOf(db: Db, memberId: number, orderNo: string): Promise<Order> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orderNo, orderNo), eq(orders.memberId, memberId)))
  if (!order) throw notFound('订单', 'order_not_found')
  return order
}
