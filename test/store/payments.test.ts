// WeChat Pay end to end through the real app and the local WeChat server: prepay and paySign, the
// payment callback (forged, stale, repeated five times at once, wrong amount, unknown order), refunds
// with their callback, the reconciliation job for a lost callback, and expiry closing unpaid orders.
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { createLogger } from '../../shared/logger'
import { pointsEntries, pointsAccounts } from '../../shared/db/schema/loyalty'
import { memberEvents } from '../../shared/db/schema/members'
import { skus } from '../../shared/db/schema/catalog'
import { paymentNotifications } from '../../shared/db/schema/payments'
import { jobs } from '../../worker/jobs'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { operatorToken } from '../support/factories'
import {
  makeProduct,
  makeShopper,
  notifyUrl,
  orderRow,
  refundNotifyUrl,
  startStoreApp,
  type StoreApp,
} from '../support/store'

let database: Database
let wechat: FakeWechat
let app: StoreApp
const clock = new VirtualClock(new Date())
const logLines: string[] = []

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  wechat.pay.now = () => clock.now()
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk))
        done()
      },
    }) as never,
  })
  app = await startStoreApp(database, wechat, { clock, logger })
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

async function placeAndPrepay(shopper: Awaited<ReturnType<typeof makeShopper>>, skuId: number, quantity = 1) {
  const placed = await app.request('POST', '/api/mp/orders', {
    token: shopper.token,
    body: { items: [{ skuId, quantity }], addressId: shopper.addressId },
  })
  expect(placed.status).toBe(201)
  const paid = await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, {
    token: shopper.token,
  })
  expect(paid.status).toBe(200)
  return {
    orderNo: placed.body.orderNo as string,
    payFen: placed.body.payFen as number,
    payment: paid.body.payment,
  }
}

const run = (name: string) =>
  jobs
    .find((j) => j.name === name)!
    .run({ db: database.db, clock, logger: app.deps.logger, config: app.deps.config })

describe('prepay', () => {
  it('creates a JSAPI prepay signed by the merchant and returns requestPayment parameters with a valid paySign', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 26900 })
    const { orderNo, payment } = await placeAndPrepay(shopper, skuId)
    const trade = wechat.pay.trade(orderNo)!
    expect(trade.total).toBe(26900)
    expect(trade.trade_state).toBe('NOTPAY')
    expect(payment.package).toBe(`prepay_id=${trade.prepay_id}`)
    const message = `${wechat.appid}\n${payment.timeStamp}\n${payment.nonceStr}\n${payment.package}\n`
    expect(wechat.pay.verifyMerchantSignature(message, payment.paySign)).toBe(true)
    expect(
      wechat.pay.verifyMerchantSignature(
        message.replace(wechat.appid, 'wx0000000000000000'),
        payment.paySign,
      ),
    ).toBe(false)
  })
})

