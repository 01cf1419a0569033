// The store's tools over HTTP through the real app: bargains, lotteries and after-sale in the
// mini-program API, their set-up and decisions in the operator API, and till purchases by store staff.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../shared/db/client'
import { settleOrderPayment } from '../../shared/flows/order-paid'
import { testDatabase } from '../support/db'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { makeMember, memberToken, operatorToken } from '../support/factories'
import { makeProduct, makeShopper, startStoreApp, type StoreApp } from '../support/store'

let database: Database
let wechat: FakeWechat
let app: StoreApp
let op: string
let staff: string

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  app = await startStoreApp(database, wechat)
  op = await operatorToken(database.db)
  staff = await operatorToken(database.db, 'staff')
})
afterAll(async () => {
  await app.close()
  await wechat.close()
  await database.close()
})

const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString()

describe('bargains over HTTP', () => {
  it('operator sets one up; a member starts it, a friend cuts, the member orders at the price reached', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 9900, stock: 20 })
    const bad = await app.request('POST', '/api/admin/bargain-campaigns', {
      token: op,
      body: {
        skuId,
        title: '砍价',
        floorPriceFen: 9900,
        helpersNeeded: 2,
        totalStock: 2,
        startsAt: soon(-1),
        endsAt: soon(48),
      },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('floorPriceFen')
    expect(
      (
        await app.request('POST', '/api/admin/bargain-campaigns', {
          token: staff,
          body: {
            skuId,
            title: '砍价',
            floorPriceFen: 100,
            helpersNeeded: 1,
            totalStock: 2,
            startsAt: soon(-1),
            endsAt: soon(48),
          },
        })
      ).status,
    ).toBe(403)
    const created = await app.request('POST', '/api/admin/bargain-campaigns', {
      token: op,
      body: {
        skuId,
        title: '一刀砍到底',
        floorPriceFen: 100,
        helpersNeeded: 1,
        totalStock: 2,
        startsAt: soon(-1),
        endsAt: soon(48),
      },
    })
    expect(created.status).toBe(201)
    const starter = await makeShopper(database.db)
    const list = await app.request('GET', '/api/mp/bargain-campaigns', { token: starter.token })
    expect(list.body.map((c: { id: number }) => c.id)).toContain(created.body.id)
    const started = await app.request('POST', `/api/mp/bargain-campaigns/${created.body.id}/start`, {
      token: starter.token,
    })
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({ mine: true, priceFen: 9900, canHelp: false })
    const friend = await makeMember(database.db)
    const friendToken = await memberToken(database.db, friend.id)
    const shared = await app.request('GET', `/api/mp/bargains/${started.body.id}`, { token: friendToken })
    expect(shared.body).toMatchObject({ mine: false, canHelp: true })
    const cut = await app.request('POST', `/api/mp/bargains/${started.body.id}/help`, { token: friendToken })
    expect(cut.status).toBe(200)
    expect(cut.body).toMatchObject({ cutFen: 9800, bargain: { status: 'reached', priceFen: 100 } })
    const again = await app.request('POST', `/api/mp/bargains/${started.body.id}/help`, {
      token: friendToken,
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('bargain_already_helped')
    const order = await app.request('POST', '/api/mp/orders', {
      token: starter.token,
      body: { bargain: { bargainId: started.body.id }, addressId: starter.addressId },
    })
    expect(order.status).toBe(201)
    expect(order.body.itemsFen).toBe(100)
  })
})

describe('lotteries over HTTP', () => {
  it('operator sets one up; a member sees the odds and draws once per request id', async () => {
    const refused = await app.request('POST', '/api/admin/lotteries', {
      token: op,
      body: {
        title: '大转盘',
        startsAt: soon(-1),
        endsAt: soon(48),
        prizes: [{ kind: 'points', name: '10 积分', weight: 1 }],
      },
    })
    expect(refused.status).toBe(400)
    expect(refused.body.error.fields.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining(['body.prizes.0.points', 'body.prizes']),
    )
    const created = await app.request('POST', '/api/admin/lotteries', {
      token: op,
      body: {
        title: '大转盘',
        startsAt: soon(-1),
        endsAt: soon(48),
        freeDrawsPerDay: 1,
        prizes: [
          { kind: 'points', name: '10 积分', weight: 1, points: 10 },
          { kind: 'thanks', name: '谢谢参与', weight: 3, isFallback: true },
        ],
      },
    })
    expect(created.status).toBe(201)
    const shopper = await makeShopper(database.db)
    const view = await app.request('GET', `/api/mp/lotteries/${created.body.id}`, { token: shopper.token })
    expect(view.body).toMatchObject({ freeDrawsLeftToday: 1, next: 'free' })
    expect(view.body.prizes.map((p: { oddsPct: number }) => p.oddsPct)).toEqual([25, 75])
    const requestId = randomUUID()
    const draw = await app.request('POST', `/api/mp/lotteries/${created.body.id}/draws`, {
      token: shopper.token,
      body: { requestId },
    })
    expect(draw.status).toBe(201)
    const retry = await app.request('POST', `/api/mp/lotteries/${created.body.id}/draws`, {
      token: shopper.token,
      body: { requestId },
    })
    expect(retry.body.drawId).toBe(draw.body.drawId)
    const more = await app.request('POST', `/api/mp/lotteries/${created.body.id}/draws`, {
      token: shopper.token,
      body: { requestId: randomUUID() },
    })
    expect(more.status).toBe(409)
    expect(more.body.error.code).toBe('lottery_no_draws_left')
    const audit = await app.request('GET', `/api/admin/lotteries/${created.body.id}/audit`, { token: op })
    expect(audit.body.draws[0]).toMatchObject({ randomSource: 'node:crypto randomInt', randomRange: 4 })
  })
})

describe('after-sale and till purchases over HTTP', () => {
  it('a shopper asks for a refund, the operator approves it; staff record a till purchase once', async () => {
    const shopper = await makeShopper(database.db)
    const { skuId } = await makeProduct(database.db, { priceFen: 12900, stock: 5 })
    const placed = await app.request('POST', '/api/mp/orders', {
      token: shopper.token,
      body: { items: [{ skuId, quantity: 1 }], addressId: shopper.addressId },
    })
    await settleOrderPayment(database.db, {
      orderNo: placed.body.orderNo,
      transactionId: null,
      paidAt: new Date(),
    })
    const detail = await app.request('GET', `/api/admin/orders/${placed.body.orderNo}`, { token: op })
    const orderItemId = detail.body.items[0].id
    const asked = await app.request('POST', '/api/mp/after-sales', {
      token: shopper.token,
      body: {
        orderNo: placed.body.orderNo,
        kind: 'refund',
        reason: '不想要了',
        items: [{ orderItemId, quantity: 1 }],
      },
    })
    expect(asked.status).toBe(201)
    expect(asked.body).toMatchObject({ status: 'requested', amountFen: placed.body.payFen })
    const decided = await app.request('POST', `/api/admin/after-sales/${asked.body.id}/decision`, {
      token: op,
      body: { approve: true },
    })
    expect(decided.status).toBe(200)
    expect(decided.body).toMatchObject({ status: 'approved', refundStatus: 'success' })

    const store = await app.request('POST', '/api/admin/stores', {
      token: op,
      body: { name: '南京西路店', city: '上海' },
    })
    expect(store.status).toBe(201)
    const body = {
      storeId: store.body.id,
      receiptNo: 'T-20261201-001',
      member: { code: shopper.member.memberNo },
      amountFen: 8800,
    }
    const first = await app.request('POST', '/api/admin/store-purchases', { token: staff, body })
    expect(first.status).toBe(201)
    expect(first.body.duplicate).toBe(false)
    const second = await app.request('POST', '/api/admin/store-purchases', { token: staff, body })
    expect(second.body).toMatchObject({ duplicate: true, orderNo: first.body.orderNo })
    const csv = '小票号,门店,会员卡号,金额,消费时间\nT-2,南京西路店,NOPE,10,2026-11-01 10:00\n'
    const imported = await app.request('POST', '/api/admin/store-purchases/imports', {
      token: op,
      body: { fileName: 'pos.csv', contentBase64: Buffer.from(csv).toString('base64') },
    })
    expect(imported.status).toBe(400)
    expect(imported.body.error.fields).toEqual([{ path: 'rows.2.code', message: '找不到会员「NOPE」' }])
  })
})
