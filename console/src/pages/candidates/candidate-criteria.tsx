// The scoring standard of super-user candidates: each criterion's weight and its thresholds, saved one
// criterion at a time. The server checks the thresholds (e.g. 无效天数 after 满分天数) and its refusal
// appears on the field it concerns.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Form,
  InputNumber,
  Select,
  Skeleton,
  Space,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { ApiError, apiRequest, asApiError, fieldErrors, useApi, type Answer, type Body } from '../../api'

type Criterion = Answer<'/members/candidates/criteria'>[number]

/** The thresholds a criterion takes, in the words of an operator. */
const argLabels: Record<string, { label: string; unit?: string; choices?: number[] }> = {
  windowDays: { label: '统计窗口', unit: '天', choices: [90, 180, 365] },
  targetOrders: { label: '满分订单数', unit: '单' },
  fullCreditDays: { label: '最近下单在此天数内得满分', unit: '天' },
  noCreditDays: { label: '最近下单超过此天数不得分', unit: '天' },
  target: { label: '满分次数', unit: '次' },
  targetCategories: { label: '满分品类数', unit: '个' },
  targetBrands: { label: '满分品牌数', unit: '个' },
}

function CriterionForm({ criterion, onSaved }: { criterion: Criterion; onSaved: () => void }) {
  const [form] = Form.useForm<Record<string, number>>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message } = App.useApp()
  const argNames = Object.keys(criterion.args)
  const save = async (values: Record<string, number>) => {
    setSaving(true)
    setError(null)
    try {
      const { weight, ...args } = values
      const body: Body<'/members/candidates/criteria/{code}', 'put'> = { weight: weight!, args }
      await apiRequest(`/members/candidates/criteria/${criterion.code}`, { method: 'PUT', body })
      void message.success(`已保存“${criterion.name}”`)
      onSaved()
    } catch (err) {
      const e = asApiError(err, '保存失败，请稍后重试')
      // The server names `body.weight` and `args.noCreditDays`; the form's fields are flat.
      const flat = new ApiError(
        e.status,
        e.code,
        e.message,
        e.fields.map((f) => ({ ...f, path: f.path.replace(/^(body\.)?(args\.)?/, '') })),
      )
      const onFields = fieldErrors(flat, ['weight', ...argNames])
      if (onFields.length) form.setFields(onFields)
      else setError(e.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Card size="small" title={criterion.name} data-testid={`criterion-${criterion.code}`}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={{ weight: criterion.weight, ...criterion.args }}
      >
        <Form.Item label="权重" name="weight" rules={[{ required: true, message: '请填写权重' }]}>
          <InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} addonAfter="分" />
        </Form.Item>
        {argNames.map((name) => {
          const meta = argLabels[name] ?? { label: name }
          return (
            <Form.Item
              key={name}
              label={meta.label}
              name={name}
              rules={[{ required: true, message: `请填写${meta.label}` }]}
            >
              {meta.choices ? (
                <Select options={meta.choices.map((c) => ({ value: c, label: `${c} ${meta.unit ?? ''}` }))} />
              ) : (
                <InputNumber min={0} precision={0} style={{ width: '100%' }} addonAfter={meta.unit} />
              )}
            </Form.Item>
          )
        })}
        <Button htmlType="submit" type="primary" loading={saving}>
          保存
        </Button>
      </Form>
    </Card>
  )
}

export function CandidateCriteria({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const criteria = useApi<Answer<'/members/candidates/criteria'>>('/members/candidates/criteria')
  const total = (criteria.data ?? []).reduce((a, c) => a + c.weight, 0)
  return (
    <Drawer
      open
      title="候选评分标准"
      onClose={onClose}
      size={Math.min(480, window.innerWidth)}
      destroyOnHidden
    >
      {criteria.error ? (
        <Alert
          type="error"
          showIcon
          title={criteria.error.message}
          action={
            <Button icon={<ReloadOutlined />} onClick={criteria.reload}>
              重试
            </Button>
          }
        />
      ) : !criteria.data ? (
        <Skeleton active />
      ) : (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            每项按会员的完成程度得 0 到权重分，合计即候选得分（当前权重合计 {total} 分）。
          </Typography.Paragraph>
          {criteria.data.map((c) => (
            <CriterionForm
              key={`${c.code}:${c.weight}:${JSON.stringify(c.args)}`}
              criterion={c}
              onSaved={() => {
                criteria.reload()
                onSaved()
              }}
            />
          ))}
        </Space>
      )}
    </Drawer>
  )
}
