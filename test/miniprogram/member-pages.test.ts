// The member's pages in the mini-program simulator against the real app in demo mode (no WeChat Pay
// merchant: the simulated payment; the local WeChat server logs in and hands out phone numbers):
// every page renders real data and, when its request fails, the error with a retry; a member binds
// their chat to the advisor with the page's one-time code, binds a phone after the privacy notice,
// joins the promoters, and pays a pending order with the simulated payment.
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { bindByCode } from '../../shared/chat/binding'
import { chatBindCodes } from '../../shared/db/schema/chat'
import { seedDemo } from '../../shared/demo/seed'
import { memberIdentities } from '../../shared/db/schema/members'
import { memberTiers } from '../../shared/db/schema/loyalty'
import { orders } from '../../shared/db/schema/orders'
import { testDatabase } from '../support/db'
import { startTestApp, type TestApp } from '../support/app'
import { testConfig } from '../support/config'
import { startFakeWechat, type FakeWechat } from '../support/fake-wechat'
import { makeProduct } from '../support/store'
import { buildMiniprogram, installPhone, openPage, type Phone } from '../support/miniprogram'

const require = createRequire(import.meta.url)
let database: Database
let wechat: FakeWechat
let app: TestApp
let build: ReturnType<typeof buildMiniprogram>
let phone: Phone

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 20, now: new Date() })
  wechat = await startFakeWechat()
  // The mini-program's AppID only: WeChat Pay is not configured, so payments are simulated.
  const config = testConfig({
    WECHAT_API_BASE: wechat.url,
    WECHAT_MP_APPID: wechat.appid,
    WECHAT_MP_SECRET: wechat.secret,
  })
  app = await startTestApp(database, { config })
  build = buildMiniprogram()
  phone = installPhone(app.url)
  phone.loginCode = () => wechat.loginCode({ openid: 'o-simulated-member' })
})
afterAll(async () => {
  build?.remove()
  await app?.close()
  await wechat?.close()
  await database?.close()
})
beforeEach(() => {
  phone.failRequests = null
  phone.confirmModals = true
})

async function memberId(): Promise<number> {
  const [row] = await database.db
    .select({ memberId: memberIdentities.memberId })
    .from(memberIdentities)
    .where(and(eq(memberIdentities.kind, 'mp_openid'), eq(memberIdentities.value, 'o-simulated-member')))
  return row!.memberId
}

async function expectErrorThenRetry(page: string, failing: RegExp, query: Record<string, string> = {}) {
  phone.failRequests = failing
  const view = openPage(build.root, page, query)
  await phone.idle()
  expect(view.exists('.state.error'), `${page} shows its error`).toBe(true)
  expect(view.textOf('.error-message')).toBe('网络异常，请检查网络后重试')
  phone.failRequests = null
  await view.tap('.retry')
  await phone.idle()
  expect(view.exists('.state.error')).toBe(false)
  expect(view.exists('.state.loading')).toBe(false)
  return view
}

