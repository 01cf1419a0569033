// Referral and distribution through the real HTTP API: a member shares, a friend claims the code, buys,
// the sharer's commission freezes, thaws, is withdrawn and paid by an operator; the survey feeds the
// ask list; the mini-program code image comes from the WeChat stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { systemClock } from '../shared/clock'
import { MiniProgramApi } from '../shared/wechat/mini-program'
import { onReferredOrderPaid } from '../shared/referral/order-attribution'
import { releaseFrozenCommissions } from '../shared/referral/commissions'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { startFakeWechat, type FakeWechat } from './support/fake-wechat'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { makePaidOrder, makeSku } from './support/referral-fixtures'

let database: Database
let app: TestApp
let bare: TestApp
let wechat: FakeWechat
let admin: string
let staff: string

beforeAll(async () => {
  database = await testDatabase()
  wechat = await startFakeWechat()
  const wxacode = new MiniProgramApi(
    { baseUrl: wechat.url, appid: wechat.appid, secret: wechat.secret },
    database.db,
    systemClock,
  )
  app = await startTestApp(database, { wxacode })
  bare = await startTestApp(database)
  admin = await operatorToken(database.db, 'admin')
  staff = await operatorToken(database.db, 'staff')
})
afterAll(async () => {
  await app.close()
  await bare.close()
  await wechat.close()
  await database.close()
})

