// Segments in Chromium: the ready-made ones with their sizes; the builder's live count against the
// database; a refused filter names its condition; saving, exporting CSV and XLSX (Chinese values),
// and "用于活动" making a draft campaign for the saved segment — each found in the database after.
import { readFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { countReadyMade } from '../../shared/segments/segments'
import { bothWidths, choose as pick, consoleRig, sql, type ConsoleRig } from '../support/console-fixtures'

const choose = (testId: string, option: string) => pick(page, testId, option, { type: true })

let rig: ConsoleRig
let page: Page
let repurchasers: number

const count = (n: number) => new Intl.NumberFormat('zh-CN').format(n)

beforeAll(async () => {
  rig = await consoleRig()
  page = await rig.signedIn('operator')
  repurchasers = (
    await rig.one<{ n: number }>(
      sql`select count(*)::int as n from members where merged_into_id is null and stage = 'repurchaser'`,
    )
  ).n
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('segments', () => {
  it('lists the ready-made segments with their sizes', async () => {
    await page.getByRole('link', { name: '会员分群' }).click()
    await page.waitForURL('**/console/segments')
    const expected = await countReadyMade(rig.database.db, new Date())
    expect(expected.length).toBeGreaterThanOrEqual(6)
    for (const s of expected) {
      await page.getByTestId(`ready-${s.code}`).waitFor()
      expect(await page.getByTestId(`ready-${s.code}`).innerText()).toBe(count(s.members))
    }
    await bothWidths(page, 'segments-ready-made')
  })

  it('counts a built filter as the database does and refuses a wrong range on its condition', async () => {
    await page.getByRole('tab', { name: '分群构建器' }).click()
    await choose('condition-field', '生命周期阶段')
    await page.getByTestId('condition-add').click()
    await page.getByTestId('condition-0').locator('.ant-select').click()
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '复购客户' })
      .click()
    await page.keyboard.press('Escape')
    await page
      .getByTestId('segment-count')
      .filter({ hasText: count(repurchasers) })
      .waitFor()
    expect(new URL(page.url()).searchParams.get('filter')).toContain('repurchaser')

    await choose('condition-field', '累计消费')
    await page.getByTestId('condition-add').click()
    const spend = page.getByTestId('condition-1').locator('input')
    await spend.nth(0).fill('500')
    await spend.nth(1).fill('100')
    const error = page.getByTestId('segment-count-error')
    await error.waitFor()
    expect(await error.innerText()).toContain('第 2 个条件')
    await page.getByTestId('condition-1').getByRole('button', { name: '删除条件' }).click()
    await page
      .getByTestId('segment-count')
      .filter({ hasText: count(repurchasers) })
      .waitFor()
  })

  it('exports the built segment as CSV and XLSX with Chinese values', async () => {
    const csvDownload = page.waitForEvent('download')
    await page.getByTestId('segment-export').hover()
    await page.getByText('导出 CSV').click()
    const csv = await readFile((await (await csvDownload).path())!, 'utf8')
    const rows = parse(csv.replace(/^\uFEFF/, '')) as string[][]
    expect(rows[0]!.slice(0, 6)).toEqual(['会员号', '姓名', '昵称', '性别', '城市', '阶段'])
    expect(rows.length - 1).toBe(repurchasers)
    expect(new Set(rows.slice(1).map((r) => r[5]))).toEqual(new Set(['复购客户']))

    const xlsxDownload = page.waitForEvent('download')
    await page.getByTestId('segment-export').hover()
    await page.getByText('导出 Excel（XLSX）').click()
    const file = await xlsxDownload
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile((await file.path())!)
    const sheet = workbook.worksheets[0]!
    expect(sheet.rowCount - 1).toBe(repurchasers)
    expect(sheet.getRow(2).getCell(6).value).toBe('复购客户')
  })

  it('saves the segment and makes a draft campaign for it', async () => {
    await page.getByTestId('segment-save').click()
    const modal = page.getByTestId('segment-save-modal')
    await modal.getByRole('button', { name: '保存' }).click()
    await modal.locator('.ant-form-item-explain-error').waitFor()
    expect(await modal.locator('.ant-form-item-explain-error').innerText()).toBe('请填写名称')
    await modal.getByLabel('名称').fill('复购客户（测试）')
    await modal.getByRole('button', { name: '保存' }).click()
    await modal.waitFor({ state: 'hidden' })
    const saved = await rig.one<{ id: number; filter: { conditions: { field: string; in: string[] }[] } }>(
      sql`select id, filter from segments where name = '复购客户（测试）'`,
    )
    expect(saved.filter.conditions).toEqual([{ field: 'stage', in: ['repurchaser'] }])

    await page.getByRole('tab', { name: '已保存的分群' }).click()
    await page.getByTestId(`segment-campaign-${saved.id}`).click()
    const campaign = page.getByTestId('campaign-modal')
    await campaign.getByLabel('消息文案').fill('谢谢一直以来的支持，推荐好友一起来吧')
    await campaign.getByRole('button', { name: '创建草稿' }).click()
    await campaign.waitFor({ state: 'hidden' })
    const draft = await rig.one<{ status: string; kind: string }>(
      sql`select status, kind from campaigns where segment_id = ${saved.id}`,
    )
    expect(draft).toEqual({ status: 'draft', kind: 'referral_ask' })
  })
})
