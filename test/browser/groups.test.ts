// The 社群 screen in real Chromium against the real app and the seeded demo brand, with groups the bot
// would have registered (through the same services): a full tier group and the "2群" opened after it
// with invitations waiting, an interest group filling up and a full one with no successor yet. The
// operator filters by purpose through the URL, has an announcement with an unknown variable refused
// on its field, then queues one and finds it in the paced outbox, rendered, for the group's account.
// A phone's width does not overflow.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { ensureGroup, inviteToGroup, registerSiblingGroup, updateGroup } from '../../shared/chat/groups'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'groups-pass-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let tierName: string
let fullTier: number
let secondTier: number
let fullInterest: number
let growingInterest: number
let secondTierAccount: number
const pageErrors: string[] = []

async function one<T>(query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await queryRows<T>(database.db, query)
  return row!
}

const groupRow = (id: number) => page.locator(`[data-testid="group-row"][data-group-id="${id}"]`)

beforeAll(async () => {
  database = await testDatabase()
  const now = new Date()
  await seedDemo(database, { members: 60, now })
  await createOperator(database.db, {
    username: 'sunli',
    displayName: '孙丽',
    role: 'operator',
    password: PASSWORD,
  })
  const [a1, a2] = await queryRows<{ id: number }>(database.db, sql`select id from bot_accounts order by id`)
  const level = await one<{ id: number; name: string }>(
    sql`select id, name from tier_levels order by rank limit 1`,
  )
  tierName = level.name

  // A tier group that reached 500, and the "2群" the account opened after it.
  const first = await ensureGroup(database.db, {
    accountId: a1!.id,
    roomId: 'tier-1@chatroom',
    topic: `${tierName} 会员群`,
  })
  await updateGroup(database.db, first.id, { purpose: 'tier', tierLevelId: level.id })
  await database.db.execute(sql`update chat_groups set member_count = 500 where id = ${first.id}`)
  const full = { ...first, purpose: 'tier' as const, tierLevelId: level.id, memberCount: 500 }
  const second = await registerSiblingGroup(
    database.db,
    full,
    'tier-2@chatroom',
    `${tierName} 会员群 2群`,
    now,
  )
  await database.db.execute(sql`update chat_groups set member_count = 120 where id = ${second.id}`)
  fullTier = first.id
  secondTier = second.id
  secondTierAccount = a1!.id
  const invitees = await queryRows<{ id: number }>(
    database.db,
    sql`select id from members where advisor_account_id = ${a1!.id} order by id limit 3`,
  )
  await inviteToGroup(
    database.db,
    second.id,
    invitees.map((m) => m.id),
    now,
  )

  // Interest groups on another account: one filling up, one full with nobody opened after it yet.
  const baby = await ensureGroup(database.db, {
    accountId: a2!.id,
    roomId: 'baby@chatroom',
    topic: '宝妈交流群',
  })
  await updateGroup(database.db, baby.id, { purpose: 'interest', interest: '母婴' })
  await database.db.execute(sql`update chat_groups set member_count = 480 where id = ${baby.id}`)
  growingInterest = baby.id
  const skin = await ensureGroup(database.db, {
    accountId: a2!.id,
    roomId: 'skin@chatroom',
    topic: '护肤心得群',
  })
  await updateGroup(database.db, skin.id, { purpose: 'interest', interest: '护肤', capacity: 200 })
  await database.db.execute(sql`update chat_groups set member_count = 200 where id = ${skin.id}`)
  fullInterest = skin.id

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

describe('groups', () => {
  it('shows groups per tier and interest with their fill, the next group and the invitations waiting', async () => {
    await page.goto(`${app.url}/console/login`)
    await page.getByPlaceholder('用户名').fill('sunli')
    await page.getByPlaceholder('密码').fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('link', { name: '社群' }).click()
    await page.waitForURL('**/console/groups')

    // One card per account and kind of group (the demo brand's groups among them).
    const familiesIn = async (purpose?: string) =>
      (
        await one<{ n: number }>(
          sql`select count(distinct (account_id, purpose, coalesce(tier_level_id, 0), coalesce(interest, '')))::int as n
            from chat_groups where ${purpose ?? null}::text is null or purpose = ${purpose ?? null}`,
        )
      ).n
    const families = page.getByTestId('group-family')
    await expect.poll(() => families.count()).toBe(await familiesIn())
    const tierFamily = families.filter({ has: groupRow(fullTier) })
    await tierFamily.getByText(tierName, { exact: true }).waitFor()
    // The full group first, then the one opened after it.
    expect(
      await tierFamily
        .getByTestId('group-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group-id'))),
    ).toEqual([String(fullTier), String(secondTier)])
    await groupRow(fullTier).getByText('已满').waitFor()
    await groupRow(fullTier).getByText(`新成员进入“${tierName} 会员群 2群”`).waitFor()
    expect(await groupRow(secondTier).textContent()).toContain('120 / 500')
    await groupRow(secondTier).getByText('待发邀请 3').waitFor()
    expect(await groupRow(growingInterest).textContent()).toContain('480 / 500')
    expect(await groupRow(growingInterest).textContent()).not.toContain('已满')
    await groupRow(fullInterest).getByText('下一位受邀会员会由账号自动开新群，并带上群公告').waitFor()
    const waiting = await one<{ n: number }>(
      sql`select count(*)::int as n from outbound_messages where chat_group_id = ${secondTier} and kind = 'invite' and status = 'queued'`,
    )
    expect(waiting.n).toBe(3)
    await page.screenshot({ path: screenshotPath('groups'), fullPage: true })

    // Only interest groups: the filter is in the URL, and a reload keeps it.
    await page.getByLabel('按用途筛选').click()
    await page.locator('.ant-select-item-option', { hasText: '兴趣群' }).click()
    await page.waitForURL('**/console/groups?purpose=interest')
    await expect.poll(() => families.count()).toBe(await familiesIn('interest'))
    await page.reload()
    await groupRow(growingInterest).waitFor()
    expect(await groupRow(secondTier).count()).toBe(0)
  })

  it('queues an announcement for the paced sender, an unknown variable refused on the field', async () => {
    await page.goto(`${app.url}/console/groups?purpose=tier`)
    await groupRow(secondTier).getByRole('button', { name: '发公告' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('公告内容').fill('{{name}} 你好，本周六直播')
    const refused = page.waitForResponse((r) => r.url().endsWith(`/groups/${secondTier}/announcements`))
    await dialog.getByRole('button', { name: '排队发送' }).click()
    expect((await refused).status()).toBe(400)
    await dialog.getByText('未知变量 {{name}}，可用的变量：topic').waitFor()
    const none = await one<{ n: number }>(
      sql`select count(*)::int as n from outbound_messages where source = 'announcement'`,
    )
    expect(none.n).toBe(0)

    await dialog.getByLabel('公告内容').fill('「{{topic}}」本周六晚 8 点直播，新品试用装免费领')
    const queued = page.waitForResponse((r) => r.url().endsWith(`/groups/${secondTier}/announcements`))
    await dialog.getByRole('button', { name: '排队发送' }).click()
    expect((await queued).status()).toBe(201)
    await dialog.waitFor({ state: 'hidden' })
    const text = `「${tierName} 会员群 2群」本周六晚 8 点直播，新品试用装免费领`
    const row = await one<Record<string, unknown>>(
      sql`select account_id, kind, source, status, text, action from outbound_messages
        where chat_group_id = ${secondTier} and source = 'announcement'`,
    )
    expect(row).toEqual({
      account_id: secondTierAccount,
      kind: 'group',
      source: 'announcement',
      status: 'queued',
      text,
      action: 'group_post',
    })
    expect(await one(sql`select announcement from chat_groups where id = ${secondTier}`)).toEqual({
      announcement: text,
    })
    await groupRow(secondTier).getByTestId('announcement-waiting').getByText('公告待发 1').waitFor()
    await groupRow(secondTier).getByText(`公告：${text}`).waitFor()
  })

  it('fits a phone: the groups and the announcement dialog stay within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    const width = () => page.evaluate('document.documentElement.scrollWidth')
    await page.goto(`${app.url}/console/groups`)
    await groupRow(fullTier).waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('groups-390'), fullPage: true })
    await groupRow(growingInterest).getByRole('button', { name: '发公告' }).click()
    await page.getByRole('dialog').getByLabel('公告内容').waitFor()
    expect(await width()).toBeLessThanOrEqual(390)
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click()
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
