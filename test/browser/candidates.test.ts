// 超级用户候选 in real Chromium against the real app and the seeded demo brand: the ranked list (scores
// falling, no super users unless asked, each row's figures those of the member it names), the 高潜
// filter in the URL, one-click invitations into a community group and coupons for a selection (both
// checked in the database), the scoring standard edited with a refused threshold on its field, and a
// phone's width.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { ensureGroup } from '../../shared/chat/groups'
import { couponTemplateInputSchema, createCouponTemplate } from '../../shared/coupons/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { repurchaserAdvice } from '../../shared/members/labels'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'candidates-pass-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let groupId: number
let templateId: number
/** Uncaught errors in the page: any is a failure, whatever the test was checking. */
const pageErrors: string[] = []

const rows = () => page.locator('tbody tr.ant-table-row')

/** The member numbers and scores shown on the page, top to bottom. */
async function shown(): Promise<{ memberNo: string; score: number }[]> {
  const out: { memberNo: string; score: number }[] = []
  for (const row of await rows().all()) {
    const text = await row.innerText()
    const memberNo = /M\d+/.exec(text)?.[0]
    const score = Number(await row.getByTestId('candidate-score').getAttribute('data-score'))
    out.push({ memberNo: memberNo!, score })
  }
  return out
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 240, now: new Date() })
  await createOperator(database.db, {
    username: 'chenjing',
    displayName: '陈静',
    role: 'operator',
    password: PASSWORD,
  })
  const [account] = await queryRows<{ id: number }>(
    database.db,
    sql`select id from bot_accounts order by id limit 1`,
  )
  groupId = (
    await ensureGroup(database.db, {
      accountId: account!.id,
      roomId: 'room-vip-1',
      topic: '超级用户体验官群',
    })
  ).id
  templateId = (
    await createCouponTemplate(
      database.db,
      couponTemplateInputSchema.parse({ name: '好友同享券', kind: 'fixed', amountFen: 3000, validDays: 30 }),
    )
  ).id

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('chenjing')
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => /^\/console\/?$/.test(url.pathname))
})

