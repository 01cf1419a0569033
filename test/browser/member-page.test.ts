// The member page in Chromium: edit the profile (a wrong birthday is refused on its field), adjust
// points (no reason: refused on the reason field), grant and revoke a tier level, tag and untag by
// dimension, page through the timeline — each checked in the database afterwards; store staff see
// phone numbers masked; at 390 px nothing overflows.
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bothWidths, choose, consoleRig, PHONE, sql, type ConsoleRig } from '../support/console-fixtures'

let rig: ConsoleRig
let page: Page
let member: { id: number; phone: string; advisor: string | null }

const modal = (testId: string) => page.getByTestId(testId)
const fieldError = (testId: string) => modal(testId).locator('.ant-form-item-explain-error')

beforeAll(async () => {
  rig = await consoleRig()
  member = await rig.one(sql`
    select m.id, i.value as phone, a.display_name as advisor
    from members m
    join member_identities i on i.member_id = m.id and i.kind = 'phone'
    left join bot_accounts a on a.id = m.advisor_account_id
    where m.stage = 'repurchaser' and m.merged_into_id is null and m.advisor_account_id is not null
    order by m.id limit 1`)
  page = await rig.signedIn('operator')
  await page.goto(`${rig.app.url}/console/members/${member.id}`)
  await page.getByTestId('member-no').waitFor()
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('member page', () => {
  it('shows the advisor and, to an operator, the phone number in full', async () => {
    expect(await page.getByTestId('member-identities').innerText()).toContain(member.phone)
    expect(await page.getByTestId('member-advisor').innerText()).toBe(member.advisor ?? '未分配')
  })

  it('edits the profile, showing the server’s refusal under the birthday field', async () => {
    await page.getByRole('button', { name: '编辑资料' }).click()
    const form = modal('profile-modal')
    await form.getByLabel('生日').fill('1990-13-45')
    await form.getByLabel('城市').fill('杭州')
    await form.getByRole('button', { name: '保存' }).click()
    await fieldError('profile-modal').first().waitFor()
    expect(await fieldError('profile-modal').first().innerText()).toBe('生日格式应为 YYYY-MM-DD')
    const unchanged = await rig.one<{ city: string | null }>(
      sql`select city from members where id = ${member.id}`,
    )
    expect(unchanged.city).not.toBe('杭州')

    await form.getByLabel('生日').fill('1990-05-01')
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'hidden' })
    const saved = await rig.one<{ city: string; birthday: string }>(
      sql`select city, birthday::text as birthday from members where id = ${member.id}`,
    )
    expect(saved).toEqual({ city: '杭州', birthday: '1990-05-01' })
    await page.getByText('杭州').first().waitFor()
  })

  it('adjusts points only with a reason, and the balance follows', async () => {
    const before = await rig.one<{ balance: number }>(
      sql`select coalesce((select balance from points_accounts where member_id = ${member.id}), 0)::int as balance`,
    )
    await page.getByRole('button', { name: '调整积分' }).click()
    const form = modal('points-modal')
    await form.getByLabel('调整数量').fill('200')
    await form.getByRole('button', { name: '保存' }).click()
    await fieldError('points-modal').first().waitFor()
    expect(await fieldError('points-modal').first().innerText()).toBe('请填写调整原因')

    await form.getByLabel('原因').fill('补偿物流延误')
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'hidden' })
    const entry = await rig.one<{ amount: number; reason: string; kind: string }>(sql`
      select amount, reason, kind from points_entries where member_id = ${member.id} order by id desc limit 1`)
    expect(entry).toEqual({ amount: 200, reason: '人工调整：补偿物流延误', kind: 'adjust' })
    const shown = new Intl.NumberFormat('zh-CN').format(before.balance + 200)
    await page.getByTestId('member-points').filter({ hasText: shown }).waitFor()
  })

  it('grants a tier level and takes it away again', async () => {
    const ladder = await rig.one<{
      id: number
      code: string
      name: string
      level: string
      levelName: string
    }>(sql`
      select l.id, l.code, l.name, v.code as level, v.name as "levelName"
      from tier_ladders l join tier_levels v on v.ladder_id = l.id
      where not exists (select 1 from member_tiers t where t.member_id = ${member.id} and t.ladder_id = l.id)
      order by l.id, v.rank desc limit 1`)
    await page.getByRole('button', { name: '调整等级' }).click()
    const form = modal('tier-modal')
    await choose(page, 'tier-ladder', ladder.name)
    await choose(page, 'tier-level', ladder.levelName)
    await form.getByLabel('原因').fill('门店活动赠送')
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'hidden' })
    const held = await rig.rows<{ code: string }>(sql`
      select v.code from member_tiers t join tier_levels v on v.id = t.level_id
      where t.member_id = ${member.id} and t.ladder_id = ${ladder.id}`)
    expect(held).toEqual([{ code: ladder.level }])
    await page.getByTestId('member-tiers').getByText(ladder.levelName).waitFor()

    await page.getByRole('button', { name: '调整等级' }).click()
    await choose(page, 'tier-ladder', ladder.name)
    await choose(page, 'tier-level', '移出该体系')
    await form.getByLabel('原因').fill('赠送有误')
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'hidden' })
    const gone = await rig.rows(
      sql`select 1 from member_tiers where member_id = ${member.id} and ladder_id = ${ladder.id}`,
    )
    expect(gone).toEqual([])
  })

  it('tags the member in a dimension and, after confirming, untags them', async () => {
    const tag = await rig.one<{ id: number; name: string; dimension: string }>(sql`
      select t.id, t.name, d.name as dimension from tags t join tag_dimensions d on d.id = t.dimension_id
      where d.multiple and not exists (select 1 from member_tags mt where mt.member_id = ${member.id} and mt.tag_id = t.id)
      order by t.id limit 1`)
    await page.getByTestId('tag-picker').click()
    await page.keyboard.type(tag.name)
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', {
        hasText: `${tag.dimension}：${tag.name}`,
      })
      .first()
      .click()
    await page.getByTestId('member-tags').getByRole('button', { name: '添加' }).click()
    const chip = page.getByTestId('member-tags').locator('.ant-tag', { hasText: tag.name })
    await chip.waitFor()
    const tagged = await rig.rows<{ tagged_by: string }>(
      sql`select tagged_by from member_tags where member_id = ${member.id} and tag_id = ${tag.id}`,
    )
    expect(tagged).toEqual([{ tagged_by: 'operator' }])

    await chip.click()
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: '去掉' }).click()
    await chip.waitFor({ state: 'detached' })
    const left = await rig.rows(
      sql`select 1 from member_tags where member_id = ${member.id} and tag_id = ${tag.id}`,
    )
    expect(left).toEqual([])
  })

  it('pages through the whole timeline in Chinese', async () => {
    const total = await rig.one<{ n: number }>(sql`
      select ((select count(*) from member_events where member_id = ${member.id})
        + (select count(*) from points_entries where member_id = ${member.id})
        + (select count(*) from member_stage_changes where member_id = ${member.id})
        + (select count(*) from member_tags where member_id = ${member.id}))::int as n`)
    const items = page.getByTestId('member-timeline').locator('.ant-timeline-item')
    await items.first().waitFor()
    expect(await items.count()).toBe(Math.min(20, total.n))
    while (await page.getByTestId('timeline-more').isVisible()) {
      const shown = await items.count()
      await page.getByTestId('timeline-more').click()
      await page.waitForFunction(
        `document.querySelectorAll('[data-testid="member-timeline"] .ant-timeline-item').length > ${shown}`,
      )
    }
    expect(await items.count()).toBe(total.n)
    const text = await page.getByTestId('member-timeline').innerText()
    expect(text).toContain('补偿物流延误')
    expect(text).not.toMatch(/\b(repurchaser|customer|stranger|super_user|intention)\b/)
    await bothWidths(page, 'member-page')
  })

  it('masks the phone number for store staff, on a phone', async () => {
    const staff = await rig.signedIn('staff', PHONE)
    await staff.goto(`${rig.app.url}/console/members/${member.id}`)
    await staff.getByTestId('member-identities').getByText('****').waitFor()
    const identities = await staff.getByTestId('member-identities').innerText()
    expect(identities).not.toContain(member.phone)
    expect(identities).toContain(`${member.phone.slice(0, 3)}****${member.phone.slice(-4)}`)
    expect(await staff.getByRole('button', { name: '调整积分' }).count()).toBe(0)
  })
})
