// Back-filling store purchases from a POS export (CSV). All or nothing: every row is checked first —
// the store, the member, the amount, the time, the receipt number — and if any is wrong the answer names
// each bad row and field and nothing is recorded; otherwise every row is recorded in one transaction.
// Receipts recorded before are idempotent (counted as duplicates), so a file can be imported again.
import { parse } from 'csv-parse/sync'
import type { Db } from '../db/client'
import { SHANGHAI_OFFSET_MS } from '../clock'
import { findMemberAtTill, listStores, receiptNoSchema, recordStorePurchase } from './purchases'

export const MAX_POS_ROWS = 5_000

export interface PosRejection {
  /** The row as the operator sees it in the file (the header is row 1). */
  row: number
  field: string
  reason: string
}

export type PosImportResult =
  | { ok: true; rows: number; recorded: number; duplicates: number; amountFen: number }
  | { ok: false; rows: number; rejected: PosRejection[] }

const headers: Record<string, string[]> = {
  receiptNo: ['receipt_no', 'receipt', '小票号', '单号', '流水号'],
  store: ['store', '门店'],
  code: ['card', 'member_no', '会员卡号', '会员号'],
  phone: ['phone', 'mobile', '手机号', '手机'],
  amount: ['amount', '金额', '实收金额', '消费金额'],
  purchasedAt: ['purchased_at', 'time', '消费时间', '时间'],
}

/** Yuan as written in a POS export ("199", "199.5", "1,299.00") → fen; null if it is not an amount. */
export function yuanToFen(text: string): number | null {
  const t = text.replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null
  const [yuan, fen = ''] = t.split('.')
  return Number(yuan) * 100 + Number(fen.padEnd(2, '0'))
}

/** "2026-11-11 14:30[:05]" in Asia/Shanghai (as tills print it), or an ISO time with its offset. */
export function posTime(text: string): Date | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim())
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = m
    const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s) - SHANGHAI_OFFSET_MS
    const date = new Date(ms)
    return Number.isNaN(ms) || new Date(ms + SHANGHAI_OFFSET_MS).getUTCDate() !== +d! ? null : date
  }
  const iso = new Date(text)
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) && !Number.isNaN(iso.getTime()) ? iso : null
}

export async function importPosPurchases(
  db: Db,
  input: { content: Buffer; recordedBy: string },
  at: Date,
): Promise<PosImportResult> {
  let records: string[][]
  try {
    records = parse(input.content, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    })
  } catch (err) {
    return {
      ok: false,
      rows: 0,
      rejected: [{ row: 1, field: 'file', reason: `无法读取 CSV：${(err as Error).message}` }],
    }
  }
  const [head, ...body] = records
  const columns = (head ?? []).map((h) => h.toLowerCase())
  const col = (key: string) => columns.findIndex((c) => headers[key]!.includes(c))
  const index = Object.fromEntries(Object.keys(headers).map((k) => [k, col(k)]))
  const rejected: PosRejection[] = []
  for (const key of ['receiptNo', 'store', 'amount', 'purchasedAt'])
    if (index[key]! < 0)
      rejected.push({ row: 1, field: key, reason: `缺少「${headers[key]![2] ?? headers[key]![0]}」列` })
  if (index.code! < 0 && index.phone! < 0)
    rejected.push({ row: 1, field: 'phone', reason: '缺少「会员卡号」或「手机号」列' })
  if (body.length > MAX_POS_ROWS)
    rejected.push({ row: 1, field: 'file', reason: `一次最多导入 ${MAX_POS_ROWS} 行` })
  if (rejected.length) return { ok: false, rows: body.length, rejected }

  const storesByName = new Map((await listStores(db)).map((s) => [s.name, s.id]))
  const seen = new Set<string>()
  const rows: Parameters<typeof recordStorePurchase>[1][] = []
  for (const [i, cells] of body.entries()) {
    const row = i + 2
    const cell = (key: string) => (index[key]! >= 0 ? (cells[index[key]!] ?? '').trim() : '')
    const bad = (field: string, reason: string) => rejected.push({ row, field, reason })
    const receipt = receiptNoSchema.safeParse(cell('receiptNo'))
    if (!receipt.success) bad('receiptNo', '小票号为空或格式不正确')
    const storeId = storesByName.get(cell('store'))
    if (!storeId) bad('store', `门店「${cell('store')}」不存在`)
    const amountFen = yuanToFen(cell('amount'))
    if (!amountFen) bad('amount', `金额「${cell('amount')}」不正确`)
    const purchasedAt = posTime(cell('purchasedAt'))
    if (!purchasedAt) bad('purchasedAt', `消费时间「${cell('purchasedAt')}」不正确`)
    else if (purchasedAt > at) bad('purchasedAt', '消费时间晚于现在')
    const code = cell('code')
    const phone = cell('phone')
    const member =
      code || phone
        ? await findMemberAtTill(db, { ...(code ? { code } : {}), ...(phone ? { phone } : {}) })
        : null
    if (!member)
      bad(code ? 'code' : 'phone', code || phone ? `找不到会员「${code || phone}」` : '缺少会员卡号或手机号')
    const key = `${storeId}:${cell('receiptNo')}`
    if (storeId && receipt.success && seen.has(key))
      bad('receiptNo', `小票号 ${cell('receiptNo')} 在文件中重复`)
    seen.add(key)
    if (storeId && receipt.success && amountFen && purchasedAt && member)
      rows.push({
        storeId,
        receiptNo: receipt.data,
        member: { code: member.memberNo },
        amountFen,
        purchasedAt,
      })
  }
  if (rejected.length) return { ok: false, rows: body.length, rejected }

  return db.transaction(async (tx) => {
    let recorded = 0
    let duplicates = 0
    let amountFen = 0
    for (const r of rows) {
      const result = await recordStorePurchase(tx as unknown as Db, r, {
        recordedBy: input.recordedBy,
        source: 'import',
        at,
      })
      if (result.duplicate) duplicates++
      else {
        recorded++
        amountFen += result.purchase.amountFen
      }
    }
    return { ok: true as const, rows: rows.length, recorded, duplicates, amountFen }
  })
}
