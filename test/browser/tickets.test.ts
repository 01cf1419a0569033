// The 反馈工单 inbox in real Chromium against the real app and the seeded demo brand, with tickets the
// bot would have opened (recorded through the same service): page through the open ones, open one with
// its member and messages, have an empty and a blank 处理结果 refused on the field, close it and find it
// under 已处理 with the note and the operator in the database; a ticket closed meanwhile by a colleague
// is refused; an advisor sees only their own account's tickets; a phone's width does not overflow.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { recordFeedbackTicket, resolveTicket } from '../../shared/chat/tickets'
import { queryRows, type Database } from '../../shared/db/client'
import { operatorAccounts } from '../../shared/db/schema/auth'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'tickets-pass-2026'
const FIRST_TEXT = '面霜用了两次脸上有点刺痛，是不是过敏了'
const SECOND_TEXT = '能不能找个人工客服跟我说一下'
const RESOLUTION = '已电话联系会员致歉，建议停用并补发敏感肌试用装'

interface MemberRow {
  id: number
  member_no: string
  account_id: number
}

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let operatorId: number
/** The ticket the operator closes: two messages, the newest of the inbox. */
let target: MemberRow & { ticketId: number }
/** A ticket a colleague closes while the operator has it open. */
let raced: MemberRow & { ticketId: number }
/** Uncaught errors in the page: any is a failure, whatever the test was checking. */
const pageErrors: string[] = []

async function signIn(p: Page, username: string) {
  await p.goto(`${app.url}/console/login`)
  await p.getByPlaceholder('用户名').fill(username)
  await p.getByPlaceholder('密码').fill(PASSWORD)
  await p.getByRole('button', { name: '登录' }).click()
  await p.getByRole('link', { name: '反馈工单' }).click()
  await p.waitForURL('**/console/tickets')
}

const ticketRow = (p: Page, text: string) => p.locator('tbody tr.ant-table-row', { hasText: text })

async function ticketOf(id: number) {
  const [row] = await queryRows<{
    status: string
    resolution: string | null
    operator_id: number | null
    resolved_at: Date | null
  }>(database.db, sql`select status, resolution, operator_id, resolved_at from chat_tickets where id = ${id}`)
  return row!
}

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 240, now })
  operatorId = (
    await createOperator(database.db, {
      username: 'chenjing',
      displayName: '陈静',
      role: 'operator',
      password: PASSWORD,
    })
  ).id

  // Members of the advisor accounts without an open ticket yet (the demo opens a few of its own).
  const free = await queryRows<MemberRow>(
    database.db,
    sql`select m.id, m.member_no, m.advisor_account_id as account_id from members m
      where m.advisor_account_id is not null and m.merged_into_id is null
        and not exists (select 1 from chat_tickets t where t.member_id = m.id and t.status = 'open')
      order by m.id limit 26`,
  )
  const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000)
  // 24 older tickets, so the open inbox has more than one page of 20.
  const categories = ['complaint', 'suggestion', 'handoff'] as const
  for (const [i, m] of free.slice(2).entries()) {
    await recordFeedbackTicket(database.db, {
      memberId: m.id,
      accountId: m.account_id,
      category: categories[i % 3]!,
      text: `第 ${i + 1} 条反馈：快递一直没有更新物流`,
      matched: '物流',
      at: minutesAgo(60 * (i + 6)),
    })
  }
  const [first, second] = free as [MemberRow, MemberRow]
  const opened = await recordFeedbackTicket(database.db, {
    memberId: first.id,
    accountId: first.account_id,
    category: 'complaint',
    text: FIRST_TEXT,
    matched: '过敏',
    at: minutesAgo(20),
  })
  // The member writes again: the message joins the same ticket.
  await recordFeedbackTicket(database.db, {
    memberId: first.id,
    accountId: first.account_id,
    category: 'handoff',
    text: SECOND_TEXT,
    matched: '人工客服',
    at: minutesAgo(10),
  })
  target = { ...first, ticketId: opened.ticket.id }
  const other = await recordFeedbackTicket(database.db, {
    memberId: second.id,
    accountId: second.account_id,
    category: 'suggestion',
    text: '建议出一个旅行装小样',
    matched: '建议',
    at: minutesAgo(30),
  })
  raced = { ...second, ticketId: other.ticket.id }

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
})

