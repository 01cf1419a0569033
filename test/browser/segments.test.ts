// 会员分群 in real Chromium against the real app and the seeded demo brand: a ready-made segment shows
// the size and members an independent query finds; an operator builds "复购客户 with the 敏感肌 tag"
// and the live count and the preview are the members that SQL written here selects; a purchase range
// the server refuses shows on its condition; a blank name is refused on the field and writes nothing;
// the segment is saved, switched to 或 and saved again, exported as CSV and deleted, each read back
// from the segments table; a phone's width does not overflow.
import { readFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import { stageNames } from '../../shared/members/labels'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'

const PASSWORD = 'segments-pass-2026'
const NAME = '敏感肌复购客户'

interface MemberRow {
  id: number
  member_no: string
}

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
let operatorId: number
let sensitiveTagId: number
/** The 成长等级 level most members hold, for its ready-made segment. */
let level: { code: string; name: string; members: MemberRow[] }
/** The segment the operator saves. */
let savedId: number
/** Uncaught errors in the page: any is a failure, whatever the test was checking. */
const pageErrors: string[] = []

/** Members now in stage repurchaser AND / OR tagged 敏感肌, by id: the test's own reading of the rule. */
const repurchasersWithSensitiveSkin = (combine: 'and' | 'or') =>
  queryRows<MemberRow>(
    database.db,
    sql`select m.id, m.member_no from members m
      where m.merged_into_id is null and (m.stage = 'repurchaser' ${combine === 'and' ? sql`and` : sql`or`}
        exists (select 1 from member_tags mt join tags t on t.id = mt.tag_id
          where mt.member_id = m.id and t.name = '敏感肌'))
      order by m.id`,
  )

const savedRows = () =>
  queryRows<{ id: number; name: string; description: string | null; filter: unknown; operator_id: number }>(
    database.db,
    sql`select id, name, description, filter, operator_id from segments order by id`,
  )

const countBox = () => page.getByTestId('segment-count')
const conditionOf = (field: string): Locator =>
  page.locator(`[data-testid="condition"][data-field="${field}"]`)
const option = (text: string) =>
  page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first()

/** The count once it is for the conditions on screen (the debounce over and the answer in). */
async function settledCount(): Promise<number> {
  await page.locator('[data-testid="segment-count"][data-state="ready"]').waitFor()
  return Number(await countBox().getAttribute('data-count'))
}

/** The member numbers of the preview, once it is for the conditions on screen. */
async function previewedMemberNos(): Promise<string[]> {
  await page.locator('[data-testid="segment-count"][data-state="ready"]').waitFor()
  await page.locator('[data-testid="segment-preview"][data-state="ready"]').waitFor()
  const rows = page.getByTestId('preview-member')
  const nos: string[] = []
  for (let i = 0; i < (await rows.count()); i++) nos.push((await rows.nth(i).getAttribute('data-member-no'))!)
  return nos
}

/** Adds a condition of a kind from the "添加条件" panel and waits for its row. */
async function addCondition(name: string, field: string) {
  const rows = page.getByTestId('condition')
  const added = rows.nth(await rows.count())
  await page.getByTestId('add-condition').click()
  await page.getByTestId('condition-kinds').getByRole('button', { name, exact: true }).click()
  await added.waitFor()
  expect(await added.getAttribute('data-field')).toBe(field)
}

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 240, now: new Date() })
  operatorId = (
    await createOperator(database.db, {
      username: 'chenjing',
      displayName: '陈静',
      role: 'operator',
      password: PASSWORD,
    })
  ).id
  const [tag] = await queryRows<{ id: number }>(database.db, sql`select id from tags where name = '敏感肌'`)
  sensitiveTagId = Number(tag!.id)
  const [top] = await queryRows<{ code: string; name: string }>(
    database.db,
    sql`select l.code, l.name from member_tiers mt
      join tier_ladders d on d.id = mt.ladder_id join tier_levels l on l.id = mt.level_id
      join members m on m.id = mt.member_id and m.merged_into_id is null
      where d.code = 'spend' and mt.starts_at <= now() and (mt.ends_at is null or mt.ends_at > now())
      group by l.code, l.name order by count(*) desc, l.code limit 1`,
  )
  const holders = await queryRows<MemberRow>(
    database.db,
    sql`select distinct m.id, m.member_no from member_tiers mt
      join tier_ladders d on d.id = mt.ladder_id join tier_levels l on l.id = mt.level_id
      join members m on m.id = mt.member_id and m.merged_into_id is null
      where d.code = 'spend' and l.code = ${top!.code}
        and mt.starts_at <= now() and (mt.ends_at is null or mt.ends_at > now())
      order by m.id`,
  )
  level = { ...top!, members: holders }

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

