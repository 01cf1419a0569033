// The quote: what an order would cost, priced by the server alone (member price by tier level,
// flash-sale, group or bargain price, coupon, points deduction with its cap, shipping — see pricing.ts)
// from what the shopper asked for, without holding anything. The checkout page shows it
// (previewOrder) and placeOrder (checkout.ts) places exactly it.
import { and, eq, inArray, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Clock } from '../clock'
import type { Db } from '../db/client'
import { conflict, DomainError, invalid } from '../errors'
import { bargainForCheckout } from '../bargain/service'
import type { Bargain } from '../db/schema/bargain'
import { heldLevelIds, memberPricesFor } from '../catalog/browse'
import { products, skus } from '../db/schema/catalog'
import { usableCoupon } from '../coupons/service'
import { pointsBalance } from '../points/ledger'
import { tierLadders, tierLevels } from '../db/schema/loyalty'
import { sellingFlashSale } from '../marketing/flash-sale'
import { activeGroupBuy } from '../marketing/group-buy'
import type { FlashSaleGate } from '../marketing/flash-sale-gate'
import type { FlashSale, GroupBuy } from '../db/schema/marketing'
import { priceLine, priceOrder, type OrderPrice, type PricedLine, type StoreRules } from './pricing'
import { loadStoreRules } from './store-rules'
import { membershipForSale } from './memberships-for-sale'
import { memberAddresses, type ShippingAddress } from '../db/schema/orders'

const quantity = z.number().int().min(1, '数量至少为 1').max(99, '单次最多购买 99 件')

export const checkoutInputSchema = z
  .object({
    /** Ordinary goods: SKUs and quantities (e.g. from the cart). */
    items: z
      .array(z.object({ skuId: z.number().int().positive(), quantity }))
      .min(1)
      .max(50)
      .optional(),
    /** A flash-sale purchase. */
    flashSale: z.object({ flashSaleId: z.number().int().positive(), quantity }).optional(),
    /** A group buy: open a new group (no groupId) or join one. */
    groupBuy: z
      .object({ groupBuyId: z.number().int().positive(), groupId: z.number().int().positive().optional() })
      .optional(),
    /** A bargain of the member's, bought at the price their friends reached. */
    bargain: z.object({ bargainId: z.number().int().positive() }).optional(),
    /** A paid membership level (buying or renewing). */
    membershipLevelId: z.number().int().positive().optional(),
    addressId: z.number().int().positive().optional(),
    couponId: z.number().int().positive().optional(),
    /** Points to deduct, or 'max' for as many as the rules allow. */
    usePoints: z.union([z.literal('max'), z.number().int().min(0)]).default(0),
    /** The share code the member arrived through (attributes the order to its sharer). */
    shareCode: z.string().trim().min(1).max(32).optional(),
    remark: z.string().trim().max(200).optional(),
    /** Remove the ordered SKUs from the cart. */
    fromCart: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    const kinds = [v.items, v.flashSale, v.groupBuy, v.bargain, v.membershipLevelId].filter(
      (x) => x !== undefined,
    ).length
    if (kinds !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['items'],
        message: '请选择商品、秒杀、拼团、砍价或会员中的一种下单',
      })
    if (v.items && new Set(v.items.map((i) => i.skuId)).size !== v.items.length)
      ctx.addIssue({ code: 'custom', path: ['items'], message: '同一规格请合并数量' })
  })
export type CheckoutInput = z.input<typeof checkoutInputSchema>

/** A priced order, with what it would hold: the checkout places exactly this. */
export interface Quote {
  kind: 'goods' | 'membership'
  rules: StoreRules
  lines: (PricedLine & { title: string; spec: string; costFen: number })[]
  price: OrderPrice
  flashSale?: FlashSale
  groupBuy?: GroupBuy
  bargain?: Bargain
  membershipLevel?: { id: number; name: string }
  address?: ShippingAddress
  couponId?: number
}

export interface CheckoutDeps {
  db: Db
  clock: Clock
  /** Store rules to apply instead of those operators stored (benchmarks and tests). */
  rules?: StoreRules
  /** This process's knowledge of sold-out flash sales (from the change feed): refusals without a query. */
  flashSales?: FlashSaleGate | undefined
}

