// The 账号池 in real Chromium against the real app and the seeded demo brand. A real bot Supervisor
// runs a new account on the mock puppet, holding its login until the test lets it: the page shows the
// QR the supervisor recorded and turns the account 在线 by itself when the mock logs in. Then pacing
// and quiet hours are edited (the server's refusals on their fields first), an account is marked
// banned and a moved member ticked 已重新添加, and dead letters are sent again or given up on — each
// checked in the database. A phone's width does not overflow.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildBot } from '../../bot/puppets'
import { Supervisor } from '../../bot/supervisor'
import { createOperator } from '../../shared/auth/service'
import { enqueueOutbound } from '../../shared/chat/outbox'
import { systemClock } from '../../shared/clock'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { silentLogger, testConfig } from '../support/config'
import { testDatabase } from '../support/db'

const PASSWORD = 'pool-pass-2026'
const LOGIN_QR = 'https://login.weixin.qq.com/l/pool-console-test'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let supervisor: Supervisor | undefined
/** Lets the mock puppet of the new account log in (set once the supervisor asked it to). */
let releaseLogin: (() => void) | undefined
let newAccountId: number
/** Demo accounts: the one whose pacing is edited, and the one marked banned. */
let paced: { id: number; display_name: string }
let banned: { id: number; display_name: string; members: number }
let deadLetters: number[]
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await queryRows<T>(database.db, query)
  return row!
}

const card = (id: number) => page.locator(`[data-testid="account-card"][data-account-id="${id}"]`)
const fieldError = (ariaOrLabel: string) =>
  page
    .locator('.ant-form-item', { has: page.getByLabel(ariaOrLabel, { exact: true }) })
    .locator('.ant-form-item-explain-error')

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 60, now })
  await createOperator(database.db, {
    username: 'zhaolei',
    displayName: '赵磊',
    role: 'operator',
    password: PASSWORD,
  })
  // The demo accounts run elsewhere (another bot process holds their leases); a new account waits
  // for its first scan.
  await database.db.execute(
    sql`update bot_accounts set state = 'online', lease_owner = 'bot-elsewhere',
      lease_expires_at = now() + interval '1 hour', last_login_at = now()`,
  )
  newAccountId = (
    await one<{ id: number }>(
      sql`insert into bot_accounts (name, display_name) values ('advisor-xinxin', '欣欣 · 专属顾问') returning id`,
    )
  ).id
  const accounts = await queryRows<{ id: number; display_name: string; members: number }>(
    database.db,
    sql`select a.id, a.display_name,
        (select count(*)::int from members m where m.advisor_account_id = a.id and m.merged_into_id is null) as members
      from bot_accounts a where a.id <> ${newAccountId} order by a.id`,
  )
  paced = accounts[0]!
  banned = accounts.find((a) => a.id !== paced.id && a.members >= 2)!
  expect(banned).toBeDefined()

  // Two messages the sender gave up on, on the paced account.
  const [m1, m2] = await queryRows<{ id: number }>(
    database.db,
    sql`select id from members where advisor_account_id = ${paced.id} order by id limit 2`,
  )
  deadLetters = []
  for (const [i, m] of [m1!, m2!].entries()) {
    const { message } = await enqueueOutbound(database.db, {
      dedupeKey: `pool-test:dead:${i}`,
      accountId: paced.id,
      kind: 'direct',
      memberId: m.id,
      text: `中秋快乐！第 ${i + 1} 封问候`,
      source: 'campaign',
    })
    deadLetters.push(message.id)
  }
  await database.db.execute(
    sql`update outbound_messages set status = 'dead', attempts = 5, last_error = '发送超时（网络错误）'
      where id in (${deadLetters[0]}, ${deadLetters[1]})`,
  )

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
  await supervisor?.stop()
  await browser?.close()
  await app?.close()
  await database?.close()
})

