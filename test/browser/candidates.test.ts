// Super-user candidates in Chromium: the ranking and each criterion's share as the domain computes
// them from the database; the repurchaser label with its suggested action; inviting a candidate to a
// group and issuing them a coupon, both found in the database after.
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { listCandidates } from '../../shared/segments/candidates'
import { repurchaserAdvice } from '../../shared/members/labels'
import { bothWidths, choose, consoleRig, sql, type ConsoleRig } from '../support/console-fixtures'

let rig: ConsoleRig
let page: Page
let top: Awaited<ReturnType<typeof listCandidates>>['items']

beforeAll(async () => {
  rig = await consoleRig()
  top = (await listCandidates(rig.database.db, { at: new Date(), limit: 20, offset: 0, minScore: 1 })).items
  page = await rig.signedIn('operator')
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('candidates', () => {
  it('ranks the candidates with each criterion’s contribution', async () => {
    expect(top.length).toBeGreaterThan(1)
    await page.getByRole('link', { name: '超级用户候选' }).click()
    await page.waitForURL('**/console/candidates')
    const first = top[0]!
    await page.getByTestId(`candidate-score-${first.memberId}`).waitFor()
    const rows = page.locator('tbody tr.ant-table-row')
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => (tr as unknown as { innerText: string }).innerText),
    )
    expect(shown.map((t) => t.match(/M\d+/)?.[0])).toEqual(top.map((c) => c.memberNo))
    for (const c of top.slice(0, 3)) {
      expect(await page.getByTestId(`candidate-score-${c.memberId}`).innerText()).toContain(String(c.score))
      const row = rows.filter({ hasText: c.memberNo })
      for (const x of c.contributions.filter((x) => x.points > 0))
        expect(await row.innerText()).toContain(`${x.name} +${x.points}`)
    }
    await bothWidths(page, 'candidates')
  })

  it('shows the repurchaser label and what to do about it', async () => {
    const c = top[0]!
    const { kind } = await rig.one<{ kind: keyof typeof repurchaserAdvice | null }>(
      sql`select repurchaser_kind as kind from members where id = ${c.memberId}`,
    )
    await page
      .locator('tbody tr.ant-table-row', { hasText: c.memberNo })
      .locator('.ant-table-row-expand-icon')
      .click()
    const advice = page.getByTestId(`candidate-advice-${c.memberId}`)
    await advice.waitFor()
    expect(await advice.innerText()).toContain(c.explanation)
    if (kind) {
      expect(await advice.innerText()).toContain(repurchaserAdvice[kind].name)
      expect(await advice.innerText()).toContain(repurchaserAdvice[kind].action)
    }
  })

  it('invites a candidate to a group and issues them a coupon', async () => {
    const c = top[1]!
    const group = await rig.one<{ id: number; topic: string }>(
      sql`select id, topic from chat_groups where member_count < capacity order by id limit 1`,
    )
    const coupon = await rig.one<{ id: number; name: string }>(
      sql`select t.id, t.name from coupon_templates t where t.status = 'active'
        and not exists (select 1 from member_coupons c where c.template_id = t.id and c.member_id = ${c.memberId})
        order by t.id limit 1`,
    )
    const count = async () =>
      rig.one<{ invites: number; coupons: number }>(sql`
        select (select count(*) from outbound_messages where member_id = ${c.memberId} and kind = 'invite')::int as invites,
          (select count(*) from member_coupons where member_id = ${c.memberId} and template_id = ${coupon.id})::int as coupons`)
    const before = await count()
    await page
      .locator('tbody tr.ant-table-row', { hasText: c.memberNo })
      .locator('.ant-checkbox-input')
      .check()
    await page.getByTestId('bulk-invite').click()
    const invite = page.getByTestId('invite-modal')
    await choose(page, 'invite-group', group.topic)
    await invite.getByRole('button', { name: '发送邀请' }).click()
    await invite.waitFor({ state: 'hidden' })

    await page.getByTestId('bulk-coupon').click()
    const issue = page.getByTestId('coupon-modal')
    await choose(page, 'coupon-template', coupon.name)
    await issue.getByRole('button', { name: '发放' }).click()
    await issue.waitFor({ state: 'hidden' })
    const after = await count()
    expect(after).toEqual({ invites: before.invites + 1, coupons: before.coupons + 1 })
  })
})
