// Purchases made in a physical store. Staff record one at the till (the member found by their card code
// or phone); it becomes an order of channel 'store' moved to paid through settleOrderPayment, so the paid-order
// flow (points, tier spend, referral, the member's stage) treats it exactly like an online order. The
// receipt number makes it idempotent: recording the same receipt again changes nothing.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { conflict, DomainError, invalid, notFound } from '../errors'
import { products, skus } from '../db/schema/catalog'
import { findMemberByIdentity } from '../members/identity'
import { members, type Member } from '../db/schema/members'
import { newOrderNo } from '../orders/checkout'
import { settleOrderPayment } from '../flows/order-paid'
import { orderItems, orders } from '../db/schema/orders'
import { storePurchases, stores, type Store, type StorePurchase } from '../db/schema/stores'

export const storeInputSchema = z.object({
  name: z.string().trim().min(1).max(40),
  city: z.string().trim().min(1).max(20),
})

export async function createStore(db: Db, input: z.input<typeof storeInputSchema>): Promise<Store> {
  const s = storeInputSchema.parse(input)
  const [created] = await db.insert(stores).values(s).onConflictDoNothing().returning()
  if (!created)
    throw new DomainError('store_exists', `门店「${s.name}」已存在`, 409, [
      { path: 'name', message: '门店名称已存在' },
    ])
  return created
}

export const listStores = (db: Db) => db.select().from(stores).orderBy(asc(stores.id))

export const receiptNoSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_\-/]{1,64}$/, '小票号只能包含字母、数字和 - _ /')

export const memberAtTillSchema = z
  .object({
    /** The member card code: the member number or a store card's code. */
    code: z.string().trim().min(4).max(40).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^1\d{10}$/, '手机号格式不正确')
      .optional(),
  })
  .refine((m) => m.code || m.phone, { path: ['code'], message: '请填写会员卡号或手机号' })

export const storePurchaseInputSchema = z.object({
  storeId: z.number().int().positive(),
  receiptNo: receiptNoSchema,
  member: memberAtTillSchema,
  amountFen: z.number().int().min(1).max(100_000_000),
  /** What was bought, if the till says (SKUs of the catalogue). */
  items: z
    .array(z.object({ skuId: z.number().int().positive(), quantity: z.number().int().min(1).max(999) }))
    .max(100)
    .optional(),
  /** When it was bought; now by default. */
  purchasedAt: z.coerce.date().optional(),
})
export type StorePurchaseInput = z.input<typeof storePurchaseInputSchema>

/** The member a card code (member number or store card) or phone belongs to, after any merge. */
export async function findMemberAtTill(
  db: Db,
  m: z.output<typeof memberAtTillSchema>,
): Promise<Member | null> {
  let found: Member | null = null
  if (m.code) {
    const [byNo] = await db.select().from(members).where(eq(members.memberNo, m.code.toUpperCase()))
    found = byNo ?? (await findMemberByIdentity(db, { kind: 'store_card', value: m.code }))
  }
  if (!found && m.phone) found = await findMemberByIdentity(db, { kind: 'phone', value: m.phone })
  if (found?.mergedIntoId) {
    const [survivor] = await db
      .select()
      .from(members)
      .where(and(eq(members.id, found.mergedIntoId), isNull(members.mergedIntoId)))
    found = survivor ?? null
  }
  return found
}

export interface RecordedPurchase {
  purchase: StorePurchase
  orderNo: string
  memberId: number
  memberNo: string
  duplicate: boolean
}

/**
 * Record a till purchase once per (store, receipt number), inside one transaction with its paid order.
 * The same receipt again answers the first recording (`duplicate`), or 409 if it now says otherwise.
 */