export async function buildQuote(
  deps: CheckoutDeps,
  memberId: number,
  input: z.output<typeof checkoutInputSchema>,
): Promise<Quote> {
  const { db } = deps
  const at = deps.clock.now()
  const rules = deps.rules ?? (await loadStoreRules(db))
  let kind: Quote['kind'] = 'goods'
  let lines: Quote['lines'] = []
  let flashSale: FlashSale | undefined
  let groupBuy: GroupBuy | undefined
  let bargain: Bargain | undefined
  let membershipLevel: Quote['membershipLevel']

  if (input.membershipLevelId) {
    kind = 'membership'
    const [level] = await db
      .select({ level: tierLevels, ladder: tierLadders })
      .from(tierLevels)
      .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
      .where(eq(tierLevels.id, input.membershipLevelId))
    if (!level || !membershipForSale(level.ladder, level.level))
      throw invalid('membershipLevelId', '该会员等级不能购买', 'membership_not_for_sale')
    membershipLevel = { id: level.level.id, name: level.level.name }
    lines = []
    const price = priceOrder(rules, {
      kind,
      lines: [
        {
          skuId: 0,
          productId: 0,
          categoryId: 0,
          quantity: 1,
          listPriceFen: level.level.annualFeeFen,
          unitPriceFen: level.level.annualFeeFen,
          source: 'membership',
        },
      ],
      pointsBalance: input.usePoints === 0 ? 0 : await pointsBalance(db, memberId, at),
      pointsRequested: input.usePoints,
    })
    return { kind, rules, lines, price, membershipLevel }
  }

  let wanted: { skuId: number; quantity: number }[]
  /** The SKU and product, when the promotion's read brought them already. */
  let known: { sku: typeof skus.$inferSelect; product: typeof products.$inferSelect }[] | undefined
  let promotion: { source: 'flash_sale' | 'group_buy' | 'bargain'; priceFen: number } | undefined
  if (input.flashSale) {
    const saleId = input.flashSale.flashSaleId
    const refusal = deps.flashSales?.refusal(saleId)
    if (refusal === 'ended') throw conflict('flash_sale_ended', '秒杀已结束')
    if (refusal === 'sold_out') throw conflict('flash_sale_sold_out', '手慢了，秒杀商品已抢光')
    const mark = deps.flashSales?.mark(saleId)
    const selling = await sellingFlashSale(db, saleId, at)
    flashSale = selling.sale
    known = [{ sku: selling.sku, product: selling.product }]
    if (flashSale.stockLeft === 0 && mark !== undefined) deps.flashSales!.sawSoldOut(saleId, mark)
    // Sold out already (and within the limit, which is checked first): answer without opening a
    // transaction. The conditional updates inside the transaction still decide.
    if (
      input.flashSale.quantity <= flashSale.perMemberLimit &&
      flashSale.stockLeft < input.flashSale.quantity
    )
      throw conflict('flash_sale_sold_out', '手慢了，秒杀商品已抢光')
    wanted = [{ skuId: flashSale.skuId, quantity: input.flashSale.quantity }]
    promotion = { source: 'flash_sale', priceFen: flashSale.priceFen }
  } else if (input.groupBuy) {
    groupBuy = await activeGroupBuy(db, input.groupBuy.groupBuyId, at)
    wanted = [{ skuId: groupBuy.skuId, quantity: 1 }]
    promotion = { source: 'group_buy', priceFen: groupBuy.groupPriceFen }
  } else if (input.bargain) {
    const held = await bargainForCheckout(db, input.bargain.bargainId, memberId, at)
    bargain = held.bargain
    wanted = [{ skuId: held.campaign.skuId, quantity: 1 }]
    promotion = { source: 'bargain', priceFen: held.bargain.priceFen }
  } else {
    wanted = input.items!
  }
  const rows =
    known ??
    (await db
      .select({ sku: skus, product: products })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .where(
        inArray(
          skus.id,
          wanted.map((w) => w.skuId),
        ),
      ))
  const byId = new Map(rows.map((r) => [r.sku.id, r]))
  const levelIds = promotion ? [] : await heldLevelIds(db, memberId, at)
  const memberPrices = await memberPricesFor(
    db,
    wanted.map((w) => w.skuId),
    levelIds,
  )
  lines = wanted.map((w, i) => {
    const row = byId.get(w.skuId)
    if (!row) throw invalid(`items.${i}.skuId`, '商品规格不存在', 'sku_not_found')
    if (row.product.status !== 'on_sale')
      throw new DomainError('product_off_sale', `「${row.product.title}」已下架`, 409, [
        { path: `items.${i}.skuId`, message: '商品已下架' },
      ])
    if (!promotion && row.sku.stock < w.quantity)
      throw new DomainError('out_of_stock', `「${row.product.title}」库存不足`, 409, [
        { path: `items.${i}.quantity`, message: `库存仅剩 ${row.sku.stock} 件` },
      ])
    return {
      ...priceLine({
        skuId: row.sku.id,
        productId: row.product.id,
        categoryId: row.product.categoryId,
        quantity: w.quantity,
        listPriceFen: row.sku.priceFen,
        memberPricesFen: memberPrices.get(row.sku.id) ?? [],
        ...(promotion ? { promotion } : {}),
      }),
      title: row.product.title,
      spec: row.sku.spec,
      costFen: row.sku.costFen,
    }
  })

  let coupon: Awaited<ReturnType<typeof usableCoupon>> | undefined
  if (input.couponId) coupon = await usableCoupon(db, memberId, input.couponId, at)
  const price = priceOrder(rules, {
    kind,
    lines,
    ...(coupon ? { coupon: coupon.rule } : {}),
    pointsBalance: input.usePoints === 0 ? 0 : await pointsBalance(db, memberId, at),
    pointsRequested: input.usePoints,
  })
  if (price.coupon && !price.coupon.ok)
    throw new DomainError(
      'coupon_not_applicable',
      price.coupon.reason === 'below_threshold' ? '未达到优惠券的使用门槛' : '优惠券不适用于所选商品',
      409,
      [{ path: 'couponId', message: '优惠券不可用于本单' }],
    )

  let address: ShippingAddress | undefined
  if (input.addressId) {
    const [a] = await db
      .select()
      .from(memberAddresses)
      .where(
        and(
          eq(memberAddresses.id, input.addressId),
          eq(memberAddresses.memberId, memberId),
          isNull(memberAddresses.deletedAt),
        ),
      )
    if (!a) throw invalid('addressId', '收货地址不存在', 'address_not_found')
    address = {
      name: a.name,
      phone: a.phone,
      province: a.province,
      city: a.city,
      district: a.district,
      detail: a.detail,
    }
  }
  return {
    rules,
    kind,
    lines,
    price,
    ...(flashSale ? { flashSale } : {}),
    ...(groupBuy ? { groupBuy } : {}),
    ...(bargain ? { bargain } : {}),
    ...(address ? { address } : {}),
    ...(coupon ? { couponId: coupon.coupon.id } : {}),
  }
}

