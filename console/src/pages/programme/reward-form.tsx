// 新建兑换品 and 修改兑换品 in a dialog: a voucher (face value, minimum spend, days valid), a gift with
// stock (by mail or picked up in store) or a privilege, for a number of points. Amounts are typed in
// 元 and sent in fen; the server's refusals are shown on the field they name.
import { useState } from 'react'
import { Alert, Form, Input, InputNumber, Modal, Radio, Select, Switch } from 'antd'
import { ApiError, apiRequest, asApiError, fieldErrors, type Answer, type Body } from '../../api'
import { rewardKindLabels } from '../../labels'
import { clearServerErrors } from './form-errors'

type Reward = Answer<'/rewards'>[number]

interface RewardFields {
  kind: Reward['kind']
  code?: string
  name?: string
  description?: string
  pointsCost?: number | null
  stock?: number | null
  perMemberLimit?: number | null
  active?: boolean
  faceValueYuan?: number | null
  minSpendYuan?: number | null
  validDays?: number | null
  delivery?: 'mail' | 'pickup'
}

const names = [
  'kind',
  'code',
  'name',
  'description',
  'pointsCost',
  'stock',
  'perMemberLimit',
  'active',
  'faceValueYuan',
  'minSpendYuan',
  'validDays',
  'delivery',
] as const

/** The server's paths for the form's fields: `args.faceValueFen` is typed in 元 as `faceValueYuan`. */
const serverPath: Record<string, string> = {
  'args.faceValueFen': 'faceValueYuan',
  'args.minSpendFen': 'minSpendYuan',
  'args.validDays': 'validDays',
  'args.delivery': 'delivery',
}

const fen = (y: number | null | undefined) =>
  y === null || y === undefined ? undefined : Math.round(y * 100)
const orNull = (n: number | null | undefined) => (n === undefined || n === null ? null : n)

function createBody(v: RewardFields): Body<'/rewards', 'post'> {
  const common = {
    code: v.code?.trim() ?? '',
    name: v.name?.trim() ?? '',
    description: v.description?.trim() || undefined,
    pointsCost: v.pointsCost as number,
    stock: orNull(v.stock),
    perMemberLimit: orNull(v.perMemberLimit),
    active: v.active ?? true,
  }
  if (v.kind === 'voucher')
    return {
      ...common,
      kind: 'voucher',
      args: {
        faceValueFen: fen(v.faceValueYuan) as number,
        minSpendFen: fen(v.minSpendYuan) ?? 0,
        validDays: v.validDays as number,
      },
    }
  if (v.kind === 'gift') return { ...common, kind: 'gift', args: { delivery: v.delivery ?? 'mail' } }
  return { ...common, kind: 'privilege', args: { validDays: v.validDays ?? undefined } }
}

export function RewardForm({
  reward,
  onClose,
  onSaved,
}: {
  /** The reward to change; absent: a new one. */
  reward?: Reward
  onClose: () => void
  onSaved: (r: Reward) => void
}) {
  const [form] = Form.useForm<RewardFields>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const kind = Form.useWatch('kind', form) ?? reward?.kind ?? 'gift'

  const save = async (v: RewardFields) => {
    setSaving(true)
    setError(null)
    try {
      const saved = reward
        ? await apiRequest<Reward>(`/rewards/${reward.id}`, {
            method: 'PATCH',
            body: {
              name: v.name?.trim(),
              description: v.description?.trim() || undefined,
              pointsCost: v.pointsCost ?? undefined,
              stock: orNull(v.stock),
              perMemberLimit: orNull(v.perMemberLimit),
              active: v.active,
            } satisfies Body<'/rewards/{id}', 'patch'>,
          })
        : await apiRequest<Reward>('/rewards', { method: 'POST', body: createBody(v) })
      onSaved(saved)
    } catch (err) {
      const e = asApiError(err)
      const renamed = e.fields.map((f) => ({
        ...f,
        path: serverPath[f.path.replace(/^body\./, '')] ?? f.path,
      }))
      const placed = fieldErrors(new ApiError(e.status, e.code, e.message, renamed), names)
      form.setFields(placed)
      if (!placed.length) setError(e.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={reward ? `修改兑换品：${reward.name}` : '新建兑换品'}
      okText="保存"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<RewardFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        onValuesChange={() => clearServerErrors(form)}
        onFinish={(v) => void save(v)}
        initialValues={
          reward
            ? {
                kind: reward.kind,
                code: reward.code,
                name: reward.name,
                description: reward.description ?? undefined,
                pointsCost: reward.pointsCost,
                stock: reward.stock,
                perMemberLimit: reward.perMemberLimit,
                active: reward.active,
              }
            : { kind: 'gift', active: true, delivery: 'mail' }
        }
      >
        <Form.Item name="kind" label="类型">
          <Radio.Group
            disabled={!!reward}
            optionType="button"
            options={Object.entries(rewardKindLabels).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item name="name" label="名称">
          <Input maxLength={40} placeholder="如 护手霜旅行装" />
        </Form.Item>
        <Form.Item name="code" label="编码" extra="小写字母、数字、下划线或连字符，创建后不可修改">
          <Input maxLength={64} placeholder="如 gift-hand-cream" disabled={!!reward} />
        </Form.Item>
        <Form.Item name="pointsCost" label="所需积分">
          <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="stock" label="库存" extra="不填表示不限量">
          <InputNumber<number> min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="perMemberLimit" label="每人限兑" extra="不填表示不限">
          <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        {!reward && kind === 'voucher' && (
          <>
            <Form.Item name="faceValueYuan" label="券面额（元）">
              <InputNumber<number> prefix="¥" min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="minSpendYuan" label="使用门槛（元）" extra="0 或不填为无门槛">
              <InputNumber<number> prefix="¥" min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
          </>
        )}
        {!reward && kind !== 'gift' && (
          <Form.Item name="validDays" label="有效天数">
            <InputNumber<number> min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {!reward && kind === 'gift' && (
          <Form.Item name="delivery" label="交付方式">
            <Select
              options={[
                { value: 'mail', label: '邮寄' },
                { value: 'pickup', label: '到店领取' },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item name="description" label="说明">
          <Input.TextArea maxLength={1000} rows={2} />
        </Form.Item>
        <Form.Item name="active" label="上架" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  )
}