afterEach(() => {
  expect(pageErrors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await database?.close()
})

describe('feedback tickets inbox', () => {
  it('pages through the open tickets, newest first, with category, member and latest message', async () => {
    const [open] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from chat_tickets where status = 'open'`,
    )
    expect(Number(open!.n)).toBeGreaterThan(20)

    await signIn(page, 'chenjing')
    const row = ticketRow(page, target.member_no)
    await row.waitFor()
    expect(await page.locator('tbody tr.ant-table-row').count()).toBe(20)
    expect(await page.locator('tbody tr.ant-table-row').first().innerText()).toContain(target.member_no)
    const text = await row.innerText()
    expect(text).toContain('投诉')
    expect(text).toContain(SECOND_TEXT)
    expect(text).toContain('共 2 条消息')
    await page.screenshot({ path: screenshotPath('tickets-1440'), fullPage: true })

    await page.getByRole('button', { name: '下一页' }).click()
    await page.waitForURL((url) => url.searchParams.get('page') === '2')
    await page.getByTestId('ticket-page').getByText('第 2 页').waitFor()
    await row.waitFor({ state: 'detached' })
    await page.locator('tbody tr.ant-table-row').first().waitFor()
    expect(await page.locator('tbody tr.ant-table-row').count()).toBe(Number(open!.n) - 20)
    expect(await page.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: '上一页' }).click()
    await page.waitForURL((url) => url.searchParams.get('page') === null)
    await row.waitFor()
  })

  it('refuses an empty and a blank 处理结果 on the field, then closes the ticket and shows it under 已处理', async () => {
    await ticketRow(page, target.member_no).click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText(`工单 #${target.ticketId}`).waitFor()
    expect(await drawer.getByTestId('ticket-member').innerText()).toContain(target.member_no)
    expect(await drawer.getByTestId('ticket-member').getAttribute('href')).toBe(
      `/console/members/${target.id}`,
    )
    const messages = await drawer.getByTestId('ticket-messages').innerText()
    expect(messages).toContain(FIRST_TEXT)
    expect(messages).toContain(SECOND_TEXT)
    expect(messages).toContain('命中：过敏')
    expect(await drawer.getByText('消息记录（2 条）').count()).toBe(1)

    const field = drawer.locator('.ant-form-item', { hasText: '处理结果' })
    const submit = drawer.getByRole('button', { name: '标记为已处理' })
    await submit.click()
    await field.getByText('请填写处理结果').waitFor()

    // Only spaces: the form lets it through and the server refuses it, on the same field.
    await field.locator('textarea').fill('   ')
    const refused = page.waitForResponse((r) => r.url().includes(`/tickets/${target.ticketId}/resolve`))
    await submit.click()
    expect((await refused).status()).toBe(400)
    await field.getByText('请填写处理结果').waitFor()
    expect((await ticketOf(target.ticketId)).status).toBe('open')
    await page.screenshot({ path: screenshotPath('tickets-resolve-refused') })

    await field.locator('textarea').fill(RESOLUTION)
    await submit.click()
    await page.getByText('工单已处理').waitFor()
    await drawer.waitFor({ state: 'hidden' })
    await ticketRow(page, target.member_no).waitFor({ state: 'detached' })

    const stored = await ticketOf(target.ticketId)
    expect(stored).toMatchObject({ status: 'resolved', resolution: RESOLUTION, operator_id: operatorId })
    expect(stored.resolved_at).not.toBeNull()

    await page.getByRole('tab', { name: '已处理' }).click()
    await page.waitForURL((url) => url.searchParams.get('status') === 'resolved')
    const row = ticketRow(page, target.member_no)
    await row.waitFor()
    expect(await row.innerText()).toContain(RESOLUTION)
    await row.click()
    await drawer.getByTestId('ticket-resolution').getByText(RESOLUTION).waitFor()
    expect(await drawer.getByRole('button', { name: '标记为已处理' }).count()).toBe(0)

    // The member's record is one click away.
    await drawer.getByTestId('ticket-member').click()
    await page.waitForURL(`**/console/members/${target.id}`)
    await page.getByTestId('member-no').waitFor()
    expect(await page.getByTestId('member-no').innerText()).toBe(target.member_no)
  })

  it('says so when a colleague closed the ticket first, and keeps their note', async () => {
    await page.goto(`${app.url}/console/tickets`)
    await ticketRow(page, raced.member_no).click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText(`工单 #${raced.ticketId}`).waitFor()
    await resolveTicket(database.db, raced.ticketId, {
      operatorId,
      resolution: '同事已回复',
      at: new Date(),
    })
    await drawer.locator('textarea').fill('我也处理了')
    await drawer.getByRole('button', { name: '标记为已处理' }).click()
    await drawer.getByTestId('resolve-error').getByText('该工单已处理').waitFor()
    expect((await ticketOf(raced.ticketId)).resolution).toBe('同事已回复')
    await page.locator('.ant-drawer-close').click()
    await ticketRow(page, raced.member_no).waitFor({ state: 'detached' })
  })

  it('fits a phone: tickets as cards and the drawer, nothing wider than 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/tickets`)
    const cards = page.getByTestId('ticket-row')
    await cards.first().waitFor()
    expect(await cards.count()).toBe(20)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('tickets-390'), fullPage: true })

    await cards.first().click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText('消息记录').waitFor()
    await drawer.locator('textarea').waitFor()
    // Measured once the drawer has finished sliding in: mid-animation it sits partly off-screen.
    await page.locator('[class*="ant-drawer-panel-motion"]').waitFor({ state: 'detached' })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('tickets-drawer-390') })
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('shows an advisor only the tickets of the bot account they serve', async () => {
    const [account] = await queryRows<{ id: number; display_name: string }>(
      database.db,
      sql`select id, display_name from bot_accounts where state <> 'disabled' order by id limit 1`,
    )
    const advisor = await createOperator(database.db, {
      username: 'liuyang',
      displayName: '刘洋',
      role: 'advisor',
      password: PASSWORD,
    })
    await database.db.insert(operatorAccounts).values({ operatorId: advisor.id, accountId: account!.id })
    const own = await queryRows<{ member_no: string }>(
      database.db,
      sql`select m.member_no from chat_tickets t join members m on m.id = t.member_id
        where t.status = 'open' and t.account_id = ${account!.id}
        order by t.opened_at desc, t.id desc`,
    )
    const [others] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from chat_tickets where status = 'open' and account_id <> ${account!.id}`,
    )
    expect(own.length).toBeGreaterThan(0)
    expect(own.length).toBeLessThanOrEqual(20)
    expect(Number(others!.n)).toBeGreaterThan(0)

    const advisorContext = await operatorContext(browser)
    const p = await advisorContext.newPage()
    p.on('pageerror', (err) => pageErrors.push(err.message))
    await signIn(p, 'liuyang')
    await p.getByText('只显示你服务的顾问账号收到的反馈').waitFor()
    await ticketRow(p, own[0]!.member_no).waitFor()
    const rows = p.locator('tbody tr.ant-table-row')
    expect(await rows.count()).toBe(own.length)
    for (const [i, t] of own.entries()) {
      const text = await rows.nth(i).innerText()
      expect(text).toContain(t.member_no)
      expect(text).toContain(account!.display_name)
    }
    expect(await p.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true)

    // An advisor has no 会员列表 section, so the member shows without a link.
    await rows.first().click()
    const drawer = p.getByRole('dialog')
    await drawer.getByTestId('ticket-member').getByText(own[0]!.member_no).waitFor()
    expect(await drawer.getByRole('link', { name: own[0]!.member_no }).count()).toBe(0)
    await p.screenshot({ path: screenshotPath('tickets-advisor') })
    await advisorContext.close()
  })
})
