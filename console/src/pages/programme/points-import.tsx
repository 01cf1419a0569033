// 批量导入积分: a CSV or Excel file with 手机号 and 积分 (and optionally 原因, 到期日), one member a
// row, negative to deduct. The server checks every row first: one bad row and nothing is written, and
// each bad row is listed by its number; a good file is applied at once, and the same file never twice.
import { useState } from 'react'
import { Alert, App, Button, Card, List, Space, Typography, Upload } from 'antd'
import { UploadOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, type Answer, type FieldProblem } from '../../api'
import { formatCount } from '../../format'

type Imported = Answer<'/points/imports', 'post'>

function base64Of(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function PointsImport({ onImported }: { onImported: () => void }) {
  const { modal } = App.useApp()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<Imported | null>(null)
  const [refused, setRefused] = useState<{ message: string; rows: FieldProblem[] } | null>(null)

  const run = async () => {
    if (!file) return
    setBusy(true)
    setDone(null)
    setRefused(null)
    try {
      const contentBase64 = base64Of(new Uint8Array(await file.arrayBuffer()))
      const result = await apiRequest<Imported>('/points/imports', {
        method: 'POST',
        body: { fileName: file.name, contentBase64 },
      })
      setDone(result)
      setFile(null)
      onImported()
    } catch (err) {
      const e = asApiError(err)
      setRefused({ message: e.message, rows: e.fields })
    } finally {
      setBusy(false)
    }
  }

  const confirm = () =>
    modal.confirm({
      title: `导入「${file?.name}」中的积分？`,
      content: '文件中的每一行都会先经过检查，有任何错误则不导入任何积分。',
      okText: '导入',
      cancelText: '取消',
      onOk: run,
    })

  return (
    <Card title="批量导入积分" size="small" data-testid="points-import">
      <Typography.Paragraph type="secondary">
        支持 CSV 或
        Excel（.xlsx）。第一行为表头，须含「手机号」「积分」，可含「原因」「到期日」（YYYY-MM-DD）；负数表示扣减。同一文件只能导入一次。
      </Typography.Paragraph>
      <Space wrap>
        <Upload
          accept=".csv,.xlsx"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(f) => {
            setFile(f)
            setDone(null)
            setRefused(null)
            return false
          }}
        >
          <Button icon={<UploadOutlined />}>选择文件</Button>
        </Upload>
        <Typography.Text data-testid="import-file">{file ? file.name : '未选择文件'}</Typography.Text>
        <Button type="primary" disabled={!file} loading={busy} onClick={confirm}>
          导入
        </Button>
      </Space>
      {done && (
        <Alert
          style={{ marginTop: 12 }}
          type="success"
          showIcon
          data-testid="import-result"
          title={`已导入 ${formatCount(done.rows)} 行：${formatCount(done.members)} 位会员，合计 ${formatCount(done.totalPoints)} 积分`}
        />
      )}
      {refused && (
        <Alert
          style={{ marginTop: 12 }}
          type="error"
          showIcon
          data-testid="import-problems"
          title={refused.message}
          description={
            refused.rows.length > 0 && (
              <List
                size="small"
                dataSource={refused.rows}
                pagination={refused.rows.length > 20 ? { pageSize: 20, size: 'small' } : false}
                renderItem={(p) => <List.Item>{p.message}</List.Item>}
              />
            )
          }
        />
      )}
    </Card>
  )
}
