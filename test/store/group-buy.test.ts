// Group buy (拼团) end to end: a leader opens and pays, friends join and pay, the group succeeds at N and
// its orders ship; a group that expires unfilled fails and every paid member is refunded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { createGroupBuy } from '../../shared/marketing/group-buy'
import { groupBuyGroups } from '../../shared/db/schema/marketing'
import { orderRefunds } from '../../shared/db/schema/payments'
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

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  wechat.pay.now = () => clock.now()
  app = await startStoreApp(database, wechat, { clock })
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

const runJob = (name: string) =>
  jobs
    .find((j) => j.name === name)!
    .run({ db: database.db, clock, logger: app.deps.logger, config: app.deps.config })

async function campaign(size: number) {
  const { skuId } = await makeProduct(database.db, { priceFen: 19900, stock: 20 })
  return createGroupBuy(database.db, {
    skuId,
    title: '三人团',
    groupPriceFen: 12900,
    groupSize: size,
    fillMinutes: 60,
    startsAt: new Date(clock.now().getTime() - 60_000),
    endsAt: new Date(clock.now().getTime() + 7 * 86_400_000),
  })
}

async function orderAndPay(
  shopper: Awaited<ReturnType<typeof makeShopper>>,
  groupBuyId: number,
  groupId?: number,
) {
  const placed = await app.request('POST', '/api/mp/orders', {
    token: shopper.token,
    body: { groupBuy: { groupBuyId, ...(groupId ? { groupId } : {}) }, addressId: shopper.addressId },
  })
  if (placed.status !== 201) return placed
  await app.request('POST', `/api/mp/orders/${placed.body.orderNo}/pay`, { token: shopper.token })
  expect(await wechat.pay.deliver(notifyUrl(app), wechat.pay.confirmPayment(placed.body.orderNo))).toBe(204)
  return placed
}

describe('group buy', () => {
  it('opens on the leader’s payment, fills with friends, succeeds at N; a full group takes nobody else', async () => {
    const g = await campaign(3)
    const [leader, friend1, friend2, late] = await Promise.all(
      [1, 2, 3, 4].map(() => makeShopper(database.db)),
    )
    const opened = await orderAndPay(leader!, g.id)
    expect(opened.body).toMatchObject({ itemsFen: 12900 })
    const groupId = opened.body.groupBuyGroupId as number
    const code = opened.body.groupShareCode as string
    expect(code).toMatch(/^[A-Za-z0-9_-]{12}$/)
    const view = await app.request('GET', `/api/mp/group-buys/groups/${code}`, { token: friend1!.token })
    expect(view.body).toMatchObject({ status: 'forming', paidCount: 1, seatsLeft: 2 })
    // The share page shows who joined, never their member ids.
    expect(view.body.members).toHaveLength(1)
    expect(view.body.members[0]).not.toHaveProperty('memberId')
    expect(view.body.members[0].isMe).toBe(false)
    // Nobody walks the groups by number: the sequential id opens nothing.
    const byId = await app.request('GET', `/api/mp/group-buys/groups/${groupId}`, { token: friend1!.token })
    expect(byId.status).toBe(400)
    expect(byId.body.error.fields[0].path).toBe('params.code')
    const guessed = await app.request('GET', `/api/mp/group-buys/groups/${'A'.repeat(12)}`)
    expect(guessed.status).toBe(404)
    // The leader's order carries the code for the 邀请好友参团 link.
    const mine = await app.request('GET', `/api/mp/orders/${opened.body.orderNo}`, { token: leader!.token })
    expect(mine.body.groupShareCode).toBe(code)
    const again = await app.request('POST', '/api/mp/orders', {
      token: leader!.token,
      body: { groupBuy: { groupBuyId: g.id, groupId }, addressId: leader!.addressId },
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('group_already_joined')
    await orderAndPay(friend1!, g.id, groupId)
    const op = await operatorToken(database.db)
    const early = await app.request('POST', `/api/admin/orders/${opened.body.orderNo}/ship`, {
      token: op,
      body: { shippingCompany: '顺丰速运', trackingNo: 'SF1234567890' },
    })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('group_not_succeeded')
    await orderAndPay(friend2!, g.id, groupId)
    const [group] = await database.db.select().from(groupBuyGroups).where(eq(groupBuyGroups.id, groupId))
    expect(group).toMatchObject({ status: 'succeeded', paidCount: 3, seatsTaken: 3 })
    const full = await app.request('POST', '/api/mp/orders', {
      token: late!.token,
      body: { groupBuy: { groupBuyId: g.id, groupId }, addressId: late!.addressId },
    })
    expect(full.status).toBe(409)
    expect(full.body.error.code).toBe('group_unavailable')
    const shipped = await app.request('POST', `/api/admin/orders/${opened.body.orderNo}/ship`, {
      token: op,
      body: { shippingCompany: '顺丰速运', trackingNo: 'SF1234567890' },
    })
    expect(shipped.status).toBe(200)
    expect(shipped.body).toMatchObject({ status: 'shipped', wechatShippingUploaded: true })
    expect(wechat.shippingUploads).toHaveLength(1)
  })

  it('a group that does not fill in time fails and its paid members are refunded in full', async () => {
    const g = await campaign(3)
    const [leader, friend] = await Promise.all([1, 2].map(() => makeShopper(database.db)))
    const opened = await orderAndPay(leader!, g.id)
    const groupId = opened.body.groupBuyGroupId as number
    const joined = await orderAndPay(friend!, g.id, groupId)
    clock.advance(61 * 60_000)
    expect(await runJob('group-buy-expiry')).toMatch(/failed 1 groups, refunds for 2 orders, submitted 2/)
    const [group] = await database.db.select().from(groupBuyGroups).where(eq(groupBuyGroups.id, groupId))
    expect(group!.status).toBe('failed')
    for (const orderNo of [opened.body.orderNo, joined.body.orderNo]) {
      const order = await orderRow(database.db, orderNo)
      const [refund] = await database.db.select().from(orderRefunds).where(eq(orderRefunds.orderId, order.id))
      expect(refund).toMatchObject({
        amountFen: 12900,
        requestedBy: 'group_buy_failed',
        status: 'processing',
      })
      expect(
        await wechat.pay.deliver(refundNotifyUrl(app), wechat.pay.completeRefund(refund!.outRefundNo)),
      ).toBe(204)
      expect((await orderRow(database.db, orderNo)).status).toBe('refunded')
    }
    expect(await runJob('group-buy-expiry')).toMatch(/failed 0 groups/)
  })
})
