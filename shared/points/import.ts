// Bulk import of points by phone number from a CSV or Excel file (e.g. points carried over from an old
// CRM or a store's paper cards). All or nothing: every row is checked first and, if any is wrong, the
// answer names every rejected row and why, and nothing is imported. A file is imported once.
import { createHash } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
import { DomainError } from '../errors'
import { memberIdentities, members } from '../db/schema/members'
import { pointsImports } from '../db/schema/loyalty'
import { grantPoints, pointsBalance, spendIn } from './ledger'
import { grantExpiry, loadPointsPolicy } from './policy'

export const MAX_IMPORT_ROWS = 50_000

export interface ImportRow {
  /** The row number as the operator sees it in the file (the header is row 1). */
  row: number
  phone: string
  points: string
  reason: string
  expiresOn: string
}

export interface RejectedRow {
  row: number
  phone: string
  reason: string
}

export type ImportResult =
  | { ok: true; importId: number; rows: number; members: number; totalPoints: number }
  | { ok: false; rows: number; rejected: RejectedRow[] }

const headerAliases: Record<keyof Omit<ImportRow, 'row'>, string[]> = {
  phone: ['phone', 'mobile', '手机号', '手机', '手机号码'],
  points: ['points', '积分', '积分数', '积分数量'],
  reason: ['reason', 'note', '原因', '备注', '说明'],
  expiresOn: ['expires', 'expires_on', 'expireson', '到期日', '有效期至', '过期日期'],
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return new Date(v.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
  if (typeof v === 'object') {
    const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[] }
    if (o.richText)
      return o.richText
        .map((r) => r.text)
        .join('')
        .trim()
    if (o.text !== undefined) return cellText(o.text)
    if (o.result !== undefined) return cellText(o.result)
  }
  return String(v).trim()
}

function toRows(table: { row: number; cells: unknown[] }[]): ImportRow[] {
  const [header, ...body] = table
  if (!header) throw new DomainError('import_empty', '文件为空', 400)
  const names = header.cells.map((c) => cellText(c).toLowerCase().replace(/\s+/g, ''))
  const col = (key: keyof typeof headerAliases) => names.findIndex((n) => headerAliases[key].includes(n))
  const cols = {
    phone: col('phone'),
    points: col('points'),
    reason: col('reason'),
    expiresOn: col('expiresOn'),
  }
  if (cols.phone < 0 || cols.points < 0)
    throw new DomainError('import_header_missing', '表头必须包含「手机号」和「积分」两列', 400, [
      { path: 'file', message: '第 1 行应为表头：手机号, 积分[, 原因][, 到期日]' },
    ])
  const at = (cells: unknown[], i: number) => (i < 0 ? '' : cellText(cells[i]))
  return body
    .filter((r) => r.cells.some((c) => cellText(c) !== ''))
    .map((r) => ({
      row: r.row,
      phone: at(r.cells, cols.phone),
      points: at(r.cells, cols.points),
      reason: at(r.cells, cols.reason),
      expiresOn: at(r.cells, cols.expiresOn),
    }))
}

/** Read the rows of a CSV (UTF-8, with or without BOM) or an .xlsx workbook's first sheet. */
export async function readImportFile(fileName: string, content: Buffer): Promise<ImportRow[]> {
  const isXlsx = /\.xlsx$/i.test(fileName) || (content[0] === 0x50 && content[1] === 0x4b)
  let table: { row: number; cells: unknown[] }[]
  if (isXlsx) {
    const book = new ExcelJS.Workbook()
    try {
      await book.xlsx.load(content as unknown as ArrayBuffer)
    } catch {
      throw new DomainError('import_unreadable', '无法读取 Excel 文件，请另存为 .xlsx 后重试', 400)
    }
    const sheet = book.worksheets[0]
    if (!sheet) throw new DomainError('import_empty', '文件为空', 400)
    table = []
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      table.push({ row: rowNumber, cells: (row.values as unknown[]).slice(1) })
    })
  } else {
    try {
      const records = parse(content, {
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        info: true,
      }) as unknown as {
        record: string[]
        info: { lines: number }
      }[]
      table = records.map((r) => ({ row: r.info.lines, cells: r.record }))
    } catch (err) {
      throw new DomainError('import_unreadable', `无法读取 CSV 文件：${(err as Error).message}`, 400)
    }
  }
  const rows = toRows(table)
  if (rows.length === 0) throw new DomainError('import_empty', '文件中没有数据行', 400)
  if (rows.length > MAX_IMPORT_ROWS)
    throw new DomainError('import_too_large', `单个文件最多 ${MAX_IMPORT_ROWS} 行，请拆分后导入`, 400)
  return rows
}

const PHONE = /^1[3-9]\d{9}$/
const mask = (phone: string) => (PHONE.test(phone) ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone)

/** End of a YYYY-MM-DD day in Asia/Shanghai. */
function endOfDay(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null
  const t = Date.parse(`${day}T00:00:00Z`)
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) return null
  return new Date(t + 86_400_000 - SHANGHAI_OFFSET_MS)
}