describe('account pool', () => {
  it('shows the login QR the bot records for an account that needs a scan, and turns it online by itself', async () => {
    await page.goto(`${app.url}/console/login`)
    await page.getByPlaceholder('用户名').fill('zhaolei')
    await page.getByPlaceholder('密码').fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('link', { name: '账号池' }).click()
    await page.waitForURL('**/console/accounts')
    await expect.poll(() => card(newAccountId).getByTestId('account-state').textContent()).toBe('待扫码')

    // The bot process starts the account: the mock puppet asks for a scan instead of logging in.
    supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config: testConfig(), clock: systemClock },
      {
        owner: 'bot-test',
        tickMs: 0,
        invitesEveryMs: 0,
        sending: false,
        pluginsFor: () => [],
        buildBot: async (account, config) => {
          const built = await buildBot(account, config)
          const mocker = built.mocker!
          const login = mocker.login.bind(mocker)
          mocker.login = (user) => {
            releaseLogin = () => login(user)
            mocker.scan(LOGIN_QR)
          }
          return built
        },
      },
    )
    await supervisor.start()
    expect([...supervisor.running.keys()]).toEqual([newAccountId])
    const qr = card(newAccountId).getByTestId('login-qr').getByRole('img', { name: '登录二维码' })
    await qr.waitFor()
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    expect(
      await one<{ state: string; login_qr: string }>(
        sql`select state, login_qr from bot_accounts where id = ${newAccountId}`,
      ),
    ).toEqual({ state: 'needs_scan', login_qr: LOGIN_QR })
    await page.screenshot({ path: screenshotPath('account-pool-qr'), fullPage: true })

    // Somebody scans it: the mock logs in, the supervisor records it, and the page follows unprompted.
    expect(releaseLogin).toBeDefined()
    releaseLogin!()
    await card(newAccountId).getByTestId('account-state').getByText('在线').waitFor({ timeout: 15_000 })
    await card(newAccountId).getByTestId('login-qr').waitFor({ state: 'detached' })
    const after = await one<{ state: string; login_qr: string | null; first_login_at: Date | null }>(
      sql`select state, login_qr, first_login_at from bot_accounts where id = ${newAccountId}`,
    )
    expect(after).toMatchObject({ state: 'online', login_qr: null })
    expect(after.first_login_at).not.toBeNull()
    await expect.poll(() => card(newAccountId).textContent()).toContain('bot-test')
  })

  it('edits quiet hours and pacing, with the server’s refusals on the fields', async () => {
    const c = card(paced.id)
    await c.getByRole('button', { name: '节奏与设置' }).click()
    const drawer = page.getByRole('dialog')
    await drawer.getByLabel('免打扰开始', { exact: true }).fill('24:00')
    await drawer.getByLabel('群消息间隔最少秒数', { exact: true }).fill('50')
    await drawer.getByLabel('群消息间隔最多秒数', { exact: true }).fill('40')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/accounts/${paced.id}`) && r.status() === 400,
    )
    await drawer.getByRole('button', { name: '保存' }).click()
    await refused
    await expect.poll(() => fieldError('免打扰开始').textContent()).toBe('时间格式应为 HH:MM')
    await expect.poll(() => fieldError('群消息间隔最多秒数').textContent()).toBe('最小值不能大于最大值')
    const unchanged = await one<{ quiet_start: string; pacing: unknown }>(
      sql`select quiet_start, pacing from bot_accounts where id = ${paced.id}`,
    )
    expect(unchanged).toEqual({ quiet_start: '22:00', pacing: {} })

    await drawer.getByLabel('免打扰开始', { exact: true }).fill('21:30')
    await drawer.getByLabel('群消息间隔最少秒数', { exact: true }).fill('30')
    await drawer.getByLabel('群消息间隔最多秒数', { exact: true }).fill('50')
    await drawer.getByLabel('链接/小程序卡片每天上限', { exact: true }).fill('40')
    await drawer.getByLabel('私聊消息每日上限', { exact: true }).fill('250')
    const saved = page.waitForResponse((r) => r.url().endsWith(`/accounts/${paced.id}`) && r.status() === 200)
    await drawer.getByRole('button', { name: '保存' }).click()
    await saved
    await drawer.waitFor({ state: 'hidden' })
    const row = await one<{
      quiet_start: string
      quiet_end: string
      daily_cap: number
      pacing: { rules: unknown[] }
    }>(sql`select quiet_start, quiet_end, daily_cap, pacing from bot_accounts where id = ${paced.id}`)
    expect(row).toMatchObject({ quiet_start: '21:30', quiet_end: '08:30', daily_cap: 250 })
    expect(row.pacing.rules).toEqual([
      { code: 'gap', args: { kind: 'group_post', ms: [30_000, 50_000] } },
      // The warm-up ramp the cap had is kept.
      { code: 'daily_cap', args: { kind: 'link', max: 40, ramp: [0.2, 0.3, 0.4, 0.55, 0.7, 0.85] } },
    ])
    // The card shows the new settings: quiet hours, and today's link allowance on the ramp.
    await expect.poll(() => c.textContent()).toContain('21:30–08:30')
    await expect
      .poll(() => c.locator('[data-kind="link"]').textContent())
      .toMatch(/^0 \/ (8|12|16|22|28|34|40)/)
  })

  it('marks an account banned, lists its members to re-add, and records a tick', async () => {
    await card(banned.id).getByRole('button', { name: '标记被封' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('原因').fill('微信提示该账号被永久封禁')
    await dialog.getByRole('button', { name: '标记被封' }).click()
    await page.waitForURL(`**/console/accounts?from=${banned.id}&tab=readds`)
    const state = await one<{ state: string; last_error: string }>(
      sql`select state, last_error from bot_accounts where id = ${banned.id}`,
    )
    expect(state).toEqual({ state: 'banned', last_error: '微信提示该账号被永久封禁' })
    const moved = await queryRows<{ id: number; member_id: number }>(
      database.db,
      sql`select id, member_id from advisor_reassignments where from_account_id = ${banned.id} and readd_pending order by created_at, id`,
    )
    expect(moved).toHaveLength(banned.members)
    const rows = page.getByTestId('readd-row')
    await expect.poll(() => rows.count()).toBe(Math.min(20, banned.members))
    await page.screenshot({ path: screenshotPath('account-pool-readds'), fullPage: true })

    const first = page.locator(`[data-testid="readd-row"][data-member-id="${moved[0]!.member_id}"]`)
    const done = page.waitForResponse((r) => r.url().endsWith(`/reassignments/${moved[0]!.id}/done`))
    await first.getByRole('checkbox', { name: '已重新添加' }).click()
    expect((await done).status()).toBe(200)
    await first.waitFor({ state: 'detached' })
    const ticked = await one<{ readd_pending: boolean; readd_done_at: Date | null }>(
      sql`select readd_pending, readd_done_at from advisor_reassignments where id = ${moved[0]!.id}`,
    )
    expect(ticked.readd_pending).toBe(false)
    expect(ticked.readd_done_at).not.toBeNull()
    const left = await one<{ n: number }>(
      sql`select count(*)::int as n from advisor_reassignments where from_account_id = ${banned.id} and readd_pending`,
    )
    expect(left.n).toBe(banned.members - 1)
    // Nobody is left with the banned account.
    const stranded = await one<{ n: number }>(
      sql`select count(*)::int as n from members where advisor_account_id = ${banned.id}`,
    )
    expect(stranded.n).toBe(0)
  })

  it('sends a dead letter again and gives up on another, each confirmed', async () => {
    await page.getByRole('tab', { name: '死信' }).click()
    const letter = (id: number) => page.locator(`[data-testid="dead-letter"][data-outbound-id="${id}"]`)
    await letter(deadLetters[0]!).waitFor()
    await letter(deadLetters[1]!).getByText('发送超时（网络错误）').waitFor()

    await letter(deadLetters[0]!).getByRole('button', { name: '重发' }).click()
    const retried = page.waitForResponse((r) => r.url().endsWith(`/outbox/${deadLetters[0]}/retry`))
    await page.locator('.ant-popover').getByRole('button', { name: '重发' }).click()
    expect((await retried).status()).toBe(200)
    await letter(deadLetters[0]!).waitFor({ state: 'detached' })
    expect(
      await one(sql`select status, attempts from outbound_messages where id = ${deadLetters[0]}`),
    ).toEqual({ status: 'queued', attempts: 0 })

    await letter(deadLetters[1]!).getByRole('button', { name: '放弃' }).click()
    // Cancelling the confirmation changes nothing.
    await page.locator('.ant-popover:visible').getByRole('button', { name: '取消' }).click()
    expect(await one(sql`select status from outbound_messages where id = ${deadLetters[1]}`)).toEqual({
      status: 'dead',
    })
    await letter(deadLetters[1]!).getByRole('button', { name: '放弃' }).click()
    const dropped = page.waitForResponse((r) => r.url().endsWith(`/outbox/${deadLetters[1]}/drop`))
    await page.locator('.ant-popover:visible').getByRole('button', { name: '放弃' }).click()
    expect((await dropped).status()).toBe(200)
    await letter(deadLetters[1]!).waitFor({ state: 'detached' })
    expect(
      await one(sql`select status, last_error from outbound_messages where id = ${deadLetters[1]}`),
    ).toEqual({ status: 'cancelled', last_error: '运营人员放弃重发：发送超时（网络错误）' })
    // What is left on the page is what the database still holds as dead or failed.
    const left = await one<{ n: number }>(
      sql`select count(*)::int as n from outbound_messages where status in ('dead', 'failed')`,
    )
    await expect.poll(() => page.getByTestId('dead-letter').count()).toBe(Math.min(20, left.n))
  })

  it('uploads an account’s contact QR and creates a channel live code, refusals on their fields', async () => {
    await page.getByRole('tab', { name: '账号' }).click()
    // The account the bot logged in has the QR its puppet gave; the paced one has none yet.
    await card(paced.id).getByRole('button', { name: '加好友二维码' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('还没有加好友二维码').waitFor()
    await dialog.getByLabel('上传二维码内容').fill('not a link')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/accounts/${paced.id}/contact-qr`) && r.request().method() === 'PUT',
    )
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await refused).status()).toBe(400)
    await dialog.getByText('二维码内容应为微信的链接（https:// 或 weixin://）').waitFor()
    await dialog.getByLabel('上传二维码内容').fill('https://u.wechat.com/EJ3kx-pool-test')
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.getByTestId('contact-qr').getByRole('img', { name: '加好友二维码' }).waitFor()
    expect(
      await one(sql`select contact_qr, contact_qr_source from bot_accounts where id = ${paced.id}`),
    ).toEqual({ contact_qr: 'https://u.wechat.com/EJ3kx-pool-test', contact_qr_source: 'upload' })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })

    await page.getByRole('tab', { name: '渠道活码' }).click()
    await page.getByText('还没有渠道活码').waitFor()
    await page.getByLabel('渠道标识').fill('Parcel Card')
    await page.getByLabel('活码名称').fill('包裹卡')
    const bad = page.waitForResponse(
      (r) => r.url().endsWith('/live-codes') && r.request().method() === 'POST',
    )
    await page.getByRole('button', { name: '新建活码' }).click()
    expect((await bad).status()).toBe(400)
    await page.getByText('渠道标识只能包含小写字母、数字、下划线和连字符').waitFor()
    await page.getByLabel('渠道标识').fill('parcel_card')
    await page.getByRole('button', { name: '新建活码' }).click()
    await page.getByText('已新建活码“包裹卡”').waitFor()
    const live = await one<{ code: string; name: string; active: boolean }>(
      sql`select code, name, active from live_codes where channel = 'parcel_card'`,
    )
    expect(live).toMatchObject({ name: '包裹卡', active: true })
    await page.getByText(`/live/${live.code}`).waitFor()
  })

  it('fits a phone: the pool, the settings, the re-add list, the dead letters and the live codes stay within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    const width = () => page.evaluate('document.documentElement.scrollWidth')
    await page.goto(`${app.url}/console/accounts`)
    await card(paced.id).waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('account-pool-390'), fullPage: true })
    await card(paced.id).getByRole('button', { name: '节奏与设置' }).click()
    await page.getByRole('dialog').getByLabel('免打扰开始').waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    await page.goto(`${app.url}/console/accounts?tab=readds`)
    await page.getByTestId('readd-row').first().waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.goto(`${app.url}/console/accounts?tab=dead`)
    await page.getByTestId('dead-letter').first().waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.goto(`${app.url}/console/accounts?tab=live`)
    await page.getByText('包裹卡').waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