export interface QuoteView {
  kind: 'goods' | 'membership'
  lines: {
    skuId: number
    title: string
    spec: string
    quantity: number
    listPriceFen: number
    unitPriceFen: number
    priceSource: string
  }[]
  itemsFen: number
  discountFen: number
  pointsUsed: number
  pointsDeductFen: number
  shippingFen: number
  payFen: number
}

export const presentQuote = (q: Quote): QuoteView => ({
  kind: q.kind,
  lines: q.lines.map((l) => ({
    skuId: l.skuId,
    title: l.title,
    spec: l.spec,
    quantity: l.quantity,
    listPriceFen: l.listPriceFen,
    unitPriceFen: l.unitPriceFen,
    priceSource: l.source,
  })),
  itemsFen: q.price.itemsFen,
  discountFen: q.price.discountFen,
  pointsUsed: q.price.pointsUsed,
  pointsDeductFen: q.price.pointsDeductFen,
  shippingFen: q.price.shippingFen,
  payFen: q.price.payFen,
})

/** What the order would cost, without holding anything (the checkout page). */
export async function previewOrder(
  deps: CheckoutDeps,
  memberId: number,
  input: CheckoutInput,
): Promise<QuoteView> {
  return presentQuote(await buildQuote(deps, memberId, checkoutInputSchema.parse(input)))
}
