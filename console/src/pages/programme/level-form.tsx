// 修改等级: a level's name, annual fee (元, sent in fen), spend threshold, points multiplier and the
// benefits it grants with their quota per period. The server's refusals land on their fields.
import { useState } from 'react'
import { Alert, Button, Form, Input, InputNumber, Modal, Select, Space } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { ApiError, apiRequest, asApiError, fieldErrors, useApi, type Answer, type Body } from '../../api'
import { clearServerErrors } from './form-errors'

type Level = Answer<'/tiers'>[number]['levels'][number]

interface LevelFields {
  name?: string
  feeYuan?: number | null
  thresholdYuan?: number | null
  multiplier?: number | null
  benefits?: { code?: string; quota?: number | null }[]
}

const names = ['name', 'feeYuan', 'thresholdYuan', 'multiplier'] as const
const serverPath: Record<string, string> = {
  annualFeeFen: 'feeYuan',
  threshold: 'thresholdYuan',
  pointsMultiplierPct: 'multiplier',
}
const fen = (y: number | null | undefined) =>
  y === null || y === undefined ? undefined : Math.round(y * 100)

export function LevelForm({
  ladderCode,
  level,
  onClose,
  onSaved,
}: {
  ladderCode: string
  level: Level
  onClose: () => void
  onSaved: () => void
}) {
  const [form] = Form.useForm<LevelFields>()
  const catalogue = useApi<Answer<'/benefits'>>('/benefits')
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const save = async (v: LevelFields) => {
    setSaving(true)
    setError(null)
    try {
      const body: Body<'/tiers/{ladder}/levels/{level}', 'patch'> = {
        name: v.name?.trim(),
        annualFeeFen: fen(v.feeYuan),
        threshold: fen(v.thresholdYuan),
        pointsMultiplierPct:
          v.multiplier === null || v.multiplier === undefined ? undefined : Math.round(v.multiplier * 100),
        benefits: (v.benefits ?? [])
          .filter((b) => b.code)
          .map((b) => ({ code: b.code!, quota: b.quota ?? undefined })),
      }
      await apiRequest(`/tiers/${ladderCode}/levels/${level.code}`, { method: 'PATCH', body })
      onSaved()
    } catch (err) {
      const e = asApiError(err)
      const renamed = e.fields.map((f) => {
        const path = f.path.replace(/^body\./, '')
        const head = path.split('.')[0]!
        return { ...f, path: serverPath[head] ?? head }
      })
      const placed = fieldErrors(new ApiError(e.status, e.code, e.message, renamed), names)
      form.setFields(placed)
      const elsewhere = renamed.filter((f) => !(names as readonly string[]).includes(f.path))
      if (!placed.length || elsewhere.length)
        setError(elsewhere.map((f) => f.message).join('；') || e.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={`修改等级：${level.name}`}
      okText="保存"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {catalogue.error && (
        <Alert
          type="error"
          showIcon
          title={`权益列表加载失败：${catalogue.error.message}`}
          action={
            <Button size="small" onClick={catalogue.reload}>
              重试
            </Button>
          }
          style={{ marginBottom: 12 }}
        />
      )}
      <Form<LevelFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        onValuesChange={() => clearServerErrors(form)}
        onFinish={(v) => void save(v)}
        initialValues={{
          name: level.name,
          feeYuan: level.annualFeeFen / 100,
          thresholdYuan: level.threshold / 100,
          multiplier: level.pointsMultiplierPct / 100,
          benefits: level.benefits.map((b) => ({ code: b.code, quota: b.quota ?? null })),
        }}
      >
        <Form.Item name="name" label="名称">
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="feeYuan" label="年费（元）" extra="0 为免费">
          <InputNumber<number> prefix="¥" precision={2} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="thresholdYuan" label="消费门槛（元）">
          <InputNumber<number> prefix="¥" precision={2} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="multiplier" label="积分倍率" extra="如 1.5 表示消费积分 × 1.5">
          <InputNumber<number> precision={2} step={0.1} style={{ width: '100%' }} />
        </Form.Item>
        <div style={{ marginBottom: 8 }}>权益（每周期次数不填则用权益的默认次数）</div>
        <Form.List name="benefits">
          {(items, { add, remove }) => (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {items.map((item) => (
                <Space key={item.key} align="start" wrap>
                  <Form.Item name={[item.name, 'code']} style={{ marginBottom: 0, minWidth: 200 }}>
                    <Select
                      placeholder="选择权益"
                      loading={catalogue.loading}
                      options={(catalogue.data ?? []).map((b) => ({ value: b.code, label: b.name }))}
                    />
                  </Form.Item>
                  <Form.Item name={[item.name, 'quota']} style={{ marginBottom: 0 }}>
                    <InputNumber<number> placeholder="每周期次数" precision={0} min={1} />
                  </Form.Item>
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label="移除权益"
                    onClick={() => remove(item.name)}
                  />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({})}>
                添加权益
              </Button>
            </Space>
          )}
        </Form.List>
      </Form>
    </Modal>
  )
}
