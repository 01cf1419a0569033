import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { count, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { pointsEntries, pointsImports } from '../db/schema/loyalty'
import { importPoints } from './import'
import { grantPoints, pointsBalance } from './ledger'

let database: Database
const at = new Date('2026-06-01T04:00:00Z')
const phones: string[] = []
const ids: number[] = []

beforeAll(async () => {
  database = await testDatabase()
  for (let i = 0; i < 3; i++) {
    const phone = `1370000${String(1000 + i)}`
    const m = await makeMember(database.db, { identities: [{ kind: 'phone', value: phone }] })
    phones.push(phone)
    ids.push(m.id)
  }
  await grantPoints(database.db, {
    memberId: ids[2]!,
    amount: 50,
    sourceKey: 'seed-50',
    reason: 'x',
    at,
    expiresAt: null,
  })
})
afterAll(async () => {
  await database.close()
})

const csv = (lines: string[]) => Buffer.from(['手机号,积分,原因,到期日', ...lines].join('\n'))
const entryCount = async () => (await database.db.select({ n: count() }).from(pointsEntries))[0]!.n

describe('bulk points import', () => {
  it('a file with one bad row imports nothing and names the row and why', async () => {
    const before = await entryCount()
    const result = await importPoints(
      database.db,
      {
        fileName: 'carry-over.csv',
        content: csv([
          `${phones[0]},100,老会员积分迁移,`,
          `${phones[1]},2O0,,`,
          `${phones[2]},30,,2027-12-31`,
        ]),
      },
      at,
    )
    expect(result).toEqual({
      ok: false,
      rows: 3,
      rejected: [{ row: 3, phone: '137****1001', reason: '积分「2O0」应为非零整数（绝对值不超过 1000000）' }],
    })
    expect(await entryCount()).toBe(before)
    expect(await pointsBalance(database.db, ids[0]!, at)).toBe(0)
  })

  it('reports every bad row at once: unknown phone, bad phone, past date, overdrawn deduction', async () => {
    const result = await importPoints(
      database.db,
      {
        fileName: 'many.csv',
        content: csv([
          `${phones[0]},10,,`,
          '13912345678,10,,',
          '1234,10,,',
          `${phones[1]},10,,2020-01-01`,
          `${phones[2]},-80,纠正,`,
          `${phones[1]},5,,2026-02-30`,
        ]),
      },
      at,
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.rejected.map((r) => [r.row, r.reason])).toEqual([
      [3, '手机号未注册会员'],
      [4, '手机号格式不正确'],
      [5, '到期日 2020-01-01 已过'],
      [6, '积分余额不足：扣减后为 -30'],
      [7, '到期日「2026-02-30」格式应为 YYYY-MM-DD'],
    ])
  })

  it('a good file imports every row in one go, with its dates, and never twice', async () => {
    const content = csv([
      `${phones[0]},100,老会员积分迁移,`,
      `${phones[1]},200,,2027-12-31`,
      `${phones[2]},-20,纠正多发,`,
      `${phones[2]},5,,`,
    ])
    const result = await importPoints(database.db, { fileName: 'ok.csv', content }, at)
    expect(result).toMatchObject({ ok: true, rows: 4, members: 3, totalPoints: 285 })
    expect(await pointsBalance(database.db, ids[0]!, at)).toBe(100)
    expect(await pointsBalance(database.db, ids[1]!, at)).toBe(200)
    expect(await pointsBalance(database.db, ids[2]!, at)).toBe(35)
    const [dated] = await database.db.select().from(pointsEntries).where(eq(pointsEntries.memberId, ids[1]!))
    expect(dated!.expiresAt).toEqual(new Date('2027-12-31T16:00:00Z'))
    await expect(importPoints(database.db, { fileName: 'ok-again.csv', content }, at)).rejects.toMatchObject({
      code: 'import_duplicate',
      status: 409,
    })
    expect((await database.db.select({ n: count() }).from(pointsImports))[0]!.n).toBe(1)
  })

  it('reads Excel workbooks (phone numbers stored as numbers, dates as dates) with the same checks', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('积分')
    sheet.addRow(['手机号', '积分', '到期日'])
    sheet.addRow([Number(phones[0]), 7, new Date('2027-06-30T00:00:00+08:00')])
    sheet.addRow([Number(phones[1]), 0, null])
    const bad = Buffer.from(await book.xlsx.writeBuffer())
    const rejected = await importPoints(database.db, { fileName: 'points.xlsx', content: bad }, at)
    expect(rejected).toMatchObject({
      ok: false,
      rejected: [{ row: 3, reason: expect.stringContaining('非零整数') }],
    })

    sheet.getRow(3).getCell(2).value = 3
    const good = Buffer.from(await book.xlsx.writeBuffer())
    expect(await importPoints(database.db, { fileName: 'points.xlsx', content: good }, at)).toMatchObject({
      ok: true,
      totalPoints: 10,
    })
    expect(await pointsBalance(database.db, ids[0]!, at)).toBe(107)
  })

  it('refuses a file without the phone and points columns', async () => {
    await expect(
      importPoints(database.db, { fileName: 'x.csv', content: Buffer.from('name,score\n张三,1\n') }, at),
    ).rejects.toMatchObject({ code: 'import_header_missing', status: 400 })
  })
})
