// 聊天工作台 in real Chromium against the real app and the seeded demo brand: a member who just wrote is
// first among the waiting conversations; the operator reads the thread beside the member's card, has a
// blank reply refused on the field, fills one from the quick replies, sends one, and sees it pending;
// the member's advisor account's own paced sender delivers it and the thread shows it sent by itself,
// as it shows the member's next message; the message is in the outbox and on the member's timeline.
// A ticket is opened and closed from the thread; a ticket leads to the workbench; the member page's
// 发消息 opens it; an advisor sees only their own accounts' conversations; a phone's width holds.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AccountSender } from '../../bot/sender/account-sender'
import { createOperator } from '../../shared/auth/service'
import { systemClock } from '../../shared/clock'
import { recordChatMessage } from '../../shared/chat/interactions'
import { recordFeedbackTicket } from '../../shared/chat/tickets'
import { queryRows, type Database } from '../../shared/db/client'
import { operatorAccounts } from '../../shared/db/schema/auth'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { recordingTransport, type Delivery } from '../support/chat'
import { silentLogger } from '../support/config'
import { testDatabase } from '../support/db'

const PASSWORD = 'workbench-pass-2026'
const QUESTION = '请问敏感肌能用这款修护面霜吗？'
const REPLY = '您好，敏感肌可以用的，建议先在耳后试用两天'
const FOLLOW_UP = '好的，那我今天下单'
const TICKET_TEXT = '上次收到的面霜瓶盖裂了'
const RETRIED = '给您备注了加急发货'

interface MemberRow {
  id: number
  member_no: string
  account_id: number
  contact: string
}

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let operatorId: number
let target: MemberRow
/** A member of another advisor account, out of the advisor's reach. */
let elsewhere: MemberRow
const pageErrors: string[] = []

async function signIn(p: Page, username: string) {
  await p.goto(`${app.url}/console/login`)
  await p.getByPlaceholder('用户名').fill(username)
  await p.getByPlaceholder('密码').fill(PASSWORD)
  await p.getByRole('button', { name: '登录' }).click()
  await p.getByRole('link', { name: '聊天工作台' }).click()
  await p.waitForURL('**/console/workbench')
}

async function inbound(member: MemberRow, text: string, at: Date) {
  await recordChatMessage(database.db, {
    memberId: member.id,
    accountId: member.account_id,
    contactId: member.contact,
    direction: 'in',
    messageType: 'text',
    text,
    sourceKey: `chat:${member.account_id}:test-${at.getTime()}`,
    at,
  })
}

const conversation = (p: Page, memberId: number) =>
  p.locator(`[data-testid="conversation"][data-member-id="${memberId}"]`)

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 120, now })
  operatorId = (
    await createOperator(database.db, {
      username: 'chenjing',
      displayName: '陈静',
      role: 'operator',
      password: PASSWORD,
    })
  ).id
  const members = await queryRows<MemberRow>(
    database.db,
    sql`select m.id, m.member_no, m.advisor_account_id as account_id,
        substr(i.value, length(m.advisor_account_id::text) + 2) as contact
      from members m
      join member_identities i on i.member_id = m.id and i.kind = 'chat_contact'
        and i.value like m.advisor_account_id || ':%'
      where m.merged_into_id is null and m.opted_out_at is null
        and not exists (select 1 from chat_tickets t where t.member_id = m.id and t.status = 'open')
      order by m.id`,
  )
  target = members[0]!
  elsewhere = members.find((m) => m.account_id !== target.account_id)!
  await inbound(target, QUESTION, new Date(now.getTime() - 60_000))

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

