// Campaigns in real Chromium: the calendar of coming occasions with this week's birthdays and a 创建
// entry, and a Mid-Autumn greeting composed for a saved segment (opened from the segment's 用于活动),
// previewed on real members, dry-run, approved, planned by the worker's planner and sent by the bot's
// paced senders on a virtual clock, while its page refreshes itself to figures that equal SQL over the
// outbox. Each step is read back from the database.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { VirtualClock } from '../../shared/clock'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { occasionsOfYear } from '../../shared/calendar'
import { countSegment } from '../../shared/segments/segments'
import { createSavedSegment } from '../../shared/segments/saved'
import { acquireLeases } from '../../shared/chat/accounts'
import { campaignIntegrations } from '../../shared/campaigns/integrations'
import { runDueCampaigns } from '../../shared/campaigns/planner'
import { recordMemberEvent } from '../../shared/members/events'
import { AccountSender } from '../../bot/sender/account-sender'
import { simulate } from '../../bot/sender/simulation'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { recordingTransport, type Delivery } from '../support/chat'
import { approvedCampaign, makeReachableMember } from '../support/campaigns'
import { silentLogger } from '../support/config'
import { testDatabase } from '../support/db'

const PASSWORD = 'campaigns-2026'
const YEAR_MS = 365 * 24 * 3600_000

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let segmentId: number
let campaignId: number
const clock = new VirtualClock(new Date())
const pageErrors: string[] = []

const one = async <T>(query: ReturnType<typeof sql>) => (await queryRows<T>(database.db, query))[0]!

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 60, now: new Date() })
  await createOperator(database.db, {
    username: 'linxue',
    displayName: '林雪',
    role: 'operator',
    password: PASSWORD,
  })
  // The demo accounts, long past their warm-up ramp, with nothing else waiting to be sent.
  await database.db.execute(
    sql`update bot_accounts set state = 'online', first_login_at = '2025-01-01T00:00:00Z'`,
  )
  await database.db.execute(sql`delete from outbound_messages where status in ('queued', 'claimed')`)
  // Two members whose (solar) birthday is the day after tomorrow: this week's birthdays.
  const inTwoDays = new Date(Date.now() + (8 + 48) * 3600_000).toISOString().slice(5, 10)
  for (const name of ['寿星甲', '寿星乙'])
    await makeReachableMember(database.db, null, {
      name,
      birthday: `1992-${inTwoDays}`,
      birthdayCalendar: 'solar',
    })
  // A woman with no advisor: in the segment, but nobody can greet her.
  await makeReachableMember(database.db, null, { name: '孤雁', gender: 'female' })
  const segment = await createSavedSegment(
    database.db,
    { name: '女性会员', filter: { conditions: [{ field: 'gender', in: ['female'] }] } },
    null,
    new Date(),
  )
  segmentId = segment.id

  // The console runs on today's clock (its sessions expire by it); the worker and the bot below run on
  // a virtual one that jumps to the festival.
  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('linxue')
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

describe('calendar', () => {
  it('lists the coming occasions and this week’s birthdays, and 创建 opens the composer for one', async () => {
    await page.goto(`${app.url}/console/campaigns`)
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    const year = Number(today.slice(0, 4))
    const coming = [...occasionsOfYear(year), ...occasionsOfYear(year + 1)]
      .filter((o) => o.date >= today)
      .sort((a, b) => a.date.localeCompare(b.date))
    const next = coming[0]!
    const first = page.getByTestId('calendar-occasion').first()
    await first.getByText(next.name, { exact: true }).waitFor()
    expect(await first.getAttribute('data-code')).toBe(next.code)

    const soon = await countSegment(
      database.db,
      { conditions: [{ field: 'birthday', withinDays: 7 }] },
      new Date(),
    )
    await page.getByTestId('birthday-count').getByText(`${soon} 位会员`).waitFor()
    await page.screenshot({ path: screenshotPath('campaigns-calendar-1440'), fullPage: true })

    const before = (await one<{ n: number }>(sql`select count(*)::int as n from campaigns`)).n
    await first.getByRole('button', { name: '创建' }).click()
    await page.waitForURL(
      (url) => url.pathname === '/console/campaigns/new' && url.search.includes(next.code),
    )
    await page.getByTestId('campaign-form').getByText(next.name).first().waitFor()
    // Nothing is written until the draft is saved.
    expect((await one<{ n: number }>(sql`select count(*)::int as n from campaigns`)).n).toBe(before)
  })
})