describe('member pages with real data', () => {
  it('member card: member number, points, till code and the menu', async () => {
    const page = openPage(build.root, 'pages/card/card')
    await phone.idle()
    expect(page.text()).toMatch(/会员号 M\d+/)
    expect(page.text()).toContain('到店出示会员码')
    expect(page.text()).toContain('联系我的专属顾问')
    page.unload()
  })

  it('points: check in, and the history shows the points', async () => {
    const page = openPage(build.root, 'pages/points/points')
    await phone.idle()
    expect(page.text()).toContain('每日签到')
    await page.instance.onCheckIn()
    await phone.idle()
    expect(phone.recorded.toasts.at(-1)).toMatch(/^签到成功 \+\d+/)
    expect(page.instance.data.balance).toBeGreaterThan(0)
    expect(page.count('.entry')).toBeGreaterThan(0)
  })

  it('rewards: the catalogue and my balance', async () => {
    const page = openPage(build.root, 'pages/rewards/rewards')
    await phone.idle()
    expect(page.count('.reward')).toBeGreaterThan(0)
    expect(page.text()).toContain('可用积分')
  })

  it('share: my code and friends', async () => {
    const page = openPage(build.root, 'pages/share/share')
    await phone.idle()
    expect(page.textOf('.code')).toMatch(/^\w{4,}$/)
    expect(page.text()).toContain('我邀请的好友（0）')
  })

  it('coupons: empty for a new member, with its message', async () => {
    const page = openPage(build.root, 'packages/member/coupons/coupons')
    await phone.idle()
    expect(page.exists('.state.empty')).toBe(true)
    expect(page.text()).toContain('暂无优惠券')
  })

  it('talk to my advisor: the code binds the chat when the member sends it', async () => {
    const page = openPage(build.root, 'packages/member/advisor/advisor')
    await phone.idle()
    const code = page.textOf('.code')
    expect(code).toMatch(/^\d{6}$/)
    expect(page.textOf('.instruction')).toContain(code)
    const [issued] = await database.db.select().from(chatBindCodes).where(eq(chatBindCodes.code, code))
    // What the bot does when the member sends the code in WeChat.
    const bound = await bindByCode(database.db, {
      accountId: issued!.accountId,
      contactId: 'wxid_simulated',
      code,
      at: new Date(),
    })
    expect(bound.ok && bound.member.id).toBe(await memberId())
    const contact = await database.db
      .select()
      .from(memberIdentities)
      .where(and(eq(memberIdentities.memberId, await memberId()), eq(memberIdentities.kind, 'chat_contact')))
    expect(contact).toHaveLength(1)
    expect(contact[0]!.verified).toBe(true)
  })

  it('profile: the phone is bound after the privacy notice', async () => {
    const page = openPage(build.root, 'packages/member/profile/profile')
    await phone.idle()
    expect(page.textOf('.member-no')).toMatch(/^M\d+$/)
    // WeChat asks for the privacy notice before getPhoneNumber: the page shows it, the member agrees.
    require(path.join(build.root, 'utils/privacy.js')).watchPrivacyAuthorization()
    const answers: unknown[] = []
    phone.privacyHandler!((answer) => answers.push(answer))
    expect(page.exists('.privacy')).toBe(true)
    await page.trigger('#agree-privacy', 'agreeprivacyauthorization')
    expect(answers).toEqual([{ event: 'agree', buttonId: 'agree-privacy' }])
    expect(page.exists('.privacy')).toBe(false)
    await page.instance.onPhone({ detail: { code: wechat.phoneCode('13912345678') } })
    await phone.idle()
    expect(page.text()).toContain('已绑定 139****5678')
    const [phoneRow] = await database.db
      .select()
      .from(memberIdentities)
      .where(and(eq(memberIdentities.kind, 'phone'), eq(memberIdentities.value, '13912345678')))
    expect(phoneRow!.memberId).toBe(await memberId())
  })

  it('promoter centre: join, then level and balances', async () => {
    const page = openPage(build.root, 'packages/member/promoter/promoter')
    await phone.idle()
    expect(page.exists('.not-promoter')).toBe(true)
    await page.tap('.join')
    await phone.idle()
    expect(page.exists('.not-promoter')).toBe(false)
    expect(page.textOf('.available')).toBe('¥0.00')
  })

  it('survey: nothing to rate before a purchase', async () => {
    const page = openPage(build.root, 'pages/survey/survey')
    await phone.idle()
    expect(page.text()).toContain('暂时没有需要评价的订单')
  })

  it('pays a pending order with the simulated payment, and the order page shows 已支付', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 5900 })
    const token = phone.storage.get('memberToken') as string
    const address = await app.request('POST', '/api/mp/addresses', {
      token,
      body: {
        name: '王丽',
        phone: '13812345678',
        province: '上海市',
        city: '上海市',
        district: '静安区',
        detail: '南京西路 1 号',
      },
    })
    const placed = await app.request('POST', '/api/mp/orders', {
      token,
      body: { items: [{ skuId, quantity: 1 }], addressId: address.body.id },
    })
    expect(placed.status).toBe(201)
    const page = openPage(build.root, 'packages/order/detail/detail', { orderNo: placed.body.orderNo })
    await phone.idle()
    expect(page.textOf('.status')).toBe('待付款')
    await page.tap('.pay-button')
    await phone.idle()
    expect(phone.recorded.modals.at(-1)?.title).toBe('演示模式')
    expect(page.textOf('.paid')).toMatch(/^已支付/)
    const [row] = await database.db.select().from(orders).where(eq(orders.orderNo, placed.body.orderNo))
    expect(row!.status).toBe('paid')
    // Now there is a purchase to rate.
    const survey = openPage(build.root, 'pages/survey/survey')
    await phone.idle()
    expect(survey.text()).toContain(placed.body.orderNo)
  })
})

