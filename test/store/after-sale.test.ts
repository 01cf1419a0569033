// After-sale: a refund or a return of items within the window, approved (the refund recorded and
// settled, points reversed on a full refund, a free-return use recorded) or refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { seedReferenceData } from '../../shared/demo/seed'
import { decideAfterSale, listAfterSales, requestAfterSale } from '../../shared/after-sale/service'
import { seedLoyaltyDemo } from '../../shared/demo/loyalty'
import { setMemberLevel } from '../../shared/tiers/ladders'
import { memberBenefits } from '../../shared/benefits/quotas'
import { pointsBalance } from '../../shared/points/ledger'
import { placeOrder } from '../../shared/orders/checkout'
import { confirmReceipt, shipOrder } from '../../shared/orders/lifecycle'
import { settleOrderPayment } from '../../shared/flows/order-paid'
import { defaultStoreRules } from '../../shared/orders/pricing'
import { orderItems, orders } from '../../shared/db/schema/orders'
import { onPostgresServer, testDatabase } from '../support/db'
import { makeProduct, makeShopper } from '../support/store'

let database: Database
const clock = new VirtualClock('2026-06-01T04:00:00Z')

beforeAll(async () => {
  database = await testDatabase({ poolMax: 20 })
  await seedReferenceData(database.db)
  await seedLoyaltyDemo(database.db, clock.now())
})
afterAll(async () => {
  await database.close()
})

const code = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof DomainError) return err.fields?.[0]?.path ?? err.code
    throw err
  }
}

/** A V2 member's paid order of `quantity` units at 100 yuan (paid without WeChat, so refunds settle at once). */
async function paidOrder(quantity: number) {
  const shopper = await makeShopper(database.db)
  await setMemberLevel(
    database.db,
    { memberId: shopper.member.id, ladderCode: 'vip', levelCode: 'V2', reason: '测试' },
    clock.now(),
  )
  const { skuId } = await makeProduct(database.db, { priceFen: 10000, stock: 10 })
  const { order } = await placeOrder(
    { db: database.db, clock, rules: defaultStoreRules },
    shopper.member.id,
    {
      items: [{ skuId, quantity }],
      addressId: shopper.addressId,
    },
  )
  await settleOrderPayment(database.db, { orderNo: order.orderNo, transactionId: null, paidAt: clock.now() })
  const [item] = await database.db.select().from(orderItems).where(eq(orderItems.orderId, order.id))
  return { shopper, memberId: shopper.member.id, orderNo: order.orderNo, orderId: order.id, item: item! }
}

const orderOf = async (id: number) => (await database.db.select().from(orders).where(eq(orders.id, id)))[0]!