describe('a Mid-Autumn greeting for a segment', () => {
  it('opens the composer from the segment, marks an unknown variable and saves the draft', async () => {
    await page.goto(`${app.url}/console/segments?segment=${segmentId}`)
    await page.getByRole('button', { name: '用于活动' }).click()
    await page.waitForURL((url) => url.pathname === '/console/campaigns/new')
    const form = page.getByTestId('campaign-form')
    const members = await countSegment(
      database.db,
      { conditions: [{ field: 'gender', in: ['female'] }] },
      new Date(),
    )
    await form.getByTestId('audience-count').getByText(`该分群现有 ${members} 位会员`).waitFor()

    await form.getByLabel('活动名称').fill('2027 中秋问候')
    await form.getByTestId('campaign-occasion').click()
    await page.keyboard.type('中秋')
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '中秋节' })
      .first()
      .click()
    const variant = form.getByTestId('variant-0').locator('textarea')
    await variant.fill('{{name|亲}}，{{festivl}}快乐！')
    await form.getByTestId('unknown-variables').getByText('未知变量：{{festivl}}').waitFor()
    // The server refuses it too, on the field.
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '保存草稿' }).click()
    expect((await refused).status()).toBe(400)
    expect(
      (await one<{ n: number }>(sql`select count(*)::int as n from campaigns where name = '2027 中秋问候'`))
        .n,
    ).toBe(0)

    await variant.fill('{{name|亲}}，{{festival}}快乐！月圆人团圆，{{advisor}}给您送上 {{gift_points}} 积分')
    await form.getByLabel('赠送积分').fill('88')
    await form.getByLabel('对照组比例（%）').fill('10')
    await form.getByTestId('unknown-variables').waitFor({ state: 'detached' })
    // A time of day the server cannot read: refused on its field, nothing saved.
    await form.getByLabel('当天几点开始').fill('25:00')
    const badTime = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '保存草稿' }).click()
    expect((await badTime).status()).toBe(400)
    await form.getByText('时间格式应为 HH:MM').waitFor()
    expect(
      (await one<{ n: number }>(sql`select count(*)::int as n from campaigns where name = '2027 中秋问候'`))
        .n,
    ).toBe(0)
    await form.getByLabel('当天几点开始').fill('09:00')
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '保存草稿' }).click()
    expect((await saved).status()).toBe(201)
    await page.waitForURL((url) => /^\/console\/campaigns\/\d+$/.test(url.pathname))
    campaignId = Number(page.url().split('/').at(-1))
    const row = await one<{
      kind: string
      kind_args: { occasion: string }
      segment_id: number
      status: string
      holdout_pct: number
      offer: { points: number }
      schedule: { type: string }
    }>(
      sql`select kind, kind_args, segment_id, status, holdout_pct, offer, schedule from campaigns where id = ${campaignId}`,
    )
    expect(row).toMatchObject({
      kind: 'holiday',
      kind_args: { occasion: 'mid_autumn' },
      segment_id: segmentId,
      status: 'draft',
      holdout_pct: 10,
      offer: { points: 88 },
      schedule: { type: 'yearly' },
    })
    await page.getByTestId('campaign-status').getByText('草稿').waitFor()
  })

  it('previews real messages, dry-runs per account and approves the previewed version', async () => {
    const review = page.getByTestId('campaign-review')
    const approve = review.getByRole('button', { name: '批准第 1 版' })
    expect(await approve.isDisabled()).toBe(true)
    await review.getByRole('button', { name: '预览消息' }).click()
    const sample = review.getByTestId('preview-sample').first()
    await sample.waitFor()
    const memberId = Number(await sample.getAttribute('data-member'))
    const member = await one<{ name: string | null; display_name: string; gender: string }>(
      sql`select m.name, b.display_name, m.gender from members m
        left join bot_accounts b on b.id = m.advisor_account_id where m.id = ${memberId}`,
    )
    expect(member.gender).toBe('female')
    const text = await sample.getByTestId('preview-text').textContent()
    expect(text).toContain(`${member.name ?? '亲'}，中秋节快乐！月圆人团圆`)
    expect(text).toContain('88 积分')
    expect(text).not.toContain('{{')

    await review.getByRole('button', { name: '试算发送' }).click()
    const dry = review.getByTestId('dry-run')
    await dry.waitFor()
    // The member with no advisor is counted as unreachable.
    const unreachable = Number(await dry.getByTestId('dry-unreachable').textContent())
    expect(unreachable).toBeGreaterThanOrEqual(1)
    expect(await dry.getByTestId('account-finish').count()).toBeGreaterThan(0)
    await page.screenshot({ path: screenshotPath('campaign-review-1440'), fullPage: true })

    expect(await approve.isDisabled()).toBe(false)
    await approve.click()
    const approved = page.waitForResponse((r) => r.url().endsWith(`/campaigns/${campaignId}/approve`))
    await page.getByRole('dialog').getByRole('button', { name: '批准' }).click()
    expect((await approved).status()).toBe(200)
    await page.getByTestId('campaign-status').getByText('已批准').waitFor()
    const row = await one<{ status: string; version: number; approved_version: number | null }>(
      sql`select status, version, approved_version from campaigns where id = ${campaignId}`,
    )
    expect(row).toMatchObject({ status: 'approved', version: 1, approved_version: 1 })
  })

  it('is planned and sent on the festival, and its page refreshes to figures that equal SQL over the outbox', async () => {
    const results = page.getByTestId('campaign-results')
    await results.getByText('已批准，到发送时间后开始发送').waitFor()
    expect(await results.getAttribute('data-live')).toBe('true')

    // 09:00 in Beijing on Mid-Autumn Day: the worker's tick plans the run.
    const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4))
    const festival = [...occasionsOfYear(year), ...occasionsOfYear(year + 1)].find(
      (o) =>
        o.code === 'mid_autumn' && o.date > new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
    )!
    clock.set(new Date(`${festival.date}T09:00:00+08:00`))
    await runDueCampaigns({
      db: database.db,
      clock,
      logger: silentLogger(),
      integrations: campaignIntegrations,
      owner: 'worker-1',
    })
    const run = await one<{ id: number; status: string }>(
      sql`select id, status from campaign_runs where campaign_id = ${campaignId}`,
    )
    expect(run.status).toBe('planned')
    await results.getByTestId('run-status').getByText('已排入发送队列').waitFor()

    // The bot's paced senders, one per account, on the virtual clock; one member's phone is gone.
    const leased = await acquireLeases(database.db, { owner: 'bot-1', now: clock.now(), ttlMs: YEAR_MS })
    const [lost] = await queryRows<{ member_id: number }>(
      database.db,
      sql`select member_id from outbound_messages where campaign_run_id = ${run.id} order by id limit 1`,
    )
    const deliveries: Delivery[] = []
    const senders = leased.map(
      (a) =>
        new AccountSender(
          { db: database.db, clock, logger: silentLogger(), owner: 'bot-1', random: () => 0.5 },
          a.id,
          recordingTransport(
            a.id,
            deliveries,
            () => clock.now(),
            (d) =>
              d.target.endsWith(`:wxid_demo_${lost!.member_id}`) || d.target.endsWith(`_${lost!.member_id}`)
                ? new Error('contact not found')
                : null,
          ),
        ),
    )
    await simulate(senders, { clock, until: new Date(clock.now().getTime() + 2 * 24 * 3600_000) })
    const outbox = await queryRows<{ account_id: number; sent: number; failed: number; waiting: number }>(
      database.db,
      sql`select account_id, count(*) filter (where status = 'sent')::int as sent,
            count(*) filter (where status = 'dead')::int as failed,
            count(*) filter (where status in ('queued', 'claimed'))::int as waiting
          from outbound_messages where campaign_run_id = ${run.id} group by account_id order by account_id`,
    )
    const sent = outbox.reduce((s, r) => s + r.sent, 0)
    expect(sent).toBeGreaterThan(0)
    expect(outbox.reduce((s, r) => s + r.waiting, 0)).toBe(0)
    // What reached WeChat (the demo's own campaigns were due today too: only this greeting counts).
    expect(deliveries.filter((d) => d.kind === 'contact' && d.text.includes('月圆人团圆')).length).toBe(sent)

    // A member replies the next morning and orders two days later.
    const [buyer] = await queryRows<{ member_id: number; sent_at: string }>(
      database.db,
      sql`select member_id, sent_at from outbound_messages where campaign_run_id = ${run.id} and status = 'sent' order by id limit 1`,
    )
    const sentAt = new Date(buyer!.sent_at).getTime()
    await recordMemberEvent(database.db, {
      memberId: buyer!.member_id,
      type: 'chat_message',
      occurredAt: new Date(sentAt + 20 * 3600_000),
      payload: { direction: 'in', text: '谢谢，中秋快乐' },
    })
    await database.db
      .execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at)
      values ('MID-AUTUMN-1', ${buyer!.member_id}, 'paid', 39900, 39900, ${new Date(sentAt + 48 * 3600_000).toISOString()})`)

    // The page was never reloaded: it asked again by itself.
    const totals = page.getByTestId('result-totals')
    await totals
      .getByTestId('total-sent')
      .getByText(String(sent), { exact: true })
      .waitFor({ timeout: 15_000 })
    await totals.getByTestId('total-replied').getByText('1', { exact: true }).waitFor({ timeout: 15_000 })
    await totals.getByTestId('total-revenue').getByText('¥399.00').waitFor({ timeout: 15_000 })
    const failedTotal = outbox.reduce((s, r) => s + r.failed, 0)
    expect(failedTotal).toBe(1)
    await totals.getByTestId('total-failed').getByText('1', { exact: true }).waitFor()
    for (const r of outbox) {
      const row = page.locator(`[data-testid="account-result"][data-account="${r.account_id}"]`)
      expect(await row.locator('[data-field="sent"]').textContent()).toBe(String(r.sent))
      expect(await row.locator('[data-field="failed"]').textContent()).toBe(String(r.failed))
    }
    await page.getByTestId('accounts-chart').locator('canvas').first().waitFor()
    await page.screenshot({ path: screenshotPath('campaign-results-1440'), fullPage: true })
  })

  it('lists the members no one can reach in a run, with the reason', async () => {
    const results = page.getByTestId('campaign-results')
    await results.locator('.ant-select').click()
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '中秋节' })
      .first()
      .click()
    const list = results.getByTestId('unreachable')
    await list.getByText('孤雁').waitFor()
    const rows = await queryRows<{ member_no: string; reason: string }>(
      database.db,
      sql`select m.member_no, cr.unreachable_reason as reason from campaign_recipients cr
        join campaign_runs r on r.id = cr.run_id join members m on m.id = cr.member_id
        where r.campaign_id = ${campaignId} and cr.channel = 'none' and cr.cohort = 'send'`,
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(await list.locator('tbody tr.ant-table-row').count()).toBe(rows.length)
    for (const r of rows) {
      const row = list.locator('tbody tr', { hasText: r.member_no })
      await row.getByText(r.reason === 'no_advisor' ? '没有专属顾问' : /好友|授权/).waitFor()
    }
  })

  it('pauses after a confirmation, and an edit sends it back to draft', async () => {
    await page.getByRole('button', { name: '暂停' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '暂停' }).click()
    await page.getByTestId('campaign-status').getByText('已暂停').waitFor()
    expect(
      (await one<{ status: string }>(sql`select status from campaigns where id = ${campaignId}`)).status,
    ).toBe('paused')
    const form = page.getByTestId('campaign-form')
    await form.getByLabel('活动名称').fill('2027 中秋问候（改）')
    const put = page.waitForResponse(
      (r) => r.url().endsWith(`/campaigns/${campaignId}`) && r.request().method() === 'PUT',
    )
    await form.getByRole('button', { name: '保存修改' }).click()
    expect((await put).status()).toBe(200)
    await page.getByTestId('campaign-status').getByText('草稿').waitFor()
    const row = await one<{ status: string; version: number; name: string }>(
      sql`select status, version, name from campaigns where id = ${campaignId}`,
    )
    expect(row).toEqual({ status: 'draft', version: 2, name: '2027 中秋问候（改）' })
    expect(
      await page.getByTestId('campaign-review').getByRole('button', { name: '批准第 2 版' }).isDisabled(),
    ).toBe(true)
  })

  it('cancels a run after a confirmation, withdrawing what has not gone out', async () => {
    const other = await approvedCampaign(database.db, clock, {
      name: '周末到店提醒',
      kind: 'holiday',
      kindArgs: { occasion: 'mid_autumn' },
      segmentId,
      variants: ['{{name|亲}}，周末来店里坐坐'],
      schedule: { type: 'once', at: null },
    })
    await runDueCampaigns({
      db: database.db,
      clock,
      logger: silentLogger(),
      integrations: campaignIntegrations,
      owner: 'worker-1',
    })
    const run = await one<{ id: number }>(sql`select id from campaign_runs where campaign_id = ${other.id}`)
    const queued = await one<{ n: number }>(
      sql`select count(*)::int as n from outbound_messages where campaign_run_id = ${run.id} and status = 'queued'`,
    )
    expect(queued.n).toBeGreaterThan(0)
    await page.goto(`${app.url}/console/campaigns/${other.id}`)
    await page.getByTestId('campaign-results').getByTestId('run-status').getByText('已排入发送队列').waitFor()
    await page.getByRole('button', { name: '取消发送' }).click()
    const cancelled = page.waitForResponse((r) => r.url().endsWith(`/campaign-runs/${run.id}/cancel`))
    await page.getByRole('dialog').getByRole('button', { name: '取消发送' }).click()
    expect((await cancelled).status()).toBe(200)
    await page.getByText(`已取消，撤回 ${queued.n} 条未发出的消息`).waitFor()
    await page.getByTestId('run-status').getByText('已取消').waitFor()
    const after = await queryRows<{ status: string; n: number }>(
      database.db,
      sql`select status, count(*)::int as n from outbound_messages where campaign_run_id = ${run.id} group by status`,
    )
    expect(after.find((r) => r.status === 'queued')).toBeUndefined()
    expect(
      (await one<{ status: string }>(sql`select status from campaign_runs where id = ${run.id}`)).status,
    ).toBe('cancelled')
  })

  it('lists campaigns filtered through the URL', async () => {
    await page.goto(`${app.url}/console/campaigns?tab=list&status=draft`)
    const drafts = await queryRows<{ name: string }>(
      database.db,
      sql`select name from campaigns where status = 'draft' order by id`,
    )
    const table = page.getByTestId('campaigns-page').locator('.ant-table-tbody')
    await table.getByText('2027 中秋问候（改）').waitFor()
    expect(await table.locator('tr.ant-table-row').count()).toBe(Math.min(drafts.length, 20))
    await page.getByTestId('filter-kind').click()
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '生日祝福' })
      .first()
      .click()
    await page.waitForURL(
      (url) => url.search.includes('kind=birthday') && url.search.includes('status=draft'),
    )
    const birthdayDrafts = drafts.length
      ? (
          await one<{ n: number }>(
            sql`select count(*)::int as n from campaigns where status = 'draft' and kind = 'birthday'`,
          )
        ).n
      : 0
    if (birthdayDrafts === 0) await table.getByText('没有符合条件的活动').waitFor()
    else expect(await table.locator('tr.ant-table-row').count()).toBe(Math.min(birthdayDrafts, 20))
  })

  it('fits a phone: 390 px without horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    for (const path of [
      '/console/campaigns',
      '/console/campaigns?tab=list',
      `/console/campaigns/${campaignId}`,
    ]) {
      await page.goto(`${app.url}${path}`)
      await page.getByTestId(path.includes('/campaigns/') ? 'campaign-page' : 'campaigns-page').waitFor()
      await page.waitForLoadState('networkidle')
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    }
    await page.screenshot({ path: screenshotPath('campaign-390'), fullPage: true })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})

describe('a ready-made segment as the audience', () => {
  it('用于活动 opens the composer with it, and saving keeps its conditions as the campaign’s segment', async () => {
    await page.goto(`${app.url}/console/segments?segment=ready:birthday_soon`)
    await page.getByRole('button', { name: '用于活动' }).click()
    await page.waitForURL((url) => url.pathname === '/console/campaigns/new')
    const form = page.getByTestId('campaign-form')
    const soon = await countSegment(
      database.db,
      { conditions: [{ field: 'birthday', withinDays: 7 }] },
      new Date(),
    )
    await form.getByTestId('audience-count').getByText(`该分群现有 ${soon} 位会员`).waitFor()
    await form.getByLabel('活动名称').fill('本周生日祝福')
    await form.getByTestId('campaign-kind').click()
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '生日祝福' })
      .first()
      .click()
    await form.getByTestId('variant-0').locator('textarea').fill('{{name|亲}}，生日快乐！')
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/campaigns') && r.request().method() === 'POST',
    )
    await form.getByRole('button', { name: '保存草稿' }).click()
    expect((await saved).status()).toBe(201)
    await page.waitForURL((url) => /^\/console\/campaigns\/\d+$/.test(url.pathname))
    const id = Number(page.url().split('/').at(-1))
    const row = await one<{ kind: string; schedule: { type: string }; filter: unknown; segment: string }>(
      sql`select c.kind, c.schedule, s.filter, s.name as segment from campaigns c
        join segments s on s.id = c.segment_id where c.id = ${id}`,
    )
    expect(row.kind).toBe('birthday')
    expect(row.schedule.type).toBe('daily')
    expect(row.segment).toContain('生日将至')
    expect(row.filter).toMatchObject({ conditions: [{ field: 'birthday', withinDays: 7 }] })
  })
})
