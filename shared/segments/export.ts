// A segment exported for operators: CSV (UTF-8 with a byte-order mark, formulas made inert) or an Excel
// workbook (numbers stay numbers, text stays text), streamed in pages so a large segment never sits in
// memory at once.
import type { Writable } from 'node:stream'
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import type { Db } from '../db/client'
import { shanghaiDate } from '../clock'
import { repurchaserAdvice, stageNames } from '../members/labels'
import { compileContext, parseSegmentFilter, type SegmentFilterInput } from './filter'
import { pageOf, presentMember } from './segments'

const csvColumns = [
  ['memberNo', '会员号'],
  ['name', '姓名'],
  ['nickname', '昵称'],
  ['gender', '性别'],
  ['city', '城市'],
  ['stage', '阶段'],
  ['repurchaserKind', '复购类型'],
  ['paidOrders', '购买次数'],
  ['spendYuan', '累计消费（元）'],
  ['lastPaidAt', '最近购买（北京时间）'],
  ['lastSeenAt', '最近互动（北京时间）'],
] as const

const shanghai = (isoAt: string | null) =>
  isoAt ? new Date(new Date(isoAt).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : ''

/** The export's rows in pages of 5,000 members, so a large segment never sits in memory at once. */
async function* segmentExportPages(
  db: Db,
  filter: SegmentFilterInput,
  at: Date,
): AsyncGenerator<(string | number)[][]> {
  const parsed = parseSegmentFilter(filter)
  const ctx = await compileContext(db, parsed, at)
  let afterId = 0
  for (;;) {
    const rows = await pageOf(db, parsed, ctx, afterId, 5000)
    if (rows.length === 0) return
    yield rows
      .map(presentMember)
      .map((m) => [
        m.memberNo,
        m.name ?? '',
        m.nickname ?? '',
        { male: '男', female: '女', unknown: '未知' }[m.gender] ?? m.gender,
        m.city ?? '',
        stageNames[m.stage as keyof typeof stageNames] ?? m.stage,
        m.repurchaserKind
          ? (repurchaserAdvice[m.repurchaserKind as keyof typeof repurchaserAdvice]?.name ??
            m.repurchaserKind)
          : '',
        m.paidOrders,
        m.spendFen / 100,
        shanghai(m.lastPaidAt),
        shanghai(m.lastSeenAt),
      ])
    afterId = Number(rows[rows.length - 1]!.id)
  }
}

const exportHeader = csvColumns.map(([, title]) => title)
const SPEND_COLUMN = csvColumns.findIndex(([key]) => key === 'spendYuan')

/** The segment as CSV, UTF-8 with a byte-order mark so Excel opens the Chinese correctly. */
export async function* exportSegmentCsv(
  db: Db,
  filter: SegmentFilterInput,
  at: Date,
): AsyncGenerator<string> {
  yield '\uFEFF' + stringify([exportHeader])
  // A cell beginning with = + - @, a tab or CR would run as a formula in Excel: it is prefixed with '.
  const csv = { escape_formulas: true }
  for await (const page of segmentExportPages(db, filter, at)) {
    yield stringify(
      page.map((row) => row.map((cell, i) => (i === SPEND_COLUMN ? (cell as number).toFixed(2) : cell))),
      csv,
    )
  }
}

/**
 * The segment as an Excel workbook streamed into `out`: counts and amounts are numbers, text cells are
 * stored as text (never as formulas, so a nickname like `=HYPERLINK(…)` stays inert).
 */
export async function exportSegmentXlsx(
  db: Db,
  filter: SegmentFilterInput,
  at: Date,
  out: Writable,
): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false })
  const sheet = book.addWorksheet('会员')
  sheet.columns = exportHeader.map((header) => ({ header, width: Math.max(10, header.length * 2 + 2) }))
  sheet.getColumn(SPEND_COLUMN + 1).numFmt = '0.00'
  for await (const page of segmentExportPages(db, filter, at)) {
    for (const row of page) sheet.addRow(row).commit()
  }
  sheet.commit()
  await book.commit()
}

/** Today in Asia/Shanghai, for file names. */
export const exportFileName = (name: string, at: Date, format: ExportFormat = 'csv') =>
  `${name}-${shanghaiDate(at)}.${format}`

/** The file formats a segment exports to. */
export const exportFormats = ['csv', 'xlsx'] as const
export type ExportFormat = (typeof exportFormats)[number]
