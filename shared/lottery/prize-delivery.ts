// A prize won, handed over inside the draw's transaction: points credited, a coupon issued, or a gift
// written as an order to ship (nothing paid and no paid time, so it counts as no purchase).
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { products, skus } from '../db/schema/catalog'
import { issueCoupon } from '../coupons/service'
import { defaultPointsExpiry } from '../points/earning'
import { grantPoints } from '../points/ledger'
import { newOrderNo } from '../orders/checkout'
import { memberAddresses, orderItems, orders } from '../db/schema/orders'
import { lotteryDraws, type Lottery, type LotteryDraw, type LotteryPrize } from '../db/schema/lottery'

/** Inside the draw's transaction: hand the prize over. */
export async function deliverPrize(
  tx: Db,
  { lottery, prize, draw, at }: { lottery: Lottery; prize: LotteryPrize; draw: LotteryDraw; at: Date },
): Promise<LotteryDraw> {
  const sourceKey = `lottery:draw:${draw.id}`
  if (prize.kind === 'points') {
    await grantPoints(tx, {
      memberId: draw.memberId,
      amount: prize.points!,
      sourceKey,
      reason: `抽奖「${lottery.title}」中奖：${prize.name}`,
      at,
      expiresAt: defaultPointsExpiry(at),
    })
    return draw
  }
  if (prize.kind === 'coupon') {
    const { coupon } = await issueCoupon(tx, {
      templateId: prize.couponTemplateId!,
      memberId: draw.memberId,
      sourceKey,
      source: 'lottery',
      at,
    })
    const [updated] = await tx
      .update(lotteryDraws)
      .set({ couponId: coupon.id })
      .where(eq(lotteryDraws.id, draw.id))
      .returning()
    return updated!
  }
  if (prize.kind === 'gift') {
    const orderId = await giftOrder(tx, {
      memberId: draw.memberId,
      skuId: prize.skuId!,
      prizeName: prize.name,
      at,
    })
    const [updated] = await tx
      .update(lotteryDraws)
      .set({ orderId })
      .where(eq(lotteryDraws.id, draw.id))
      .returning()
    return updated!
  }
  return draw
}

/**
 * A gift won: an order of the gift at no charge, waiting to be shipped (status 'paid' with nothing paid
 * and no paid time, so it counts as no purchase) to the member's default address, if they have one.
 */
async function giftOrder(
  tx: Db,
  input: { memberId: number; skuId: number; prizeName: string; at: Date },
): Promise<number> {
  const [sku] = await tx
    .select({ sku: skus, product: products })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(skus.id, input.skuId))
  if (!sku) throw new DomainError('gift_sku_missing', '礼品规格不存在', 409)
  const [address] = await tx
    .select()
    .from(memberAddresses)
    .where(and(eq(memberAddresses.memberId, input.memberId), sql`${memberAddresses.deletedAt} is null`))
    .orderBy(desc(memberAddresses.isDefault), desc(memberAddresses.id))
    .limit(1)
  const [order] = await tx
    .insert(orders)
    .values({
      orderNo: newOrderNo(input.at),
      memberId: input.memberId,
      kind: 'goods',
      channel: 'mp',
      status: 'paid',
      itemsFen: 0,
      payFen: 0,
      address: address
        ? {
            name: address.name,
            phone: address.phone,
            province: address.province,
            city: address.city,
            district: address.district,
            detail: address.detail,
          }
        : null,
      remark: `抽奖奖品：${input.prizeName}`,
      createdAt: input.at,
    })
    .returning({ id: orders.id })
  await tx.insert(orderItems).values({
    orderId: order!.id,
    productId: sku.product.id,
    skuId: sku.sku.id,
    categoryId: sku.product.categoryId,
    title: sku.product.title,
    spec: sku.sku.spec,
    quantity: 1,
    listPriceFen: sku.sku.priceFen,
    unitPriceFen: 0,
    unitCostFen: sku.sku.costFen,
  })
  return order!.id
}