/**
 * Check every row, then apply them all in one transaction — or none. Positive rows are grants (with
 * the row's expiry date, else the points policy's); negative rows deduct (never below zero).
 */
export async function importPoints(
  db: Db,
  input: { fileName: string; content: Buffer; operatorId?: number },
  at: Date,
): Promise<ImportResult> {
  const contentHash = createHash('sha256').update(input.content).digest('hex')
  const [done] = await db.select().from(pointsImports).where(eq(pointsImports.contentHash, contentHash))
  if (done)
    throw new DomainError(
      'import_duplicate',
      `该文件已于 ${done.createdAt.toISOString().slice(0, 10)} 导入过，未重复导入`,
      409,
    )
  const rows = await readImportFile(input.fileName, input.content)
  const rejected: RejectedRow[] = []
  const reject = (r: ImportRow, reason: string) => rejected.push({ row: r.row, phone: mask(r.phone), reason })

  const phones = [...new Set(rows.map((r) => r.phone).filter((p) => PHONE.test(p)))]
  const owners = new Map<string, number>()
  for (let i = 0; i < phones.length; i += 1000) {
    const found = await db
      .select({ value: memberIdentities.value, memberId: memberIdentities.memberId })
      .from(memberIdentities)
      .innerJoin(members, eq(members.id, memberIdentities.memberId))
      .where(
        and(eq(memberIdentities.kind, 'phone'), inArray(memberIdentities.value, phones.slice(i, i + 1000))),
      )
    for (const f of found) owners.set(f.value, f.memberId)
  }
  const valid: { r: ImportRow; memberId: number; points: number; expiresAt: Date | null | undefined }[] = []
  for (const r of rows) {
    if (!PHONE.test(r.phone)) {
      reject(r, r.phone ? '手机号格式不正确' : '缺少手机号')
      continue
    }
    const memberId = owners.get(r.phone)
    if (!memberId) {
      reject(r, '手机号未注册会员')
      continue
    }
    if (!/^-?\d+$/.test(r.points) || Number(r.points) === 0 || Math.abs(Number(r.points)) > 1_000_000) {
      reject(r, r.points ? `积分「${r.points}」应为非零整数（绝对值不超过 1000000）` : '缺少积分')
      continue
    }
    let expiresAt: Date | null | undefined
    if (r.expiresOn) {
      expiresAt = endOfDay(r.expiresOn)
      if (!expiresAt) {
        reject(r, `到期日「${r.expiresOn}」格式应为 YYYY-MM-DD`)
        continue
      }
      if (expiresAt <= at) {
        reject(r, `到期日 ${r.expiresOn} 已过`)
        continue
      }
    }
    if (r.reason.length > 100) {
      reject(r, '原因不能超过 100 个字')
      continue
    }
    valid.push({ r, memberId, points: Number(r.points), expiresAt })
  }

  // Deductions must be covered by the member's balance plus what this file grants them.
  const net = new Map<number, number>()
  for (const v of valid) net.set(v.memberId, (net.get(v.memberId) ?? 0) + v.points)
  const debtors = [...net].filter(([, n]) => n < 0).map(([id]) => id)
  if (debtors.length) {
    const balanceOf = new Map<number, number>()
    for (const id of debtors) balanceOf.set(id, await pointsBalance(db, id, at))
    for (const v of valid) {
      const left = (balanceOf.get(v.memberId) ?? 0) + net.get(v.memberId)!
      if (v.points < 0 && left < 0) reject(v.r, `积分余额不足：扣减后为 ${left}`)
    }
  }
  if (rejected.length)
    return { ok: false, rows: rows.length, rejected: rejected.sort((a, b) => a.row - b.row) }

  const policy = await loadPointsPolicy(db)
  const totalPoints = valid.reduce((s, v) => s + v.points, 0)
  // Grants before deductions, so a member's deduction can use what the same file grants.
  const ordered = [...valid].sort((a, b) => Number(a.points < 0) - Number(b.points < 0) || a.r.row - b.r.row)
  return db.transaction(async (tx) => {
    const [imp] = await tx
      .insert(pointsImports)
      .values({
        fileName: input.fileName,
        contentHash,
        operatorId: input.operatorId,
        rowCount: rows.length,
        totalPoints,
        createdAt: at,
      })
      .returning()
    for (const v of ordered) {
      const sourceKey = `import:${imp!.id}:${v.r.row}`
      const reason = v.r.reason || `批量导入（${input.fileName}）`
      if (v.points > 0)
        await grantPoints(tx, {
          memberId: v.memberId,
          amount: v.points,
          sourceKey,
          reason,
          at,
          expiresAt: v.expiresAt === undefined ? grantExpiry(policy, at) : v.expiresAt,
          kind: 'adjust',
        })
      else
        await spendIn(tx, { memberId: v.memberId, amount: -v.points, sourceKey, reason, at, kind: 'adjust' })
    }
    return { ok: true as const, importId: imp!.id, rows: rows.length, members: net.size, totalPoints }
  })
}
