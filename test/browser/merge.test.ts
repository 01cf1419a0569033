// Merging two member records in Chromium: find both, compare them side by side, see the warning when
// they share no identity, give a reason (refused on its field without one), confirm; the database
// shows the merge; the merge history on the survivor's page undoes it.
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bothWidths, consoleRig, sql, type ConsoleRig } from '../support/console-fixtures'

let rig: ConsoleRig
let page: Page
let a: { id: number; member_no: string }
let b: { id: number; member_no: string }

async function pick(side: 'a' | 'b', memberNo: string) {
  await page.getByTestId(`merge-pick-${side}`).click()
  await page.keyboard.type(memberNo)
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: memberNo })
    .first()
    .click()
  await page.waitForURL((u) => u.searchParams.has(side))
}

beforeAll(async () => {
  rig = await consoleRig()
  const two = await rig.rows<{ id: number; member_no: string }>(sql`
    select m.id, m.member_no from members m
    where m.merged_into_id is null and m.stage = 'customer'
      and exists (select 1 from member_identities i where i.member_id = m.id and i.kind = 'phone')
    order by m.id limit 2`)
  ;[a, b] = two as [typeof a, typeof b]
  page = await rig.signedIn('operator')
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('merge', () => {
  it('compares two members, warns, asks for a reason and merges after confirming', async () => {
    await page.getByRole('link', { name: '会员合并' }).click()
    await page.waitForURL('**/console/merge')
    await pick('a', a.member_no)
    await pick('b', b.member_no)
    const warnings = page.getByTestId('merge-warnings')
    await warnings.waitFor()
    expect(await warnings.innerText()).toContain('没有共同的手机号')
    await bothWidths(page, 'merge')

    await page.getByTestId('merge-submit').click()
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '确认合并' }).click()
    const error = page.locator('.ant-form-item-explain-error')
    await error.waitFor()
    expect(await error.innerText()).toBe('请填写合并原因')
    expect(
      (await rig.one<{ m: number | null }>(sql`select merged_into_id as m from members where id = ${b.id}`))
        .m,
    ).toBeNull()

    await page.getByLabel('合并原因').fill('同一人在门店和小程序各注册了一次')
    await page.getByTestId('merge-submit').click()
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '确认合并' }).click()
    await page.waitForURL(`**/console/members/${a.id}`)
    const merged = await rig.one<{ m: number }>(
      sql`select merged_into_id as m from members where id = ${b.id}`,
    )
    expect(merged.m).toBe(a.id)
    const record = await rig.one<{ reason: string; undone_at: string | null }>(sql`
      select reason, undone_at from member_merges where survivor_id = ${a.id} and merged_id = ${b.id}`)
    expect(record).toEqual({ reason: '同一人在门店和小程序各注册了一次', undone_at: null })
  })

  it('undoes the merge from the history, after confirming', async () => {
    const merge = await rig.one<{ id: number }>(
      sql`select id from member_merges where survivor_id = ${a.id} and merged_id = ${b.id}`,
    )
    await page.getByTestId(`undo-merge-${merge.id}`).click()
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: '撤销合并' }).click()
    await page.getByTestId('member-merges').getByText('已撤销').waitFor()
    const undone = await rig.one<{ m: number | null; undone: boolean }>(sql`
      select (select merged_into_id from members where id = ${b.id}) as m,
        (select undone_at is not null from member_merges where id = ${merge.id}) as undone`)
    expect(undone).toEqual({ m: null, undone: true })
  })
})