export async function recordStorePurchase(
  db: Db,
  raw: StorePurchaseInput,
  by: { recordedBy: string; source: 'till' | 'import'; at: Date },
): Promise<RecordedPurchase> {
  const input = storePurchaseInputSchema.parse(raw)
  const purchasedAt = input.purchasedAt ?? by.at
  if (purchasedAt.getTime() > by.at.getTime() + 5 * 60_000)
    throw invalid('purchasedAt', '消费时间不能晚于现在')
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`store_receipt:${input.storeId}:${input.receiptNo}`}, 0))`,
    )
    const [store] = await tx.select().from(stores).where(eq(stores.id, input.storeId))
    if (!store) throw invalid('storeId', '门店不存在', 'store_not_found')
    const member = await findMemberAtTill(tx, input.member)
    if (!member) throw notFound('会员', 'member_not_found')
    const [prior] = await tx
      .select({ purchase: storePurchases, orderNo: orders.orderNo, memberNo: members.memberNo })
      .from(storePurchases)
      .innerJoin(orders, eq(orders.id, storePurchases.orderId))
      .innerJoin(members, eq(members.id, storePurchases.memberId))
      .where(and(eq(storePurchases.storeId, store.id), eq(storePurchases.receiptNo, input.receiptNo)))
    if (prior) {
      if (prior.purchase.memberId !== member.id || prior.purchase.amountFen !== input.amountFen)
        throw conflict('receipt_already_recorded', `小票 ${input.receiptNo} 已登记为另一笔消费`)
      return {
        purchase: prior.purchase,
        orderNo: prior.orderNo,
        memberId: member.id,
        memberNo: prior.memberNo,
        duplicate: true,
      }
    }

    const lines = await itemLines(tx, input.items ?? [])
    const listFen = lines.reduce((s, l) => s + l.listPriceFen * l.quantity, 0)
    // What the till charged is the truth; item list prices above it show as the discount.
    const itemsFen = Math.max(listFen, input.amountFen)
    const orderNo = newOrderNo(purchasedAt)
    const [order] = await tx
      .insert(orders)
      .values({
        orderNo,
        memberId: member.id,
        kind: 'goods',
        channel: 'store',
        itemsFen,
        discountFen: itemsFen - input.amountFen,
        payFen: input.amountFen,
        remark: `${store.name} 小票 ${input.receiptNo}`,
        createdAt: purchasedAt,
      })
      .returning()
    if (lines.length)
      await tx
        .insert(orderItems)
        .values(lines.map((l) => ({ ...l, orderId: order!.id, unitPriceFen: l.listPriceFen })))
    const [purchase] = await tx
      .insert(storePurchases)
      .values({
        storeId: store.id,
        receiptNo: input.receiptNo,
        orderId: order!.id,
        memberId: member.id,
        amountFen: input.amountFen,
        source: by.source,
        recordedBy: by.recordedBy,
        purchasedAt,
        createdAt: by.at,
      })
      .returning()
    // The paid-order flow, exactly as for a payment: points, member event and stage, tiers, referral.
    await settleOrderPayment(tx, { orderNo, transactionId: null, paidAt: purchasedAt })
    return { purchase: purchase!, orderNo, memberId: member.id, memberNo: member.memberNo, duplicate: false }
  })
}

async function itemLines(tx: Db, items: { skuId: number; quantity: number }[]) {
  if (items.length === 0) return []
  const rows = await tx
    .select({ sku: skus, product: products })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(
      inArray(
        skus.id,
        items.map((i) => i.skuId),
      ),
    )
  return items.map((item, i) => {
    const row = rows.find((r) => r.sku.id === item.skuId)
    if (!row) throw invalid(`items.${i}.skuId`, '商品规格不存在', 'sku_not_found')
    return {
      productId: row.product.id,
      skuId: row.sku.id,
      categoryId: row.product.categoryId,
      title: row.product.title,
      spec: row.sku.spec,
      quantity: item.quantity,
      listPriceFen: row.sku.priceFen,
      unitCostFen: row.sku.costFen,
    }
  })
}

export async function listStorePurchases(db: Db, q: { storeId?: number; memberId?: number; limit?: number }) {
  return db
    .select({
      id: storePurchases.id,
      storeId: storePurchases.storeId,
      storeName: stores.name,
      receiptNo: storePurchases.receiptNo,
      orderNo: orders.orderNo,
      memberId: storePurchases.memberId,
      memberNo: members.memberNo,
      memberName: members.name,
      amountFen: storePurchases.amountFen,
      source: storePurchases.source,
      recordedBy: storePurchases.recordedBy,
      purchasedAt: storePurchases.purchasedAt,
    })
    .from(storePurchases)
    .innerJoin(stores, eq(stores.id, storePurchases.storeId))
    .innerJoin(orders, eq(orders.id, storePurchases.orderId))
    .innerJoin(members, eq(members.id, storePurchases.memberId))
    .where(
      and(
        q.storeId ? eq(storePurchases.storeId, q.storeId) : undefined,
        q.memberId ? eq(storePurchases.memberId, q.memberId) : undefined,
      ),
    )
    .orderBy(sql`${storePurchases.purchasedAt} desc`, sql`${storePurchases.id} desc`)
    .limit(q.limit ?? 100)
}