describe('chat workbench', () => {
  it('replies to a member through their advisor account and shows it pending, then sent by the account’s sender', async () => {
    await signIn(page, 'chenjing')
    // The member who just wrote is the first of the waiting conversations.
    const first = page.getByTestId('conversation').first()
    await first.waitFor()
    expect(await first.getAttribute('data-member-id')).toBe(String(target.id))
    expect(await first.innerText()).toContain('待回复')
    expect(await first.innerText()).toContain(QUESTION)

    await first.click()
    await page.waitForURL((url) => url.searchParams.get('member') === String(target.id))
    const thread = page.getByTestId('chat-thread')
    await thread.getByText(QUESTION).waitFor()
    const card = page.getByTestId('member-card')
    await card.getByText(target.member_no).waitFor()
    const [points] = await queryRows<{ balance: number }>(
      database.db,
      sql`select coalesce((select balance from points_accounts where member_id = ${target.id}), 0) as balance`,
    )
    expect((await card.getByTestId('card-points').innerText()).replace(/,/g, '')).toBe(
      String(points!.balance),
    )
    // The last order as the member bought it: its first item and how many there were.
    const [order] = await queryRows<{ title: string; items: number }>(
      database.db,
      sql`select (select oi.title from order_items oi where oi.order_id = o.id order by oi.id limit 1) as title,
          (select count(*)::int from order_items oi where oi.order_id = o.id) as items
        from orders o where o.member_id = ${target.id} order by o.created_at desc, o.id desc limit 1`,
    )
    if (order) {
      const shown = await card.getByTestId('card-orders').innerText()
      expect(shown).toContain(order.title)
      if (Number(order.items) > 1) expect(shown).toContain(`等${order.items}件`)
      else expect(shown).not.toContain('等')
    }
    await page.screenshot({ path: screenshotPath('workbench-1440'), fullPage: true })

    // A reply of spaces passes the form and is refused by the server, on the field.
    const form = page.getByTestId('reply-form')
    const box = form.locator('textarea')
    await box.fill('   ')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/conversations/${target.id}/messages`) && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '发送' }).click()
    expect((await refused).status()).toBe(400)
    await form.getByText('请输入回复内容').waitFor()

    // A quick reply fills the composer with the member's own figures, for editing.
    await form.getByRole('button', { name: '快捷回复' }).click()
    await page.getByRole('menuitem', { name: /^积分/ }).click()
    expect(await box.inputValue()).toContain(`${points!.balance} 分`)

    await box.fill(REPLY)
    const sent = page.waitForResponse(
      (r) => r.url().endsWith(`/conversations/${target.id}/messages`) && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '发送' }).click()
    expect((await sent).status()).toBe(201)
    const bubble = thread.locator('[data-testid="chat-message"]', { hasText: REPLY })
    await bubble.waitFor()
    expect(await bubble.getAttribute('data-status')).toBe('queued')
    expect(await bubble.innerText()).toContain('排队待发')
    expect(await box.inputValue()).toBe('')
    // The list says at once that an answer is on its way.
    await conversation(page, target.id).getByText('回复发送中').waitFor()
    expect(await conversation(page, target.id).getByText('待回复').count()).toBe(0)

    const [queued] = await queryRows<{
      id: number
      account_id: number
      status: string
      source: string
      action: string
    }>(
      database.db,
      sql`select id, account_id, status, source, action from outbound_messages where member_id = ${target.id} and text = ${REPLY}`,
    )
    expect(queued).toMatchObject({
      account_id: target.account_id,
      status: 'queued',
      source: 'operator',
      action: 'reply',
    })
    await page.screenshot({ path: screenshotPath('workbench-pending') })

    // The member's advisor account's sender takes it from the outbox and hands it to WeChat.
    await database.db.execute(
      sql`update bot_accounts set lease_owner = 'workbench-test', lease_expires_at = now() + interval '1 hour' where id = ${target.account_id}`,
    )
    const log: Delivery[] = []
    const sender = new AccountSender(
      { db: database.db, clock: systemClock, logger: silentLogger(), owner: 'workbench-test' },
      target.account_id,
      recordingTransport(target.account_id, log, () => new Date()),
    )
    for (let i = 0; i < 20 && !log.some((d) => d.text === REPLY); i++) await sender.step()
    expect(log.find((d) => d.text === REPLY)).toMatchObject({ kind: 'contact', target: target.contact })

    // The thread turns it 已发送 by itself.
    await thread
      .locator(`[data-testid="chat-message"][data-status="sent"]`, { hasText: REPLY })
      .waitFor({ timeout: 15_000 })
    const [delivered] = await queryRows<{ status: string; event: number }>(
      database.db,
      sql`select o.status, (select count(*)::int from member_events e where e.source_key = 'outbox:' || o.id
          and e.type = 'chat_message' and e.payload->>'direction' = 'out' and e.payload->>'text' = ${REPLY}) as event
        from outbound_messages o where o.id = ${queued!.id}`,
    )
    expect(delivered).toMatchObject({ status: 'sent', event: 1 })

    // The member writes again: it appears without a reload, and the conversation waits again.
    await inbound(target, FOLLOW_UP, new Date())
    await thread.getByText(FOLLOW_UP).waitFor({ timeout: 15_000 })
    await conversation(page, target.id).getByText('待回复').waitFor({ timeout: 15_000 })

    // On the member's timeline, through the card's link to the member page.
    await card.getByTestId('card-member').click()
    await page.waitForURL(`**/console/members/${target.id}`)
    await page.getByText(`聊天消息：${REPLY}`).waitFor()
    // And back to the workbench from the member page's 发消息.
    await page.getByRole('button', { name: '发消息' }).click()
    await page.waitForURL(
      (url) => url.pathname.endsWith('/workbench') && url.searchParams.get('member') === String(target.id),
    )
    await page.getByTestId('chat-thread').getByText(FOLLOW_UP).waitFor()
  })

  it('opens a ticket from the thread and closes it there', async () => {
    const card = page.getByTestId('member-card')
    await card.getByRole('button', { name: '开工单' }).click()
    const dialog = page.getByRole('dialog')
    const text = dialog.locator('.ant-form-item', { hasText: '会员反馈' }).locator('textarea')
    // The member's latest message is offered.
    expect(await text.inputValue()).toBe(FOLLOW_UP)
    await text.fill('')
    await dialog.getByRole('button', { name: '开工单' }).click()
    await dialog.getByText('请写明会员反馈的内容').waitFor()
    await text.fill(TICKET_TEXT)
    await dialog.getByRole('button', { name: '开工单' }).click()
    await card.getByText(/工单 #\d+ · 投诉 · 待处理/).waitFor()
    const [ticket] = await queryRows<{ id: number; status: string; account_id: number; category: string }>(
      database.db,
      sql`select id, status, account_id, category from chat_tickets where member_id = ${target.id} and status = 'open'`,
    )
    expect(ticket).toMatchObject({ account_id: target.account_id, category: 'complaint' })

    await card.getByRole('button', { name: '处理工单' }).click()
    const resolve = page.getByRole('dialog', { name: `处理工单 #${ticket!.id}` })
    await resolve.locator('textarea').fill('已补发新瓶并致歉')
    await resolve.getByRole('button', { name: '标记为已处理' }).click()
    await card.getByRole('button', { name: '开工单' }).waitFor()
    const [closed] = await queryRows<{ status: string; operator_id: number; resolution: string }>(
      database.db,
      sql`select status, operator_id, resolution from chat_tickets where id = ${ticket!.id}`,
    )
    expect(closed).toMatchObject({
      status: 'resolved',
      operator_id: operatorId,
      resolution: '已补发新瓶并致歉',
    })
  })

  it('sends a reply that could not be delivered again with 重发', async () => {
    const form = page.getByTestId('reply-form')
    await form.locator('textarea').fill(RETRIED)
    await form.getByRole('button', { name: '发送' }).click()
    const thread = page.getByTestId('chat-thread')
    await thread.locator('[data-testid="chat-message"][data-status="queued"]', { hasText: RETRIED }).waitFor()
    // The process died while handing it to WeChat: a dead letter nobody may send twice unasked.
    await database.db.execute(
      sql`update outbound_messages set status = 'dead', attempts = 1, last_error = 'interrupted: 发送过程中断'
        where member_id = ${target.id} and text = ${RETRIED}`,
    )
    const dead = thread.locator('[data-testid="chat-message"][data-status="dead"]', { hasText: RETRIED })
    await dead.waitFor({ timeout: 15_000 })
    expect(await dead.innerText()).toContain('发送失败')
    expect(await dead.innerText()).toContain('发送过程中断')
    await dead.getByRole('button', { name: '重发' }).click()
    await thread.locator('[data-testid="chat-message"][data-status="queued"]', { hasText: RETRIED }).waitFor()
    const [row] = await queryRows<{ status: string; attempts: number }>(
      database.db,
      sql`select status, attempts from outbound_messages where member_id = ${target.id} and text = ${RETRIED}`,
    )
    expect(row).toMatchObject({ status: 'queued', attempts: 0 })
  })

  it('leads from a feedback ticket to the member’s conversation', async () => {
    const { ticket } = await recordFeedbackTicket(database.db, {
      memberId: elsewhere.id,
      accountId: elsewhere.account_id,
      category: 'handoff',
      text: '转人工，我要退货',
      matched: '转人工',
      at: new Date(),
    })
    await page.goto(`${app.url}/console/tickets`)
    await page.locator('tbody tr.ant-table-row').filter({ hasText: elsewhere.member_no }).first().click()
    const drawer = page.getByRole('dialog')
    await drawer.getByText(`工单 #${ticket.id}`).waitFor()
    await drawer.getByRole('button', { name: '在工作台回复' }).click()
    await page.waitForURL((url) => url.searchParams.get('member') === String(elsewhere.id))
    await page.getByTestId('member-card').getByText(elsewhere.member_no).waitFor()
    await page.getByTestId('reply-form').waitFor()
  })

  it('shows an advisor only the conversations of the accounts they serve', async () => {
    const advisor = await createOperator(database.db, {
      username: 'liuyang',
      displayName: '刘洋',
      role: 'advisor',
      password: PASSWORD,
    })
    await database.db
      .insert(operatorAccounts)
      .values({ operatorId: advisor.id, accountId: target.account_id })
    const advisorContext = await operatorContext(browser)
    const p = await advisorContext.newPage()
    p.on('pageerror', (err) => pageErrors.push(err.message))
    await signIn(p, 'liuyang')
    await p.getByText('只显示你服务的顾问账号下的会员').waitFor()
    await conversation(p, target.id).waitFor()
    const shown = await p
      .getByTestId('conversation')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-member-id'))))
    expect(shown.length).toBeGreaterThan(0)
    const owners = await queryRows<{ account_id: number }>(
      database.db,
      sql`select distinct advisor_account_id as account_id from members where id in (${sql.join(
        shown.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    )
    expect(owners.map((o) => Number(o.account_id))).toEqual([target.account_id])
    expect(shown).not.toContain(elsewhere.id)

    // Another account's member, even by address, is refused.
    await p.goto(`${app.url}/console/workbench?member=${elsewhere.id}`)
    await p.getByText('无法打开这个会话').waitFor()
    await p.getByText('只能查看自己顾问账号下的会员').waitFor()
    expect(await p.getByTestId('chat-thread').count()).toBe(0)
    await p.screenshot({ path: screenshotPath('workbench-advisor') })
    await advisorContext.close()
  })

  it('fits a phone: the list, then the conversation, nothing wider than 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/console/workbench`)
    await page.getByTestId('conversation').first().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('workbench-list-390'), fullPage: true })
    await conversation(page, target.id).click()
    await page.getByTestId('chat-thread').getByText(REPLY).waitFor()
    await page.getByTestId('member-card').waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('workbench-thread-390'), fullPage: true })
    await page.getByRole('button', { name: '会话列表' }).click()
    await page.getByTestId('conversation').first().waitFor()
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