describe('segments', () => {
  it('lists the ready-made segments with their sizes and opens one with its definition and members', async () => {
    await page.getByRole('link', { name: '会员分群' }).click()
    await page.waitForURL('**/console/segments')
    await page.getByText('还没有保存的分群').waitFor()
    const item = page.locator(`[data-testid="ready-made-segment"][data-code="tier:spend:${level.code}"]`)
    await item.waitFor()
    expect(level.members.length).toBeGreaterThan(0)
    expect(await item.getByTestId('ready-made-size').innerText()).toBe(`${level.members.length} 人`)
    expect(await page.getByTestId('ready-made-segment').count()).toBeGreaterThanOrEqual(7)

    await item.click()
    await page.waitForURL((url) => url.searchParams.get('segment') === `ready:tier:spend:${level.code}`)
    await page.getByTestId('segment-definition').getByText(`成长等级是 ${level.name}`).waitFor()
    await page.locator('[data-testid="segment-preview"][data-state="ready"]').waitFor()
    await page.getByTestId('preview-member').first().waitFor()
    const rows = page.getByTestId('preview-member')
    const shown: string[] = []
    for (let i = 0; i < (await rows.count()); i++)
      shown.push((await rows.nth(i).getAttribute('data-member-no'))!)
    expect(shown).toEqual(level.members.slice(0, 20).map((m) => m.member_no))
    await page.screenshot({ path: screenshotPath('segments-ready-made-1440'), fullPage: true })
  })

  it('counts and previews a built definition exactly as an independent SQL query selects', async () => {
    await page.getByRole('button', { name: '新建分群' }).first().click()
    await page.waitForURL((url) => url.searchParams.get('segment') === 'new')
    await page.getByTestId('segment-editor').getByText('还没有条件').waitFor()
    const [all] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from members where merged_into_id is null`,
    )
    expect(await settledCount()).toBe(Number(all!.n))

    await addCondition('生命周期阶段', 'stage')
    await conditionOf('stage').getByTestId('condition-values').click()
    await option('复购客户').click()
    await page.keyboard.press('Escape')
    await addCondition('标签', 'tags')
    await conditionOf('tags').getByTestId('condition-tags').click()
    await page.keyboard.type('敏感肌')
    await option('肤质：敏感肌').click()
    await page.keyboard.press('Escape')

    const expected = await repurchasersWithSensitiveSkin('and')
    expect(expected.length).toBeGreaterThan(0)
    expect(expected.length).toBeLessThan(Number(all!.n))
    expect(await settledCount()).toBe(expected.length)
    expect(await previewedMemberNos()).toEqual(expected.slice(0, 20).map((m) => m.member_no))
    const first = page.getByTestId('preview-member').first().getByTestId('preview-member-link')
    expect(await first.getAttribute('href')).toBe(`/console/members/${expected[0]!.id}`)
    expect(await page.getByTestId('preview-member').first().innerText()).toContain('复购客户')
    await page.screenshot({ path: screenshotPath('segments-builder-1440'), fullPage: true })
  })

  it('shows the server refusing a purchase range on that condition', async () => {
    await addCondition('购买次数', 'orders')
    const orders = conditionOf('orders')
    await orders.getByPlaceholder('最小').fill('5')
    await orders.getByPlaceholder('最大').fill('2')
    await page.locator('[data-testid="segment-count"][data-state="error"]').waitFor()
    await orders.getByTestId('condition-error').getByText('最小值不能大于最大值').waitFor()
    await countBox().getByText('条件有误，请按提示修改').waitFor()
    await orders.getByRole('button', { name: '删除条件' }).click()
    await orders.waitFor({ state: 'detached' })
    expect(await settledCount()).toBe((await repurchasersWithSensitiveSkin('and')).length)
  })

  it('refuses a blank name on the field and writes nothing, then saves the definition', async () => {
    await page.getByRole('button', { name: '保存分群' }).click()
    const dialog = page.getByRole('dialog')
    const nameField = dialog.locator('.ant-form-item', { hasText: '分群名称' })
    await dialog.getByRole('button', { name: '保存' }).click()
    await nameField.getByText('请填写名称').waitFor()

    // Only spaces: the form lets it through and the server refuses it, on the name's field.
    await dialog.getByPlaceholder('如 上海复购客户').fill('   ')
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/segments') && r.request().method() === 'POST',
    )
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await refused).status()).toBe(400)
    await nameField.getByText('请填写名称').waitFor()
    expect(await savedRows()).toEqual([])

    await dialog.getByPlaceholder('如 上海复购客户').fill(NAME)
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/segments') && r.request().method() === 'POST',
    )
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await created).status()).toBe(201)
    await dialog.waitFor({ state: 'hidden' })
    const rows = await savedRows()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      name: NAME,
      description: null,
      operator_id: operatorId,
      filter: {
        match: 'all',
        conditions: [
          { field: 'stage', in: ['repurchaser'] },
          { field: 'tags', tagIds: [sensitiveTagId], match: 'any' },
        ],
      },
    })
    savedId = Number(rows[0]!.id)
    await page.waitForURL((url) => url.searchParams.get('segment') === String(savedId))
    await page.getByTestId('segment-title').getByText(NAME).waitFor()
    await page
      .locator(`[data-testid="saved-segment"][data-segment-id="${savedId}"]`)
      .getByText(NAME)
      .waitFor()
    // Opened from the server again: the same conditions and the same members.
    await conditionOf('stage').getByText('复购客户').waitFor()
    await conditionOf('tags').getByText('肤质：敏感肌').waitFor()
    expect(await settledCount()).toBe((await repurchasersWithSensitiveSkin('and')).length)
  })

  it('edits the saved segment to 或 and the count, the preview and the stored filter follow', async () => {
    await page.getByTestId('segment-match').click()
    await option('任一（或）').click()
    await page.getByText('有未保存的修改').waitFor()
    const expected = await repurchasersWithSensitiveSkin('or')
    expect(expected.length).toBeGreaterThan((await repurchasersWithSensitiveSkin('and')).length)
    expect(await settledCount()).toBe(expected.length)
    expect(await previewedMemberNos()).toEqual(expected.slice(0, 20).map((m) => m.member_no))

    await page.getByRole('button', { name: '保存修改' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByPlaceholder('选填，如 用于 6 月会员日召回').fill('复购或敏感肌，护肤新品试用')
    const updated = page.waitForResponse(
      (r) => r.url().endsWith(`/api/admin/segments/${savedId}`) && r.request().method() === 'PUT',
    )
    await dialog.getByRole('button', { name: '保存' }).click()
    expect((await updated).status()).toBe(200)
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText('有未保存的修改').waitFor({ state: 'detached' })
    const rows = await savedRows()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      id: savedId,
      name: NAME,
      description: '复购或敏感肌，护肤新品试用',
      filter: {
        match: 'any',
        conditions: [
          { field: 'stage', in: ['repurchaser'] },
          { field: 'tags', tagIds: [sensitiveTagId], match: 'any' },
        ],
      },
    })
  })

  it('exports the saved segment as a CSV download of exactly its members', async () => {
    const expected = await repurchasersWithSensitiveSkin('or')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 CSV' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${NAME}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
    const csv = await readFile((await download.path())!, 'utf8')
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toContain('会员号')
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expected.map((m) => m.member_no))
  })

  it('exports the same members as an Excel workbook with Chinese values and numbers as numbers', async () => {
    const expected = await repurchasersWithSensitiveSkin('or')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${NAME}-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`))
    const book = new ExcelJS.Workbook()
    await book.xlsx.load((await readFile((await download.path())!)) as unknown as ArrayBuffer)
    const sheet = book.worksheets[0]!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    expect(header[0]).toBe('会员号')
    const rows: unknown[][] = []
    sheet.eachRow((row, n) => {
      if (n > 1) rows.push((row.values as unknown[]).slice(1))
    })
    expect(rows.map((r) => r[0])).toEqual(expected.map((m) => m.member_no))
    // Stages in Chinese, purchase counts as numbers.
    const chinese = new Set(Object.values(stageNames))
    expect(rows.every((r) => chinese.has(r[header.indexOf('阶段')] as string))).toBe(true)
    expect(rows.every((r) => typeof r[header.indexOf('购买次数')] === 'number')).toBe(true)
  })

  it('fits a phone: 390 px without horizontal overflow, members as cards', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.getByTestId('segment-title').getByText(NAME).waitFor()
    await previewedMemberNos()
    expect(await page.locator('[data-testid="segment-preview"] table').count()).toBe(0)
    expect(await page.getByTestId('preview-member').count()).toBeGreaterThan(0)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: screenshotPath('segments-390'), fullPage: true })
    await page.getByRole('button', { name: '返回列表' }).click()
    await page.locator(`[data-testid="saved-segment"][data-segment-id="${savedId}"]`).waitFor()
    await page.locator('[data-testid="ready-made-segment"]').first().waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.locator(`[data-testid="saved-segment"][data-segment-id="${savedId}"]`).click()
    await page.getByTestId('segment-title').getByText(NAME).waitFor()
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('deletes the saved segment after a confirmation', async () => {
    await page.getByTestId('segment-editor').getByRole('button', { name: /删除$/ }).click()
    const confirm = page.getByRole('dialog')
    await confirm.locator('.ant-modal-confirm-title', { hasText: `删除分群“${NAME}”？` }).waitFor()
    const removed = page.waitForResponse(
      (r) => r.url().endsWith(`/api/admin/segments/${savedId}`) && r.request().method() === 'DELETE',
    )
    await confirm.getByRole('button', { name: '删除', exact: true }).click()
    expect((await removed).status()).toBe(204)
    await page.waitForURL((url) => url.searchParams.get('segment') === null)
    await page.getByText('还没有保存的分群').waitFor()
    expect(await savedRows()).toEqual([])
  })
})
