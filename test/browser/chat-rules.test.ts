// 话术与关键词 in real Chromium: an operator adds a keyword reply, is refused on the field when a word
// is already another rule's, saves it, tests a sample message against it, changes a welcome text, and
// sees the version history. Each save is read back from the database.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'chat-rules-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
const pageErrors: string[] = []

const stored = async (key: string) =>
  (
    await queryRows<{ version: number; value: unknown }>(
      database.db,
      sql`select version, value from settings where key = ${key}`,
    )
  )[0]
const changes = async (key: string) =>
  queryRows<{ version: number; changed_by: number | null }>(
    database.db,
    sql`select version, changed_by from setting_changes where key = ${key} order by version`,
  )

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'linna',
    displayName: '林娜',
    role: 'operator',
    password: PASSWORD,
  })
  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('linna')
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

const saveKeywords = async () => {
  const answer = page.waitForResponse(
    (r) => r.url().endsWith('/api/admin/chat-rules/keyword-replies') && r.request().method() === 'PUT',
  )
  await page.getByRole('button', { name: '保存关键词回复' }).click()
  return answer
}

describe('话术与关键词', () => {
  it('adds a keyword reply, refused on the field first, then saved and tested with a sample message', async () => {
    await page.getByRole('menuitem', { name: '话术与关键词' }).click()
    await page.waitForURL((url) => url.pathname === '/console/chat-rules')
    const rules = page.getByTestId('keyword-rule')
    await rules.first().waitFor()
    expect(await rules.count()).toBe(4)
    await page.getByTestId('keywords-version').getByText('默认内容').waitFor()

    // Before any change the stored (default) rules answer.
    const box = page.getByTestId('rule-test')
    await box.getByLabel('测试消息').fill('营业时间')
    await box.getByRole('button', { name: '测试' }).click()
    await box.getByTestId('rule-test-keyword').getByText('未命中').waitFor()

    await page.getByRole('button', { name: '添加规则' }).click()
    const added = rules.nth(4)
    await added.getByLabel('编码').fill('store_hours')
    const words = added.getByLabel('关键词')
    await words.fill('营业时间')
    await words.press('Enter')
    await words.fill('积分')
    await words.press('Enter')
    await added.getByLabel('回复内容').fill('{{name}}您好，门店每天 10:00–22:00 营业～')

    // 积分 already belongs to the first rule: the server refuses, on this rule's keywords.
    const refused = await saveKeywords()
    expect(refused.status()).toBe(400)
    await added.getByText('关键词「积分」已在第 1 条规则（points）中').waitFor()
    await page.getByTestId('rule-refusal').waitFor()
    expect(await stored('keyword_replies')).toBeUndefined()

    // Take 积分 (the last word typed) back out.
    await words.click()
    await words.press('Backspace')
    // The draft can be tested before it is saved.
    await box.getByRole('button', { name: '测试' }).click()
    await box.getByText('按未保存的修改测试').waitFor()
    await box
      .getByTestId('rule-test-keyword')
      .getByText(/命中规则 5（store_hours）/)
      .waitFor()
    expect(await stored('keyword_replies')).toBeUndefined()

    const saved = await saveKeywords()
    expect(saved.status()).toBe(200)
    await page.getByTestId('keywords-version').getByText('版本 1').waitFor()
    const row = await stored('keyword_replies')
    expect(row!.version).toBe(1)
    expect(row!.value).toContainEqual({
      code: 'store_hours',
      keywords: ['营业时间'],
      template: '{{name}}您好，门店每天 10:00–22:00 营业～',
    })
    expect(await changes('keyword_replies')).toEqual([{ version: 1, changed_by: expect.any(Number) }])

    // The stored rules now answer the sample message, with the answer filled in.
    await box.getByLabel('测试消息').fill('请问营业时间')
    await box.getByRole('button', { name: '测试' }).click()
    await box.getByText('按已保存的规则测试').waitFor()
    await box
      .getByTestId('rule-test-keyword')
      .getByText(/命中规则 5（store_hours）：关键词「营业时间」/)
      .waitFor()
    await box.getByText('王丽您好，门店每天 10:00–22:00 营业～').waitFor()

    // A complaint hits the feedback lexicon.
    await box.getByLabel('测试消息').fill('瓶子破损了')
    await box.getByRole('button', { name: '测试' }).click()
    await box
      .getByTestId('rule-test-feedback')
      .getByText(/命中类别 1「投诉」：「破损」/)
      .waitFor()
    await page.screenshot({ path: screenshotPath('chat-rules-1440') })

    await page.getByRole('button', { name: '修改历史' }).first().click()
    const history = page.getByTestId('rule-history')
    await history.getByText('版本 1').waitFor()
    await history.getByText('林娜').waitFor()
  })

  it('changes a welcome text, refused on its field for an unknown variable', async () => {
    await page.goto(`${app.url}/console/chat-rules?tab=welcomes`)
    const area = page.getByLabel('入群欢迎')
    await area.waitFor()
    await area.fill('欢迎 {{nick}} 加入「{{topic}}」！')
    const refused = page.waitForResponse((r) => r.url().endsWith('/chat-rules/welcome-texts'))
    await page.getByRole('button', { name: '保存欢迎语' }).click()
    expect((await refused).status()).toBe(400)
    await page.getByText(/未知变量 \{\{nick\}\}/).waitFor()
    expect(await stored('welcome_texts')).toBeUndefined()

    await area.fill('欢迎 {{names}} 加入「{{topic}}」！{{announcement}}')
    const saved = page.waitForResponse((r) => r.url().endsWith('/chat-rules/welcome-texts'))
    await page.getByRole('button', { name: '保存欢迎语' }).click()
    expect((await saved).status()).toBe(200)
    await page.getByTestId('welcomes-version').getByText('版本 1').waitFor()
    expect((await stored('welcome_texts'))!.value).toMatchObject({
      groupWelcome: '欢迎 {{names}} 加入「{{topic}}」！{{announcement}}',
    })
  })

  it('adds a feedback category and removes a keyword rule after a confirmation', async () => {
    await page.goto(`${app.url}/console/chat-rules?tab=lexicon`)
    const categories = page.getByTestId('lexicon-category')
    await categories.first().waitFor()
    expect(await categories.count()).toBe(2)
    await page.getByRole('button', { name: '添加类别' }).click()
    const added = categories.nth(2)
    await added.getByLabel('类别编码').fill('praise')
    await added.getByLabel('名称（工单类别与会员标签）').fill('表扬')
    const words = added.getByLabel('词语')
    await words.fill('好评')
    await words.press('Enter')
    const saved = page.waitForResponse((r) => r.url().endsWith('/chat-rules/feedback-lexicon'))
    await page.getByRole('button', { name: '保存反馈词库' }).click()
    expect((await saved).status()).toBe(200)
    await page.getByTestId('lexicon-version').getByText('版本 1').waitFor()
    expect((await stored('feedback_lexicon'))!.value).toContainEqual({
      category: 'praise',
      label: '表扬',
      words: ['好评'],
      patterns: [],
    })
    const box = page.getByTestId('rule-test')
    await box.getByLabel('测试消息').fill('必须给好评')
    await box.getByRole('button', { name: '测试' }).click()
    await box
      .getByTestId('rule-test-feedback')
      .getByText(/命中类别 3「表扬」：「好评」/)
      .waitFor()

    await page.getByRole('tab', { name: '关键词回复' }).click()
    const rules = page.getByTestId('keyword-rule')
    await page.getByRole('button', { name: '删除规则 5' }).click()
    await page.getByRole('button', { name: '取消' }).click()
    expect(await rules.count()).toBe(5)
    await page.getByRole('button', { name: '删除规则 5' }).click()
    await page.getByRole('tooltip').getByRole('button', { name: '删除' }).click()
    expect(await rules.count()).toBe(4)
    const answer = page.waitForResponse((r) => r.url().endsWith('/chat-rules/keyword-replies'))
    await page.getByRole('button', { name: '保存关键词回复' }).click()
    expect((await answer).status()).toBe(200)
    await page.getByTestId('keywords-version').getByText('版本 2').waitFor()
    const row = await stored('keyword_replies')
    expect((row!.value as { code: string }[]).map((r) => r.code)).toEqual([
      'points',
      'card',
      'orders',
      'human',
    ])
  })

  it('fits a 390 px phone', async () => {
    const phone = await context.newPage()
    phone.on('pageerror', (err) => pageErrors.push(err.message))
    await phone.setViewportSize({ width: 390, height: 844 })
    await phone.goto(`${app.url}/console/chat-rules`)
    await phone.getByTestId('keyword-rule').first().waitFor()
    expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await phone.screenshot({ path: screenshotPath('chat-rules-390') })
    await phone.close()
  })
})
