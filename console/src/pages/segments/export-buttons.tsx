// 导出 CSV / 导出 Excel for a segment: one download at a time, the file's name confirmed when it is
// saved, and the server's refusal shown when it fails.
import { useState } from 'react'
import { App, Button } from 'antd'
import { DownloadOutlined, FileExcelOutlined } from '@ant-design/icons'
import { asApiError } from '../../api'
import type { ExportFormat } from './segment-api'

export function ExportButtons({ download }: { download: (format: ExportFormat) => Promise<string> }) {
  const { message } = App.useApp()
  const [exporting, setExporting] = useState<ExportFormat | null>(null)
  const run = async (format: ExportFormat) => {
    setExporting(format)
    try {
      void message.success(`已导出 ${await download(format)}`)
    } catch (err) {
      void message.error(asApiError(err, '导出失败，请稍后重试').message)
    } finally {
      setExporting(null)
    }
  }
  return (
    <>
      <Button
        icon={<DownloadOutlined />}
        loading={exporting === 'csv'}
        disabled={exporting !== null}
        onClick={() => void run('csv')}
      >
        导出 CSV
      </Button>
      <Button
        icon={<FileExcelOutlined />}
        loading={exporting === 'xlsx'}
        disabled={exporting !== null}
        onClick={() => void run('xlsx')}
      >
        导出 Excel
      </Button>
    </>
  )
}