afterEach(() => {
  expect(pageErrors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await database?.close()
})

describe('super-user candidates', () => {
  it('ranks members by score with what earned it, and never lists a super user unless asked', async () => {
    await page.getByRole('link', { name: '超级用户候选' }).click()
    await page.waitForURL('**/console/candidates')
    // The first page holds twenty candidates; wait for the last of them before reading the order.
    await rows().nth(19).waitFor()
    const list = await shown()
    expect(list.length).toBe(20)
    for (let i = 1; i < list.length; i++) expect(list[i]!.score).toBeLessThanOrEqual(list[i - 1]!.score)
    expect(list[0]!.score).toBeGreaterThan(0)

    const stages = await queryRows<{ member_no: string; stage: string }>(
      database.db,
      sql`select member_no, stage from members
        where member_no in (${sql.join(
          list.map((r) => sql`${r.memberNo}`),
          sql`, `,
        )})`,
    )
    expect(stages).toHaveLength(20)
    expect(stages.filter((s) => s.stage === 'super_user')).toEqual([])
    // The top row's repurchaser label is the member's, with the step it suggests.
    const [top] = await queryRows<{ repurchaser_kind: keyof typeof repurchaserAdvice | null }>(
      database.db,
      sql`select repurchaser_kind from members where member_no = ${list[0]!.memberNo}`,
    )
    if (top!.repurchaser_kind)
      expect(await rows().first().innerText()).toContain(repurchaserAdvice[top!.repurchaser_kind].action)
    // The top row says where its points came from: the criterion names with points out of weight.
    expect(await rows().first().getByTestId('candidate-contributions').innerText()).toMatch(/\d+\/\d+/)
    await page.screenshot({ path: screenshotPath('candidates-1440'), fullPage: true })

    const withSupers = page.waitForResponse((r) => r.url().includes('includeSuperUsers=true'))
    await page.getByRole('switch', { name: '包含已是超级用户' }).click()
    await withSupers
    const [supers] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from members where stage = 'super_user' and merged_into_id is null`,
    )
    expect(Number(supers!.n)).toBeGreaterThan(0)
    await page
      .locator('tbody .ant-tag', { hasText: /^超级用户$/ })
      .first()
      .waitFor()
    await page.getByRole('switch', { name: '包含已是超级用户' }).click()
    await page.waitForURL((url) => url.searchParams.get('super') === null, { waitUntil: 'commit' })
  })

  it('keeps only high-potential candidates when asked, in the URL', async () => {
    const high = page.waitForResponse((r) => r.url().includes('minScore='))
    await page.getByTestId('high-only').click()
    await high
    expect(new URL(page.url()).searchParams.get('high')).toBe('1')
    const label = await page.getByText(/只看高潜（\d+ 分以上）/).innerText()
    const cut = Number(/（(\d+)/.exec(label)![1])
    await rows()
      .first()
      .or(page.getByText(/暂无得分 \d+ 以上的高潜候选/))
      .waitFor()
    const list = await shown()
    const [expected] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from members where merged_into_id is null and stage <> 'super_user'`,
    )
    expect(list.length).toBeLessThan(Number(expected!.n))
    for (const r of list) expect(r.score).toBeGreaterThanOrEqual(cut)
    const all = page.waitForResponse(
      (r) => r.url().includes('/members/candidates') && !r.url().includes('minScore='),
    )
    await page.getByTestId('high-only').click()
    await all
    await rows().nth(19).waitFor()
  })

  it('invites the top candidate into a community group through its account’s outbox', async () => {
    const [top] = await shown()
    const member = (
      await queryRows<{ id: number }>(
        database.db,
        sql`select id from members where member_no = ${top!.memberNo}`,
      )
    )[0]!
    await rows().first().getByRole('button', { name: '邀请入群' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: '发送邀请' }).click()
    await dialog.getByText('请选择社群').waitFor()
    await dialog.getByTestId('group-select').click()
    await page.locator('.ant-select-item-option', { hasText: '超级用户体验官群' }).click()
    await dialog.getByRole('button', { name: '发送邀请' }).click()
    await page.getByText('已安排邀请 1 人入群').waitFor()
    const queued = await queryRows<{ kind: string; chat_group_id: number; status: string }>(
      database.db,
      sql`select kind, chat_group_id, status from outbound_messages where member_id = ${member.id} and kind = 'invite'`,
    )
    expect(queued).toEqual([{ kind: 'invite', chat_group_id: groupId, status: 'queued' }])
  })

  it('gives a coupon to the selected candidates, once even if the dialog is sent twice', async () => {
    const list = await shown()
    const picked = list.slice(1, 3).map((r) => r.memberNo)
    await rows().nth(1).locator('.ant-checkbox-input').check()
    await rows().nth(2).locator('.ant-checkbox-input').check()
    await page.getByText('已选 2 人').waitFor()
    await page.locator('.ant-alert').getByRole('button', { name: '发券' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('coupon-select').click()
    await page.locator('.ant-select-item-option', { hasText: '好友同享券' }).click()
    await dialog.getByRole('button', { name: '发放' }).click()
    await page.getByText('已发放 2 张优惠券').waitFor()
    const coupons = await queryRows<{ member_no: string }>(
      database.db,
      sql`select m.member_no from member_coupons c join members m on m.id = c.member_id
        where c.template_id = ${templateId} order by m.member_no`,
    )
    expect(coupons.map((c) => c.member_no)).toEqual([...picked].sort())

    // The same members again: the per-member limit refuses them, and the dialog says who and why.
    await rows().nth(1).getByRole('button', { name: '发券' }).click()
    await dialog.getByTestId('coupon-select').click()
    await page.locator('.ant-select-item-option', { hasText: '好友同享券' }).click()
    await dialog.getByRole('button', { name: '发放' }).click()
    await dialog.getByTestId('coupon-refused').getByText('1 人未能发放').waitFor()
    const [count] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from member_coupons where template_id = ${templateId}`,
    )
    expect(Number(count!.n)).toBe(2)
    await dialog.getByRole('button', { name: '取消' }).click()
  })

  it('edits the scoring standard: a threshold out of order is refused on its field, a weight is saved', async () => {
    await page.getByRole('button', { name: '评分标准' }).click()
    const drawer = page.getByRole('dialog')
    const frequency = drawer.getByTestId('criterion-repurchase_frequency')
    await frequency.waitFor()
    const noCredit = frequency.locator('.ant-form-item', { hasText: '最近下单超过此天数不得分' })
    await noCredit.locator('input').fill('10')
    await frequency.getByRole('button', { name: '保存' }).click()
    await noCredit.getByText('无效天数必须大于满分天数').waitFor()
    const [before] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from candidate_criteria where code = 'repurchase_frequency'`,
    )
    expect(Number(before!.n)).toBe(0)

    const feedback = drawer.getByTestId('criterion-gives_feedback')
    await feedback.locator('.ant-form-item', { hasText: '权重' }).locator('input').fill('5')
    await feedback.getByRole('button', { name: '保存' }).click()
    await page.getByText('已保存“反馈与建议”').waitFor()
    const [saved] = await queryRows<{ weight: number }>(
      database.db,
      sql`select weight from candidate_criteria where code = 'gives_feedback'`,
    )
    expect(saved?.weight).toBe(5)
    await drawer.locator('.ant-drawer-close').click()
  })

  it('starts a tier-invite campaign for the candidates, saved as a draft with that audience', async () => {
    await page.goto(`${app.url}/console/candidates`)
    await page.getByRole('button', { name: '发起邀请活动' }).click()
    await page.waitForURL('**/console/campaigns/new?kind=tier_invite&mode=super_user_candidates')
    const form = page.getByTestId('campaign-form')
    await form.locator('.ant-select-content', { hasText: '超级用户候选人' }).first().waitFor()
    await form.getByLabel('活动名称').fill('邀请候选人加入会员群')
    await form.getByTestId('variant-0').locator('textarea').fill('{{name|亲}}，诚邀您加入我们的会员群')
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '保存草稿' }).click()
    expect((await saved).status()).toBe(201)
    await page.getByTestId('campaign-status').getByText('草稿').waitFor()
    const [campaign] = await queryRows<{ kind: string; mode: string; limit: number; status: string }>(
      database.db,
      sql`select kind, kind_args->>'mode' as mode, (kind_args->>'limit')::int as limit, status
        from campaigns where name = '邀请候选人加入会员群'`,
    )
    expect(campaign).toEqual({
      kind: 'tier_invite',
      mode: 'super_user_candidates',
      limit: 100,
      status: 'draft',
    })
    await page.goto(`${app.url}/console/candidates`)
  })

  it('fits a phone: candidates as cards, nothing wider than 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.getByTestId('candidate-card').first().waitFor()
    expect(await page.getByTestId('candidate-card').count()).toBe(20)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('candidates-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