describe('payment callback', () => {
  let shopper: Awaited<ReturnType<typeof makeShopper>>
  let skuId: number
  beforeAll(async () => {
    shopper = await makeShopper(database.db)
    ;({ skuId } = await makeProduct(database.db, { priceFen: 26900, stock: 50 }))
  })

  it('a forged signature or a stale timestamp is 401 and changes nothing', async () => {
    const { orderNo } = await placeAndPrepay(shopper, skuId)
    const genuine = wechat.pay.confirmPayment(orderNo)
    const forgedBody = genuine.body.replace('"summary":"支付成功"', '"summary":"支付成功 "')
    expect(await wechat.pay.deliver(notifyUrl(app), { headers: genuine.headers, body: forgedBody })).toBe(401)
    const badSig = {
      ...genuine.headers,
      'wechatpay-signature': genuine.headers['wechatpay-signature']!.replace(/^.{8}/, 'AAAAAAAA'),
    }
    expect(await wechat.pay.deliver(notifyUrl(app), { headers: badSig, body: genuine.body })).toBe(401)
    const stale = wechat.pay.callback('TRANSACTION.SUCCESS', JSON.parse('{}'), {
      at: new Date(clock.now().getTime() - 10 * 60_000),
    })
    expect(await wechat.pay.deliver(notifyUrl(app), stale)).toBe(401)
    expect((await orderRow(database.db, orderNo)).status).toBe('pending')
    const rows = await database.db
      .select()
      .from(paymentNotifications)
      .where(eq(paymentNotifications.outTradeNo, orderNo))
    expect(rows).toEqual([])
    // The genuine one still goes through afterwards.
    expect(await wechat.pay.deliver(notifyUrl(app), genuine)).toBe(204)
    expect((await orderRow(database.db, orderNo)).status).toBe('paid')
  })

  it('the same callback five times at once: one PAID transition, one points credit, every answer 204', async () => {
    const { orderNo, payFen } = await placeAndPrepay(shopper, skuId)
    const callback = wechat.pay.confirmPayment(orderNo)
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => wechat.pay.deliver(notifyUrl(app), callback)),
    )
    expect(statuses).toEqual([204, 204, 204, 204, 204])
    const order = await orderRow(database.db, orderNo)
    expect(order.status).toBe('paid')
    expect(order.transactionId).toBe(wechat.pay.trade(orderNo)!.transaction_id)
    const earns = await database.db
      .select()
      .from(pointsEntries)
      .where(eq(pointsEntries.sourceKey, `order:${orderNo}:earn`))
    expect(earns).toHaveLength(1)
    expect(earns[0]!.amount).toBe(Math.floor(payFen / 100))
    const events = await database.db
      .select()
      .from(memberEvents)
      .where(and(eq(memberEvents.type, 'order_paid'), eq(memberEvents.sourceKey, `order_paid:${orderNo}`)))
    expect(events).toHaveLength(1)
    const outcomes = await queryRows<{ outcome: string; n: number }>(
      database.db,
      sql`select outcome, count(*)::int as n from payment_notifications where out_trade_no = ${orderNo} group by outcome order by outcome`,
    )
    expect(outcomes).toEqual([
      { outcome: 'applied', n: 1 },
      { outcome: 'duplicate', n: 4 },
    ])
    // Delivered again later: still 204, still one credit.
    expect(await wechat.pay.deliver(notifyUrl(app), callback)).toBe(204)
    const [account] = await database.db
      .select()
      .from(pointsAccounts)
      .where(eq(pointsAccounts.memberId, shopper.member.id))
    const total = await queryRows<{ s: number }>(
      database.db,
      sql`select sum(amount)::int as s from points_entries where member_id = ${shopper.member.id}`,
    )
    expect(account!.balance).toBe(total[0]!.s)
  })

  it('an amount that does not match the order is refused, logged, and leaves the order unpaid', async () => {
    const { orderNo, payFen } = await placeAndPrepay(shopper, skuId)
    const callback = wechat.pay.confirmPayment(orderNo, { total: payFen - 1 })
    expect(await wechat.pay.deliver(notifyUrl(app), callback)).toBe(400)
    expect((await orderRow(database.db, orderNo)).status).toBe('pending')
    const [row] = await database.db
      .select()
      .from(paymentNotifications)
      .where(eq(paymentNotifications.outTradeNo, orderNo))
    expect(row).toMatchObject({ outcome: 'rejected', reason: 'amount_mismatch' })
    const line = logLines
      .map((l) => JSON.parse(l))
      .find((l) => l.outTradeNo === orderNo && l.outcome === 'amount_mismatch')
    expect(line).toMatchObject({ level: 50, paidFen: payFen - 1, orderPayFen: payFen })
  })

  it('an unknown order is a 404, another merchant or app a 400', async () => {
    const base = {
      appid: wechat.appid,
      mchid: wechat.pay.mchid,
      out_trade_no: 'D20990101000000000000',
      transaction_id: '4200000000000000000001',
      trade_state: 'SUCCESS',
      payer: { openid: 'oX' },
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
    }
    expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.callback('TRANSACTION.SUCCESS', base))).toBe(
      404,
    )
    const { orderNo, payFen } = await placeAndPrepay(shopper, skuId)
    const other = { ...base, out_trade_no: orderNo, amount: { ...base.amount, total: payFen } }
    expect(
      await wechat.pay.deliver(
        notifyUrl(app),
        wechat.pay.callback('TRANSACTION.SUCCESS', { ...other, mchid: '1999999999' }),
      ),
    ).toBe(400)
    expect(
      await wechat.pay.deliver(
        notifyUrl(app),
        wechat.pay.callback('TRANSACTION.SUCCESS', { ...other, appid: 'wx0000000000000000' }),
      ),
    ).toBe(400)
    expect((await orderRow(database.db, orderNo)).status).toBe('pending')
  })
})

