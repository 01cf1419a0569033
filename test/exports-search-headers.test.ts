// Exports that cannot run formulas and speak Chinese, a timeline that shows campaign deliveries and
// stages by name, searches that match what was typed, and the security headers every response carries.
import { parse } from 'csv-parse/sync'
import { sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, operatorToken } from './support/factories'
import { makeProduct } from './support/store'
import { makeAccounts } from './support/chat'

let database: Database
let app: TestApp
let admin: string

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  admin = await operatorToken(database.db, 'admin')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('segment CSV export', () => {
  it('escapes cells that would run as formulas, and writes stages in Chinese', async () => {
    const city = `公式城${process.pid}`
    // (Leading tabs and CRs are escaped too, but profiles trim them before they are stored.)
    const hostile = ['=HYPERLINK("http://x","点我")', '@SUM(A1)', '+1', '-2']
    for (const nickname of hostile) await makeMember(database.db, { name: '导出', nickname, city })
    const res = await app.request('POST', '/api/admin/segments/export', {
      token: admin,
      body: { filter: { conditions: [{ field: 'city', in: [city] }] } },
    })
    expect(res.status).toBe(200)
    const rows = parse(res.text.replace(/^\uFEFF/, ''), { relax_quotes: true }) as string[][]
    const nicknames = rows.slice(1).map((r) => r[2]!)
    expect(nicknames.sort()).toEqual(hostile.map((n) => `'${n}`).sort())
    expect(rows.slice(1).map((r) => r[5])).toEqual(hostile.map(() => '陌生人'))
  })

  it('writes the repurchaser kind by its Chinese name', async () => {
    const city = `复购城${process.pid}`
    const member = await makeMember(database.db, { name: '复购', city })
    await database.db.execute(
      sql`update members set stage = 'repurchaser', repurchaser_kind = 'ignitable' where id = ${member.id}`,
    )
    const res = await app.request('POST', '/api/admin/segments/export', {
      token: admin,
      body: { filter: { conditions: [{ field: 'city', in: [city] }] } },
    })
    const rows = parse(res.text.replace(/^\uFEFF/, '')) as string[][]
    expect(rows[0]![6]).toBe('复购类型')
    expect(rows.slice(1).map((r) => [r[5], r[6]])).toEqual([['复购客户', '可燃型']])
  })
})

describe('segment Excel export', () => {
  it('stores hostile nicknames as inert text, stages in Chinese and figures as numbers', async () => {
    const city = `表格城${process.pid}`
    const hostile = ['=HYPERLINK("http://x","点我")', '@SUM(A1)']
    for (const nickname of hostile) await makeMember(database.db, { name: '导出', nickname, city })
    const filter = { conditions: [{ field: 'city', in: [city] }] }
    const res = await fetch(`${app.url}/api/admin/segments/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter, name: '表格', format: 'xlsx' }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('spreadsheetml')
    expect(res.headers.get('content-disposition')).toMatch(/\.xlsx$/)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(await res.arrayBuffer())
    const sheet = book.worksheets[0]!
    const cells = [2, 3].map((n) => sheet.getRow(n).getCell(3))
    expect(cells.map((c) => c.type)).toEqual([ExcelJS.ValueType.String, ExcelJS.ValueType.String])
    expect(cells.map((c) => c.value).sort()).toEqual([...hostile].sort())
    expect(sheet.getRow(2).getCell(6).value).toBe('陌生人')
    expect(sheet.getRow(2).getCell(8).type).toBe(ExcelJS.ValueType.Number)
  })

  it('refuses an unknown format on its field', async () => {
    const res = await app.request('POST', '/api/admin/segments/export', {
      token: admin,
      body: { filter: { conditions: [] }, format: 'pdf' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.format')
    const ready = await app.request('GET', '/api/admin/segments/ready-made/very_active/export?format=doc', {
      token: admin,
    })
    expect(ready.status).toBe(400)
  })
})

describe('the member timeline', () => {
  it('shows a delivered campaign message, and stage changes by their Chinese names', async () => {
    const member = await makeMember(database.db)
    const [account] = await makeAccounts(database, 1)
    await database.db.execute(sql`
      insert into outbound_messages (account_id, dedupe_key, member_id, kind, text, source, status, sent_at)
      values (${account!.id}, ${`t-${member.id}`}, ${member.id}, 'direct', '双十一会员专享：满 300 减 50', 'campaign',
              'sent', now() - interval '1 hour')`)
    await database.db.execute(sql`
      insert into member_stage_changes (member_id, from_stage, to_stage, changed_at)
      values (${member.id}, 'intention', 'customer', now() - interval '2 hours')`)
    const res = await app.request('GET', `/api/admin/members/${member.id}/timeline`, { token: admin })
    expect(res.status).toBe(200)
    const summaries = res.body.items.map((i: { summary: string }) => i.summary)
    expect(summaries).toContain('收到活动消息：双十一会员专享：满 300 减 50')
    expect(summaries).toContain('阶段变化：意向用户 → 首购客户')
  })
})

describe('searches', () => {
  it('a % or _ in the product or order search matches itself, not everything', async () => {
    await makeProduct(database.db, { title: '玻尿酸面膜' })
    const all = await app.request('GET', '/api/admin/products', { token: admin })
    expect(all.body.total ?? all.body.items.length).toBeGreaterThan(0)
    for (const q of ['%', '_', '\\']) {
      const products = await app.request('GET', `/api/admin/products?q=${encodeURIComponent(q)}`, {
        token: admin,
      })
      expect(products.status, q).toBe(200)
      expect(products.body.items, q).toEqual([])
      const orders = await app.request('GET', `/api/admin/orders?q=${encodeURIComponent(q)}`, {
        token: admin,
      })
      expect(orders.status, q).toBe(200)
      expect(orders.body.items, q).toEqual([])
    }
  })
})

describe('security headers', () => {
  it('the console and the API carry a CSP, no framing and a referrer policy; HSTS only over TLS', async () => {
    for (const path of ['/healthz', '/console/', '/api/admin/me']) {
      const res = await app.request('GET', path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("default-src 'self'")
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).toContain("script-src 'self'")
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN')
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin')
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('strict-transport-security'), path).toBeNull()
    }
    const tls = await app.request('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } })
    expect(tls.headers.get('strict-transport-security')).toMatch(/max-age=\d+; includeSubDomains/)
  })
})
