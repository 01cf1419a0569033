// The tickets inbox in Chromium: open tickets with their member and opening message as the database
// holds them; taking one (指派给我) and noting it; resolving asks for the outcome (refused on its
// field when empty) and closes it.
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bothWidths, consoleRig, sql, type ConsoleRig } from '../support/console-fixtures'

let rig: ConsoleRig
let page: Page

beforeAll(async () => {
  rig = await consoleRig()
  page = await rig.signedIn('operator')
})

afterEach(() => expect(rig.pageErrors).toEqual([]))
afterAll(async () => rig?.close())

describe('tickets', () => {
  it('lists the open tickets and resolves one with a note', async () => {
    const open = await rig.rows<{ id: number; text: string }>(sql`
      select id, messages->0->>'text' as text from chat_tickets where status = 'open' order by opened_at desc`)
    expect(open.length).toBeGreaterThan(0)
    await page.getByRole('link', { name: '反馈工单' }).click()
    await page.waitForURL('**/console/tickets')
    for (const t of open) expect(await page.getByTestId(`ticket-opening-${t.id}`).innerText()).toBe(t.text)
    expect(await page.locator('tbody tr.ant-table-row').count()).toBe(open.length)
    await bothWidths(page, 'tickets')

    const ticket = open[0]!
    await page.getByTestId(`assign-${ticket.id}`).click()
    await page.getByTestId(`ticket-owner-${ticket.id}`).filter({ hasText: '陈静' }).waitFor()
    const owner = await rig.one<{ username: string }>(sql`
      select o.username from chat_tickets t join operators o on o.id = t.operator_id where t.id = ${ticket.id}`)
    expect(owner.username).toBe('chenjing')

    await page.getByTestId(`note-${ticket.id}`).click()
    const note = page.getByTestId('note-modal')
    await note.getByRole('textbox').fill('已电话联系，明天补发')
    await note.getByRole('button', { name: '保存' }).click()
    await note.waitFor({ state: 'hidden' })
    const history = await rig.one<{ last: { text: string; note: boolean } }>(
      sql`select messages->-1 as last from chat_tickets where id = ${ticket.id}`,
    )
    expect(history.last).toMatchObject({ text: '已电话联系，明天补发', note: true })

    await page.getByTestId(`resolve-${ticket.id}`).click()
    const modal = page.getByTestId('resolve-modal')
    await modal.getByRole('button', { name: '关闭工单' }).click()
    const error = modal.locator('.ant-form-item-explain-error')
    await error.waitFor()
    expect(await error.innerText()).toBe('请填写处理结果')
    await modal.getByLabel('处理结果').fill('已补发快递并致歉')
    await modal.getByRole('button', { name: '关闭工单' }).click()
    await modal.waitFor({ state: 'hidden' })
    await page.getByTestId(`ticket-opening-${ticket.id}`).waitFor({ state: 'detached' })
    const row = await rig.one<{ status: string; resolution: string }>(
      sql`select status, resolution from chat_tickets where id = ${ticket.id}`,
    )
    expect(row).toEqual({ status: 'resolved', resolution: '已补发快递并致歉' })

    await page.getByTestId('ticket-status').getByText('已处理').click()
    await page.waitForURL((u) => u.searchParams.get('status') === 'resolved')
    await page.getByTestId(`ticket-opening-${ticket.id}`).waitFor()
  })
})
