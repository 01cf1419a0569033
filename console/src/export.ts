// Saving a segment export: the server writes the CSV (Chinese headers and values); XLSX is the same
// table turned into a workbook in the browser, loaded only when asked for.
import { download, saveFile } from './api/client'

export type ExportFormat = 'csv' | 'xlsx'

export async function exportTable(
  path: string,
  format: ExportFormat,
  init: { method?: string; body?: unknown } = {},
): Promise<string> {
  const { text, fileName } = await download(path, init)
  if (format === 'csv') {
    saveFile(new Blob([text], { type: 'text/csv;charset=utf-8' }), fileName)
    return fileName
  }
  const [{ parse }, ExcelJS] = await Promise.all([import('csv-parse/browser/esm/sync'), import('exceljs')])
  const rows = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('会员')
  for (const row of rows) sheet.addRow(row)
  sheet.getRow(1).font = { bold: true }
  const buffer = await workbook.xlsx.writeBuffer()
  const name = fileName.replace(/\.csv$/i, '') + '.xlsx'
  saveFile(
    new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
    name,
  )
  return name
}