describe('referral and distribution over HTTP', () => {
  it('share → claim → paid order → frozen → withdrawable → withdrawn and paid', async () => {
    const db = database.db
    const level = await app.request('PUT', '/api/admin/promoters/levels/gold', {
      token: admin,
      body: {
        name: '金牌推广员',
        rank: 1,
        tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 1000 } },
        tier2Rule: { code: 'percent_of_paid', args: { basisPoints: 200 } },
        isDefault: true,
      },
    })
    expect(level.status).toBe(200)
    const badLevel = await app.request('PUT', '/api/admin/promoters/levels/silver', {
      token: admin,
      body: { name: '银牌', rank: 2, tier1Rule: { code: 'percent_of_paid', args: { basisPoints: 99999 } } },
    })
    expect(badLevel.status).toBe(400)
    expect(badLevel.body.error.fields[0].path).toBe('body.tier1Rule.args.basisPoints')
    expect(
      (await app.request('PUT', '/api/admin/promoters/levels/x', { token: staff, body: {} })).status,
    ).toBe(403)

    const sharer = await makeMember(db, { name: '分享者', nickname: '小美' })
    const sharerToken = await memberToken(db, sharer.id)
    const code = await app.request('GET', '/api/mp/referral/code', { token: sharerToken })
    expect(code.status).toBe(200)
    expect(code.body.scene).toBe(code.body.code)
    expect(code.body.path).toBe(`pages/index/index?ref=${code.body.code}`)
    const joined = await app.request('POST', '/api/mp/commission/join', { token: sharerToken })
    expect(joined.status).toBe(201)

    const friend = await makeMember(db, { name: '好友' })
    const friendToken = await memberToken(db, friend.id)
    const claim = await app.request('POST', '/api/mp/referral/claim', {
      token: friendToken,
      body: { code: code.body.code },
    })
    expect(claim.body).toEqual({
      outcome: 'attributed',
      attributed: true,
      message: '欢迎加入！已记录您的推荐人',
      referrerName: '小美',
    })
    const again = await app.request('POST', '/api/mp/referral/claim', {
      token: friendToken,
      body: { code: code.body.code },
    })
    expect(again.status).toBe(200)
    expect(again.body.outcome).toBe('already_attributed')
    const self = await app.request('POST', '/api/mp/referral/claim', {
      token: sharerToken,
      body: { code: code.body.code },
    })
    expect(self.body).toMatchObject({ outcome: 'self_referral', attributed: false })
    const unknown = await app.request('POST', '/api/mp/referral/claim', {
      token: friendToken,
      body: { code: 'NOPE2345' },
    })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('share_code_not_found')
    const empty = await app.request('POST', '/api/mp/referral/claim', {
      token: friendToken,
      body: { code: '' },
    })
    expect(empty.status).toBe(400)
    expect(empty.body.error.fields[0]).toEqual({ path: 'body.code', message: '请提供推荐码' })

    // The store's payment flow calls the hook once the order is paid.
    const sku = await makeSku(db, { priceFen: 20_000, costFen: 8_000 })
    const order = await makePaidOrder(db, {
      memberId: friend.id,
      lines: [{ sku, quantity: 1 }],
      at: new Date(),
    })
    await onReferredOrderPaid(db, order.id, new Date())

    const mine = await app.request('GET', '/api/mp/commission', { token: sharerToken })
    expect(mine.body).toMatchObject({
      promoter: { levelName: '金牌推广员', status: 'active' },
      canJoin: false,
      balance: { frozenFen: 2_000, availableFen: 0 },
    })
    const tooEarly = await app.request('POST', '/api/mp/commission/withdrawals', {
      token: sharerToken,
      body: { amountFen: 1_000 },
    })
    expect(tooEarly.status).toBe(409)
    expect(tooEarly.body.error.code).toBe('insufficient_commission')

    await releaseFrozenCommissions(db, new Date(Date.now() + 16 * 86_400_000))
    const w = await app.request('POST', '/api/mp/commission/withdrawals', {
      token: sharerToken,
      body: { amountFen: 1_500 },
    })
    expect(w.status).toBe(201)
    expect(w.body.state).toBe('requested')

    const queue = await app.request('GET', '/api/admin/withdrawals?state=requested', { token: admin })
    expect(queue.body.items.map((i: { id: number }) => i.id)).toContain(w.body.id)
    expect(
      (await app.request('POST', `/api/admin/withdrawals/${w.body.id}/approve`, { token: staff, body: {} }))
        .status,
    ).toBe(403)
    const early = await app.request('POST', `/api/admin/withdrawals/${w.body.id}/pay`, {
      token: admin,
      body: {},
    })
    expect(early.status).toBe(409)
    expect(early.body.error.message).toBe('提现申请待审核，不能标记已打款')
    expect(
      (await app.request('POST', `/api/admin/withdrawals/${w.body.id}/approve`, { token: admin, body: {} }))
        .body.state,
    ).toBe('approved')
    const paid = await app.request('POST', `/api/admin/withdrawals/${w.body.id}/pay`, {
      token: admin,
      body: { note: '微信转账 1000000001' },
    })
    expect(paid.body).toMatchObject({ state: 'paid', note: '微信转账 1000000001' })
    expect((await app.request('GET', '/api/mp/commission', { token: sharerToken })).body.balance).toEqual({
      frozenFen: 0,
      availableFen: 500,
      withdrawingFen: 0,
      withdrawnFen: 1_500,
    })

    const records = await app.request('GET', '/api/mp/commission/records', { token: sharerToken })
    expect(
      records.body.items.map((c: { orderNo: string; state: string; amountFen: number }) => [
        c.orderNo,
        c.state,
        c.amountFen,
      ]),
    ).toEqual([[order.orderNo, 'available', 2_000]])
    const friends = await app.request('GET', '/api/mp/referral/mine', { token: sharerToken })
    expect(friends.body.counts).toMatchObject({ directCount: 1, downlineCount: 1, depth: 0 })
    expect(friends.body.friends.map((f: { displayName: string }) => f.displayName)).toEqual(['好**'])

    const tree = await app.request('GET', `/api/admin/referrals/members/${sharer.id}/tree`, { token: admin })
    expect(tree.body.nodes.map((n: { memberId: number; depth: number }) => [n.memberId, n.depth])).toEqual([
      [friend.id, 1],
    ])
    const advocates = await app.request('GET', `/api/admin/advocates?kind=member&advocateId=${sharer.id}`, {
      token: admin,
    })
    expect(advocates.body.items[0]).toMatchObject({
      referrals: 1,
      orders: 1,
      revenueFen: 20_000,
      grossMarginFen: 12_000,
      commissionFen: 2_000,
      commissionPaidFen: 1_500,
      returnOnRelationship: 5,
    })
    const list = await app.request('GET', '/api/admin/referrals', { token: admin, headers: {} })
    expect(list.body.items[0]).toMatchObject({
      refereeId: friend.id,
      referrerId: sharer.id,
      referrerName: '分享者',
    })

    // The survey after the purchase, then the ask list.
    const pending = await app.request('GET', '/api/mp/surveys/pending', { token: friendToken })
    expect(pending.body.survey.orderId).toBe(order.id)
    const answered = await app.request('POST', '/api/mp/surveys', {
      token: friendToken,
      body: { orderId: order.id, score: 10 },
    })
    expect(answered.status).toBe(201)
    const bad = await app.request('POST', '/api/mp/surveys', { token: friendToken, body: { score: 11 } })
    expect(bad.status).toBe(400)
    const asks = await app.request('GET', '/api/admin/advocates/asks', { token: admin })
    expect(asks.body.items.map((a: { memberId: number }) => a.memberId)).toEqual([friend.id])
    expect(
      (
        await app.request('POST', '/api/admin/advocates/asks', {
          token: staff,
          body: { memberId: friend.id },
        })
      ).status,
    ).toBe(201)
    expect((await app.request('GET', '/api/admin/advocates/asks', { token: admin })).body.items).toEqual([])

    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7)
    const rate = await app.request('GET', `/api/admin/referrals/rate?from=${month}&to=${month}`, {
      token: admin,
    })
    expect(rate.body.months).toEqual([
      { month, newCustomers: 1, broughtByMembers: 1, broughtByStaff: 0, referralRate: 1 },
    ])
    expect(
      (await app.request('GET', '/api/admin/referrals/rate?from=2026-05&to=2026-13', { token: admin }))
        .status,
    ).toBe(400)
  })

  it('answers the mini-program code image from WeChat, or a clear 503 when no mini-program is configured', async () => {
    const m = await makeMember(database.db)
    const token = await memberToken(database.db, m.id)
    const code = (await app.request('GET', '/api/mp/referral/code', { token })).body.code
    const res = await fetch(`${app.url}/api/mp/referral/code/image`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    const image = Buffer.from(await res.arrayBuffer())
    expect(image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    expect(image.subarray(4, -2).toString()).toBe(code)
    expect(wechat.qrCodes.at(-1)).toEqual({ scene: code, page: expect.any(String) })
    const none = await bare.request('GET', '/api/mp/referral/code/image', { token })
    expect(none.status).toBe(503)
    expect(none.body.error.code).toBe('miniprogram_not_configured')
  })

  it('staff promoters get a share code too, and the OpenAPI document lists the referral routes', async () => {
    const me = await app.request('GET', '/api/admin/me', { token: staff })
    const enrolled = await app.request('POST', '/api/admin/promoters', {
      token: admin,
      body: { operatorId: me.body.id },
    })
    expect(enrolled.status).toBe(201)
    expect(enrolled.body.promoter.kind).toBe('staff')
    const share = await app.request('GET', `/api/admin/promoters/${enrolled.body.promoter.id}/share-code`, {
      token: staff,
    })
    expect(share.body.code).toMatch(/^[2-9A-Z]{8}$/)
    const promoters = await app.request('GET', '/api/admin/promoters?kind=staff', { token: admin })
    expect(promoters.body.items.map((p: { displayName: string }) => p.displayName)).toEqual(['测试运营'])

    const doc = await app.request('GET', '/api/openapi.json')
    for (const path of [
      '/api/mp/referral/claim',
      '/api/mp/referral/code',
      '/api/mp/commission/withdrawals',
      '/api/mp/surveys',
      '/api/admin/advocates',
      '/api/admin/withdrawals/{withdrawalId}/approve',
      '/api/admin/referrals/super-communicators',
    ])
      expect(Object.keys(doc.body.paths)).toContain(path)
    expect(
      doc.body.paths['/api/mp/referral/claim'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['code'])
  })
})