describe('refunds', () => {
  it('an operator refund completes by its callback: order refunded, points reversed, unshipped stock returned', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 15900, stock: 5 })
    const { orderNo } = await placeAndPrepay(shopper, skuId, 2)
    expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(orderNo))).toBe(204)
    const [before] = await database.db
      .select()
      .from(pointsAccounts)
      .where(eq(pointsAccounts.memberId, shopper.member.id))
    expect(before!.balance).toBe(318)
    const op = await operatorToken(database.db)
    const res = await app.request('POST', `/api/admin/orders/${orderNo}/refund`, {
      token: op,
      body: { reason: '客户不想要了' },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ amountFen: 31800, status: 'processing' })
    const again = await app.request('POST', `/api/admin/orders/${orderNo}/refund`, {
      token: op,
      body: { reason: '重复点击' },
    })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('refund_amount_invalid')
    const cb = wechat.pay.completeRefund(res.body.outRefundNo)
    const statuses = await Promise.all([1, 2, 3].map(() => wechat.pay.deliver(refundNotifyUrl(app), cb)))
    expect(statuses).toEqual([204, 204, 204])
    const order = await orderRow(database.db, orderNo)
    expect(order).toMatchObject({ status: 'refunded', refundedFen: 31800 })
    const [after] = await database.db
      .select()
      .from(pointsAccounts)
      .where(eq(pointsAccounts.memberId, shopper.member.id))
    expect(after!.balance).toBe(0)
    const [sku] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(sku!.stock).toBe(5)
  })
})

describe('jobs', () => {
  it('reconciliation applies a payment whose callback never arrived', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 8900 })
    const { orderNo } = await placeAndPrepay(shopper, skuId)
    wechat.pay.confirmPayment(orderNo) // paid at WeChat; the callback is lost
    clock.advance(6 * 60_000)
    // (It also settles the earlier order whose callback carried a wrong amount: WeChat's own record of
    // that payment, queried here, has the right one.)
    const summary = await run('pending-payments-reconcile')
    expect(summary).toMatch(/applied [1-9]/)
    expect((await orderRow(database.db, orderNo)).status).toBe('paid')
  })

  it('unpaid orders expire: closed at WeChat Pay, cancelled, stock released', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 8900, stock: 3 })
    const { orderNo } = await placeAndPrepay(shopper, skuId, 3)
    const [held] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(held!.stock).toBe(0)
    clock.advance(16 * 60_000)
    await run('unpaid-orders-expiry')
    expect(wechat.pay.trade(orderNo)!.trade_state).toBe('CLOSED')
    expect((await orderRow(database.db, orderNo)).status).toBe('cancelled')
    const [released] = await database.db.select().from(skus).where(eq(skus.id, skuId))
    expect(released!.stock).toBe(3)
    // Paying the closed order is refused by WeChat Pay, and by us.
    const pay = await app.request('POST', `/api/mp/orders/${orderNo}/pay`, { token: shopper.token })
    expect(pay.status).toBe(409)
  })

  it('an order paid at the last second is applied, not cancelled, by the expiry job', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 8900, stock: 3 })
    const { orderNo } = await placeAndPrepay(shopper, skuId)
    wechat.pay.confirmPayment(orderNo)
    clock.advance(16 * 60_000)
    expect(await run('unpaid-orders-expiry')).toMatch(/found 1 paid/)
    expect((await orderRow(database.db, orderNo)).status).toBe('paid')
  })
})