describe('after-sale', () => {
  it('a refund of the whole order before shipping: approved, refunded in full, points taken back', async () => {
    const o = await paidOrder(2)
    const paid = await orderOf(o.orderId)
    const before = await pointsBalance(database.db, o.memberId, clock.now())
    expect(before).toBeGreaterThan(0)
    expect(
      await code(
        requestAfterSale(
          database.db,
          o.memberId,
          {
            orderNo: o.orderNo,
            kind: 'return',
            reason: '不想要了',
            items: [{ orderItemId: o.item.id, quantity: 2 }],
          },
          clock.now(),
        ),
      ),
    ).toBe('kind')
    expect(
      await code(
        requestAfterSale(
          database.db,
          o.memberId,
          {
            orderNo: o.orderNo,
            kind: 'refund',
            reason: '不想要了',
            items: [{ orderItemId: o.item.id, quantity: 3 }],
          },
          clock.now(),
        ),
      ),
    ).toBe('items.0.quantity')
    const request = await requestAfterSale(
      database.db,
      o.memberId,
      {
        orderNo: o.orderNo,
        kind: 'refund',
        reason: '拍错了规格',
        photos: ['https://img.example.com/a.jpg'],
        items: [{ orderItemId: o.item.id, quantity: 2 }],
      },
      clock.now(),
    )
    expect(request).toMatchObject({ status: 'requested', amountFen: paid.payFen })
    expect(
      await code(
        requestAfterSale(
          database.db,
          o.memberId,
          {
            orderNo: o.orderNo,
            kind: 'refund',
            reason: '再申请',
            items: [{ orderItemId: o.item.id, quantity: 1 }],
          },
          clock.now(),
        ),
      ),
    ).toBe('after_sale_open')
    const approved = await decideAfterSale(
      database.db,
      null,
      { requestId: request.id, approve: true, operatorId: 1 },
      clock.now(),
    )
    expect(approved.status).toBe('approved')
    const refunded = await orderOf(o.orderId)
    expect(refunded).toMatchObject({ status: 'refunded', refundedFen: paid.payFen })
    expect(await pointsBalance(database.db, o.memberId, clock.now())).toBe(0)
    const [view] = await listAfterSales(database.db, { memberId: o.memberId })
    expect(view).toMatchObject({ status: 'approved', refundStatus: 'success', orderNo: o.orderNo })
    expect(
      await code(
        decideAfterSale(
          database.db,
          null,
          { requestId: request.id, approve: false, operatorId: 1 },
          clock.now(),
        ),
      ),
    ).toBe('after_sale_decided')
  })

  it('a return of part of a delivered order with free return shipping: its share refunded, one quota use recorded', async () => {
    const o = await paidOrder(2)
    await shipOrder(database.db, o.orderNo, { shippingCompany: '顺丰', trackingNo: 'SF1' }, clock.now())
    await confirmReceipt(database.db, o.memberId, o.orderNo, clock.now())
    const quota = async () =>
      (await memberBenefits(database.db, o.memberId, clock.now())).find(
        (b) => b.code === 'free_return_shipping',
      )!.used
    const usedBefore = await quota()
    const request = await requestAfterSale(
      database.db,
      o.memberId,
      {
        orderNo: o.orderNo,
        kind: 'return',
        reason: '有破损',
        items: [{ orderItemId: o.item.id, quantity: 1 }],
        freeReturnShipping: true,
      },
      clock.now(),
    )
    const paid = await orderOf(o.orderId)
    expect(request.amountFen).toBe(Math.floor((paid.payFen - paid.shippingFen) / 2))
    await decideAfterSale(
      database.db,
      null,
      { requestId: request.id, approve: true, operatorId: 1 },
      clock.now(),
    )
    expect(await quota()).toBe((usedBefore ?? 0) + 1)
    expect(await orderOf(o.orderId)).toMatchObject({ status: 'completed', refundedFen: request.amountFen })

    // The other unit: refused by the operator, nothing refunded; past the window, no more requests.
    const second = await requestAfterSale(
      database.db,
      o.memberId,
      {
        orderNo: o.orderNo,
        kind: 'return',
        reason: '也不想要',
        items: [{ orderItemId: o.item.id, quantity: 1 }],
      },
      clock.now(),
    )
    expect(second.amountFen).toBe(paid.payFen - request.amountFen)
    const refused = await decideAfterSale(
      database.db,
      null,
      { requestId: second.id, approve: false, note: '已超出质量问题范围', operatorId: 1 },
      clock.now(),
    )
    expect(refused).toMatchObject({ status: 'refused', decisionNote: '已超出质量问题范围' })
    expect((await orderOf(o.orderId)).refundedFen).toBe(request.amountFen)
    clock.advance(8 * 86_400_000)
    expect(
      await code(
        requestAfterSale(
          database.db,
          o.memberId,
          {
            orderNo: o.orderNo,
            kind: 'return',
            reason: '迟到的申请',
            items: [{ orderItemId: o.item.id, quantity: 1 }],
          },
          clock.now(),
        ),
      ),
    ).toBe('after_sale_window_closed')
  })
})

describe.runIf(onPostgresServer())('on the PostgreSQL server', () => {
  it('two requests for one order at once: one is taken, the other told one is open', async () => {
    const o = await paidOrder(1)
    const results = await Promise.all(
      [1, 2].map(() =>
        code(
          requestAfterSale(
            database.db,
            o.memberId,
            {
              orderNo: o.orderNo,
              kind: 'refund',
              reason: '重复提交',
              items: [{ orderItemId: o.item.id, quantity: 1 }],
            },
            clock.now(),
          ),
        ),
      ),
    )
    expect(results.sort()).toEqual(['after_sale_open', 'ok'])
  })
})
