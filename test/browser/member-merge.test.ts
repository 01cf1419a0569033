// Merging two records of one person in real Chromium: the operator opens one record, finds the other,
// compares them side by side, is warned that nothing proves they are one person (and that their cities
// differ), must confirm that before the merge is allowed and give a reason the server checks, then
// undoes the merge from the history. Each step is read back from the database.
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOperator } from '../../shared/auth/service'
import { queryRows, type Database } from '../../shared/db/client'
import { seedDemo } from '../../shared/demo/seed'
import type { Member } from '../../shared/db/schema/members'
import { startTestApp, type TestApp } from '../support/app'
import { launchChromium, operatorContext, screenshotPath } from '../support/browser'
import { testDatabase } from '../support/db'
import { makeMember } from '../support/factories'

const PASSWORD = 'member-merge-2026'

let database: Database
let app: TestApp
let browser: Browser
let context: BrowserContext
let page: Page
/** The record the operator opens (the one in the store's CRM) and the one that turns out to be the same person. */
let kept: Member
let duplicate: Member
const pageErrors: string[] = []

const mergedInto = async (memberId: number) =>
  (
    await queryRows<{ merged_into_id: number | null }>(
      database.db,
      sql`select merged_into_id from members where id = ${memberId}`,
    )
  )[0]!.merged_into_id

const mergesOf = (memberId: number) =>
  queryRows<{ survivor_id: number; merged_id: number; reason: string; undone: boolean }>(
    database.db,
    sql`select survivor_id, merged_id, reason, undone_at is not null as undone from member_merges
      where survivor_id = ${memberId} or merged_id = ${memberId} order by id`,
  )

const identityOwners = async (memberId: number) =>
  (
    await queryRows<{ member_id: number }>(
      database.db,
      sql`select member_id from member_identities where member_id = ${memberId}`,
    )
  ).length

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 40, now: new Date() })
  await createOperator(database.db, {
    username: 'zhoumin',
    displayName: '周敏',
    role: 'operator',
    password: PASSWORD,
  })
  // 晏涛 in the CRM, 三寿 on WeChat: no shared identity, and the city was typed differently.
  kept = await makeMember(database.db, { name: '晏涛', city: '上海' })
  duplicate = await makeMember(database.db, { name: '三寿', nickname: '三寿', city: '杭州' })

  app = await startTestApp(database)
  browser = await launchChromium()
  context = await operatorContext(browser)
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${app.url}/console/login`)
  await page.getByPlaceholder('用户名').fill('zhoumin')
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

describe('merge and undo', () => {
  it('compares the two records, asks for a confirmation and a reason, and merges into the kept one', async () => {
    await page.goto(`${app.url}/console/members/${kept.id}`)
    await page.getByTestId('member-no').getByText(kept.memberNo).waitFor()
    await page.getByTestId('merge-history').getByText('暂无合并记录').waitFor()
    await page.getByRole('button', { name: '合并会员' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByPlaceholder('搜索另一条记录：姓名、手机号或会员号').fill(duplicate.memberNo)
    await dialog.getByRole('button', { name: '搜索' }).click()
    const candidate = dialog.getByTestId('merge-candidate').filter({ hasText: duplicate.memberNo })
    await candidate.getByRole('button', { name: '选择' }).click()

    const warnings = dialog.getByTestId('merge-warnings')
    await warnings.getByText('两条记录没有相同的手机号、UnionID 或 openid，无法证明是同一个人').waitFor()
    await warnings.getByText('城市不一致（上海 / 杭州）').waitFor()
    const confirm = dialog.getByRole('button', { name: '确认合并' })
    expect(await confirm.isDisabled()).toBe(true)
    await warnings.getByText('我已核对，确认是同一个人').click()
    expect(await confirm.isDisabled()).toBe(false)
    // The record that came first is proposed as the one to keep.
    expect(await dialog.getByRole('radio', { name: new RegExp(kept.memberNo) }).isChecked()).toBe(true)
    await page.screenshot({ path: screenshotPath('member-merge-1440') })

    // No reason: refused on its field, nothing merged.
    await confirm.click()
    await dialog.getByText('请填写合并原因').waitFor()
    expect(await mergesOf(kept.id)).toEqual([])

    await dialog
      .getByPlaceholder('如 同一顾客在门店和小程序各注册了一次')
      .fill('手机号核对为同一人，门店与微信各建了一条')
    const merged = page.waitForResponse((r) => r.url().endsWith('/api/admin/members/merge'))
    await confirm.click()
    expect((await merged).status()).toBe(201)
    await dialog.waitFor({ state: 'hidden' })

    expect(await mergedInto(duplicate.id)).toBe(kept.id)
    expect(await mergedInto(kept.id)).toBeNull()
    expect(await mergesOf(kept.id)).toEqual([
      {
        survivor_id: kept.id,
        merged_id: duplicate.id,
        reason: '手机号核对为同一人，门店与微信各建了一条',
        undone: false,
      },
    ])
    // The duplicate's phone and openid now name the kept record.
    expect(await identityOwners(duplicate.id)).toBe(0)
    expect(await identityOwners(kept.id)).toBe(4)
    const history = page.getByTestId('merge-history')
    await history.getByText(`#${duplicate.id}`).waitFor()
    await history.getByText('有效').waitFor()
    await page.getByTestId('member-identities').locator('tbody tr').nth(3).waitFor()
  })

  it('undoes the merge after a confirmation, and both records stand apart again', async () => {
    const history = page.getByTestId('merge-history')
    await history.getByRole('button', { name: '撤销' }).click()
    const undone = page.waitForResponse((r) => /\/api\/admin\/members\/merges\/\d+\/undo$/.test(r.url()))
    await page.getByRole('dialog').getByRole('button', { name: '撤销合并' }).click()
    expect((await undone).status()).toBe(200)
    await history.getByText(/已撤销/).waitFor()

    expect(await mergedInto(duplicate.id)).toBeNull()
    expect((await mergesOf(kept.id)).map((m) => m.undone)).toEqual([true])
    expect(await identityOwners(duplicate.id)).toBe(2)
    expect(await identityOwners(kept.id)).toBe(2)
    expect(await history.getByRole('button', { name: '撤销' }).count()).toBe(0)
  })

  it('fits a phone: the merge dialog stays within 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('button', { name: '合并会员' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByPlaceholder('搜索另一条记录：姓名、手机号或会员号').fill(duplicate.memberNo)
    await dialog.getByRole('button', { name: '搜索' }).click()
    await dialog.getByTestId('merge-candidate').getByRole('button', { name: '选择' }).click()
    await dialog.getByTestId('merge-warnings').waitFor()
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - innerWidth'))
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: screenshotPath('member-merge-390') })
    await dialog.getByRole('button', { name: '取消' }).click()
    await page.setViewportSize({ width: 1440, height: 900 })
  })
})
