// The till (收银台) as store staff use it on a phone: the menu offers only what staff may do; a
// scanner types the member number and Enter into the focused box; the figures match the database;
// staff tag the member and record a benefit use, both found in the database after; nothing overflows
// 390 px.
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bothWidths, consoleRig, overflowing, PHONE, sql, type ConsoleRig } from '../support/console-fixtures'

let rig: ConsoleRig
let page: Page

const count = (n: number) => new Intl.NumberFormat('zh-CN').format(n)
const yuan = (fen: number) =>
  `¥${new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(fen / 100)}`

beforeAll(async () => {
  rig = await consoleRig()
  page = await rig.signedIn('staff', PHONE)
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('till', () => {
  it('shows store staff only the member list and the till, and sends them from the dashboard', async () => {
    // Staff may not see the dashboard: the first section they may open instead.
    await page.waitForURL('**/console/members')
    await page.getByRole('button', { name: '菜单' }).click()
    const menu = page.getByTestId('section-menu')
    await menu.waitFor()
    const entries = await menu.locator('.ant-menu-item').allInnerTexts()
    expect(entries.map((e) => e.trim())).toEqual(['会员列表', '收银台'])
    await menu.getByText('收银台').click()
    await page.waitForURL('**/console/till')
    await page.goto(`${rig.app.url}/console/segments`)
    await page.getByText('没有权限').waitFor()
  })

  it('looks a member up from scanner input and shows what the database holds', async () => {
    const member = await rig.one<{ id: number; member_no: string; name: string }>(sql`
      select m.id, m.member_no, m.name, m.stage from members m
      join member_tiers t on t.member_id = m.id
      where m.merged_into_id is null and m.name is not null and m.stage in ('repurchaser', 'super_user')
      order by m.id limit 1`)
    const facts = await rig.one<{ spend: number; visits: number }>(sql`
      select coalesce((select sum(pay_fen - refunded_fen) from orders
          where member_id = ${member.id} and status not in ('cancelled', 'refunded') and paid_at is not null), 0)::bigint as spend,
        (select count(distinct (v.at at time zone 'Asia/Shanghai')::date)::int from (
          select paid_at as at from orders where member_id = ${member.id} and channel = 'store' and paid_at is not null
          union all
          select occurred_at from member_events where member_id = ${member.id} and type = 'store_visit') v) as visits`)
    await page.goto(`${rig.app.url}/console/till`)
    const box = page.getByTestId('till-input').locator('input')
    await box.waitFor()
    // The box has the focus already: a keyboard-wedge scanner just types.
    expect(await page.evaluate("document.activeElement?.closest('[data-testid=till-input]') !== null")).toBe(
      true,
    )
    await page.keyboard.type(member.member_no.toLowerCase())
    await page.keyboard.press('Enter')
    await page.getByTestId('till-member').waitFor()
    expect(await page.getByTestId('till-name').innerText()).toBe(member.name)
    expect(await page.getByTestId('till-visits').innerText()).toBe(count(facts.visits))
    expect(await page.getByTestId('till-spend').innerText()).toBe(yuan(Number(facts.spend)))
    expect(await page.getByTestId('till-pitch').innerText()).toContain('建议这样说')
    expect(await overflowing(page)).toEqual([])
  })

  it('finds a member by phone, tags them and records a benefit use', async () => {
    const member = await rig.one<{ id: number; phone: string }>(sql`
      select m.id, i.value as phone from members m
      join member_identities i on i.member_id = m.id and i.kind = 'phone'
      join member_tiers t on t.member_id = m.id
      join tier_levels v on v.id = t.level_id
      where m.merged_into_id is null
        and exists (select 1 from jsonb_array_elements(v.benefits) x join benefits b on b.code = x->>'code'
          where b.kind in ('quota', 'friend_pass'))
        and t.starts_at <= now() and (t.ends_at is null or t.ends_at > now())
      order by m.id limit 1`)
    await page.goto(`${rig.app.url}/console/till`)
    await page.getByTestId('till-input').locator('input').fill(member.phone)
    await page.getByRole('button', { name: '查询' }).click()
    await page.waitForURL((u) => u.searchParams.get('phone') === member.phone)
    await page.getByTestId('till-member').waitFor()

    const tag = await rig.one<{ id: number; name: string; dimension: string }>(sql`
      select t.id, t.name, d.name as dimension from tags t join tag_dimensions d on d.id = t.dimension_id
      where not exists (select 1 from member_tags mt where mt.member_id = ${member.id} and mt.tag_id = t.id)
      order by d.multiple desc, t.id limit 1`)
    await page.getByTestId('tag-picker').click()
    await page.keyboard.type(tag.name)
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', {
        hasText: `${tag.dimension}：${tag.name}`,
      })
      .first()
      .click()
    await page.getByTestId('member-tags').getByRole('button', { name: '添加' }).click()
    await page.getByTestId('member-tags').locator('.ant-tag', { hasText: tag.name }).waitFor()
    expect(
      await rig.rows(
        sql`select tagged_by from member_tags where member_id = ${member.id} and tag_id = ${tag.id}`,
      ),
    ).toEqual([{ tagged_by: 'staff' }])

    const benefits = page.getByTestId('till-benefits')
    const use = benefits.getByRole('button', { name: '核销' }).and(page.locator(':not([disabled])')).first()
    await use.waitFor()
    const before = await rig.one<{ n: number }>(
      sql`select count(*)::int as n from benefit_usages where member_id = ${member.id}`,
    )
    await use.click()
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: '核销' }).click()
    const notice = page.locator('.ant-message-notice').last()
    await notice.waitFor()
    expect(await notice.innerText()).toContain('已核销')
    const after = await rig.one<{ n: number }>(
      sql`select count(*)::int as n from benefit_usages where member_id = ${member.id}`,
    )
    expect(after.n).toBe(before.n + 1)
    await bothWidths(page, 'till')
  })

  it('says so in Chinese when no member has the code', async () => {
    await page.goto(`${rig.app.url}/console/till?code=NOSUCHCODE`)
    await page.getByTestId('till-error').waitFor()
    expect(await page.getByTestId('till-error').innerText()).toMatch(/[\u4e00-\u9fa5]/)
  })
})