describe('paid membership', () => {
  it('lists the levels on sale to a visitor, and a member joins with the simulated payment', async () => {
    const page = openPage(build.root, 'packages/member/membership/membership')
    await phone.idle()
    expect(page.count('.level')).toBeGreaterThan(0)
    expect(page.textOf('.fee')).toMatch(/^¥\d+\.\d{2}$/)
    await page.tap('.buy')
    const url = phone.recorded.navigations.at(-1)!.url
    expect(url).toMatch(/^\/pages\/checkout\/checkout\?membershipLevelId=\d+$/)
    const levelId = Number(url.split('=')[1])
    const checkout = openPage(build.root, 'pages/checkout/checkout', { membershipLevelId: String(levelId) })
    await phone.idle()
    expect([
      checkout.instance.data.state,
      checkout.instance.data.error,
      checkout.instance.data.quoteError,
    ]).toEqual(['ready', '', ''])
    expect(checkout.instance.data.quoteKind).toBe('membership')
    await checkout.tap('.submit')
    await phone.idle()
    expect(phone.recorded.navigations.at(-1)!.url).toMatch(/&paid=1$/)
    const held = await database.db
      .select()
      .from(memberTiers)
      .where(and(eq(memberTiers.memberId, await memberId()), eq(memberTiers.levelId, levelId)))
    expect(held).toHaveLength(1)
    // The page now offers to renew the level the member holds.
    const again = openPage(build.root, 'packages/member/membership/membership')
    await phone.idle()
    expect(again.text()).toContain('当前有效期至')
    expect(again.text()).toContain('续费')
  })
})

describe('each member page shows its error with a retry', () => {
  it('paid membership', () =>
    expectErrorThenRetry('packages/member/membership/membership', /\/memberships$/).then((v) =>
      expect(v.count('.level')).toBeGreaterThan(0),
    ))
  it('member card', async () => {
    const view = await expectErrorThenRetry('pages/card/card', /\/card$/)
    expect(view.text()).toMatch(/会员号 M\d+/)
    view.unload()
  })
  it('points', () =>
    expectErrorThenRetry('pages/points/points', /\/points$/).then((v) =>
      expect(v.count('.entry')).toBeGreaterThan(0),
    ))
  it('rewards', () =>
    expectErrorThenRetry('pages/rewards/rewards', /\/rewards$/).then((v) =>
      expect(v.count('.reward')).toBeGreaterThan(0),
    ))
  it('share', () =>
    expectErrorThenRetry('pages/share/share', /\/referral\/mine$/).then((v) =>
      expect(v.exists('.code')).toBe(true),
    ))
  it('survey', () =>
    expectErrorThenRetry('pages/survey/survey', /\/surveys\/pending$/).then((v) =>
      expect(v.exists('.question')).toBe(true),
    ))
  it('coupons', () =>
    expectErrorThenRetry('packages/member/coupons/coupons', /\/coupons$/).then((v) =>
      expect(v.exists('.state.empty')).toBe(true),
    ))
  it('advisor', () =>
    expectErrorThenRetry('packages/member/advisor/advisor', /\/advisor\/bind-code$/).then((v) =>
      expect(v.textOf('.code')).toMatch(/^\d{6}$/),
    ))
  it('profile', () =>
    expectErrorThenRetry('packages/member/profile/profile', /\/me$/).then((v) =>
      expect(v.exists('.member-no')).toBe(true),
    ))
  it('promoter centre', () =>
    expectErrorThenRetry('packages/member/promoter/promoter', /\/commission$/).then((v) =>
      expect(v.exists('.available')).toBe(true),
    ))
})

describe('demo mode: no AppID configured', () => {
  it('logs in with the development login, and the same device stays the same member', async () => {
    const demo = await startTestApp(database)
    try {
      const demoPhone = installPhone(demo.url)
      const card = openPage(build.root, 'pages/card/card')
      await demoPhone.idle()
      const calls = demoPhone.recorded.requests.map((r) => `${r.method} ${r.url} ${r.status}`)
      expect(calls.slice(0, 3)).toEqual([
        'POST /api/mp/login 503',
        'POST /api/mp/login/demo 200',
        'GET /api/mp/card 200',
      ])
      const memberNo = card.textOf('.member-no')
      expect(memberNo).toMatch(/^会员号 M\d+$/)
      card.unload()
      // A new session on the same device: the device id in storage names the same demo member.
      demoPhone.storage.delete('memberToken')
      const again = openPage(build.root, 'pages/card/card')
      await demoPhone.idle()
      expect(again.textOf('.member-no')).toBe(memberNo)
      again.unload()
    } finally {
      await demo.close()
    }
  })
})
