// The coupon screen's dialogs: a new template (amounts typed in yuan), issuing a template to a saved
// segment (its size shown before; one batch id per dialog, so a retried issue gives nobody a second
// coupon), and a template's usage.
import { useMemo, useState } from 'react'
import {
  Alert,
  App,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Result,
  Select,
  Skeleton,
  Typography,
} from 'antd'
import type { Dayjs } from 'dayjs'
import { apiRequest, asApiError, useApi, type Answer, type Body } from '../../api'
import { formatCount, formatFen, formatPercent } from '../../format'
import { couponSourceLabels, label } from '../../labels'

export type Template = Answer<'/coupon-templates'>[number]

/** What a coupon is worth, e.g. 满 ¥300.00 减 ¥50.00, 8.5 折（最多减 ¥30.00）. */
export const couponValue = (t: Template) =>
  t.kind === 'percentage'
    ? `${(100 - t.percentOff) / 10} 折${t.maxDiscountFen ? `（最多减 ${formatFen(t.maxDiscountFen)}）` : ''}`
    : t.kind === 'threshold'
      ? `满 ${formatFen(t.thresholdFen)} 减 ${formatFen(t.amountFen)}`
      : `立减 ${formatFen(t.amountFen)}`

interface TemplateFields {
  name?: string
  kind: 'fixed' | 'threshold' | 'percentage'
  amountFen?: number | null
  thresholdFen?: number | null
  percentOff?: number | null
  maxDiscountFen?: number | null
  validity: 'days' | 'until'
  validDays?: number | null
  validUntil?: Dayjs | null
  totalQuantity?: number | null
  perMemberLimit?: number | null
  scope: 'all' | 'category'
  scopeIds?: number[]
}

const NAMES = [
  'name',
  'kind',
  'amountFen',
  'thresholdFen',
  'percentOff',
  'maxDiscountFen',
  'validDays',
  'validUntil',
  'totalQuantity',
  'perMemberLimit',
  'scopeIds',
]
const fen = (yuan: number | null | undefined) => (yuan ? Math.round(yuan * 100) : undefined)

export function NewTemplate({
  open,
  onClose,
  onCreated,
}: {
  open: boolean
  onClose: () => void
  onCreated: () => void
}) {
  const [form] = Form.useForm<TemplateFields>()
  const categories = useApi<Answer<'/categories'>>(open ? '/categories' : null)
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()
  const kind = Form.useWatch('kind', form) ?? 'fixed'
  const validity = Form.useWatch('validity', form) ?? 'days'
  const scope = Form.useWatch('scope', form) ?? 'all'

  const submit = async (v: TemplateFields) => {
    setSaving(true)
    setError(null)
    const body: Body<'/coupon-templates', 'post'> = {
      name: v.name ?? '',
      kind: v.kind,
      ...(v.kind !== 'percentage' ? { amountFen: fen(v.amountFen) ?? 0 } : {}),
      ...(v.kind === 'threshold' ? { thresholdFen: fen(v.thresholdFen) ?? 0 } : {}),
      ...(v.kind === 'percentage'
        ? { percentOff: v.percentOff ?? 0, maxDiscountFen: fen(v.maxDiscountFen) ?? null }
        : {}),
      ...(v.validity === 'days'
        ? { validDays: v.validDays ?? null }
        : { validUntil: v.validUntil ? v.validUntil.endOf('day').toISOString() : null }),
      totalQuantity: v.totalQuantity ?? null,
      perMemberLimit: v.perMemberLimit ?? 1,
      scope: v.scope,
      scopeIds: v.scope === 'all' ? [] : (v.scopeIds ?? []),
    }
    try {
      await apiRequest('/coupon-templates', { method: 'POST', body })
      void message.success('优惠券已创建')
      form.resetFields()
      onCreated()
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const onFields = apiError.fields
        .map((f) => ({ name: f.path.replace(/^body\./, ''), errors: [f.message] }))
        .filter((f) => NAMES.includes(f.name))
      if (onFields.length) form.setFields(onFields as never)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      title="新建优惠券"
      open={open}
      onCancel={onClose}
      okText="创建"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<TemplateFields>
        form={form}
        layout="vertical"
        onFinish={submit}
        data-testid="coupon-template-form"
        initialValues={{ kind: 'fixed', validity: 'days', validDays: 30, perMemberLimit: 1, scope: 'all' }}
      >
        <Form.Item name="name" label="名称" rules={[{ required: true, message: '请填写名称' }]}>
          <Input maxLength={50} placeholder="如：老客回购 满 300 减 50" />
        </Form.Item>
        <Form.Item name="kind" label="类型">
          <Radio.Group
            options={[
              { value: 'fixed', label: '立减' },
              { value: 'threshold', label: '满减' },
              { value: 'percentage', label: '折扣' },
            ]}
          />
        </Form.Item>
        {kind === 'threshold' && (
          <Form.Item name="thresholdFen" label="满（元）" rules={[{ required: true, message: '请填写门槛' }]}>
            <InputNumber min={0.01} precision={2} style={{ width: 160 }} />
          </Form.Item>
        )}
        {kind !== 'percentage' ? (
          <Form.Item
            name="amountFen"
            label="减（元）"
            rules={[{ required: true, message: '请填写优惠金额' }]}
          >
            <InputNumber min={0.01} precision={2} style={{ width: 160 }} />
          </Form.Item>
        ) : (
          <>
            <Form.Item
              name="percentOff"
              label="优惠比例（%）"
              extra="如 15 表示打 8.5 折"
              rules={[{ required: true, message: '请填写优惠比例' }]}
            >
              <InputNumber min={1} max={99} precision={0} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="maxDiscountFen" label="最多减（元）">
              <InputNumber min={0.01} precision={2} style={{ width: 160 }} />
            </Form.Item>
          </>
        )}
        <Form.Item name="validity" label="有效期">
          <Radio.Group
            options={[
              { value: 'days', label: '领取后天数' },
              { value: 'until', label: '截止日期' },
            ]}
          />
        </Form.Item>
        {validity === 'days' ? (
          <Form.Item name="validDays" label="领取后有效天数">
            <InputNumber min={1} max={3650} precision={0} style={{ width: 160 }} />
          </Form.Item>
        ) : (
          <Form.Item name="validUntil" label="截止日期">
            <DatePicker />
          </Form.Item>
        )}
        <Form.Item name="totalQuantity" label="发放总量" extra="不填为不限">
          <InputNumber min={1} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="perMemberLimit" label="每人限领">
          <InputNumber min={1} max={100} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="scope" label="适用范围">
          <Radio.Group
            options={[
              { value: 'all', label: '全部商品' },
              { value: 'category', label: '指定分类' },
            ]}
          />
        </Form.Item>
        {scope === 'category' && (
          <Form.Item name="scopeIds" label="分类">
            <Select
              mode="multiple"
              loading={categories.loading}
              options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  )
}

export function IssueToSegment({
  template,
  onClose,
  onIssued,
}: {
  template: Template
  onClose: () => void
  onIssued: () => void
}) {
  const segments = useApi<Answer<'/segments'>>('/segments')
  const [segmentId, setSegmentId] = useState<number>()
  const [size, setSize] = useState<number | null>(null)
  const [fieldError, setFieldError] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<Answer<'/coupon-templates/{id}/issue', 'post'> | null>(null)
  const [saving, setSaving] = useState(false)
  const batchId = useMemo(() => `console-${crypto.randomUUID()}`, [])
  const { modal } = App.useApp()

  const choose = async (id: number) => {
    setSegmentId(id)
    setSize(null)
    setFieldError(null)
    const segment = segments.data?.find((s) => s.id === id)
    if (!segment) return
    try {
      const counted = await apiRequest<Answer<'/segments/count', 'post'>>('/segments/count', {
        method: 'POST',
        body: { filter: segment.filter },
      })
      setSize(counted.members)
    } catch {
      setSize(null)
    }
  }

  const issue = () => {
    if (!segmentId) {
      setFieldError('请选择分群')
      return
    }
    const segment = segments.data?.find((s) => s.id === segmentId)
    void modal.confirm({
      title: `向「${segment?.name}」发放「${template.name}」？`,
      content:
        size === null
          ? '按发放时分群内的会员逐一发放。'
          : `约 ${formatCount(size)} 人，每人一张，发出后不能收回。`,
      okText: '发放',
      cancelText: '取消',
      onOk: async () => {
        setSaving(true)
        setError(null)
        try {
          setResult(
            await apiRequest<Answer<'/coupon-templates/{id}/issue', 'post'>>(
              `/coupon-templates/${template.id}/issue`,
              {
                method: 'POST',
                body: { segmentId, batchId },
              },
            ),
          )
          onIssued()
        } catch (err) {
          const apiError = asApiError(err)
          const onSegment = apiError.fields.find((f) => f.path.replace(/^body\./, '') === 'segmentId')
          if (onSegment) setFieldError(onSegment.message)
          else setError(apiError.message)
        } finally {
          setSaving(false)
        }
      },
    })
  }

  return (
    <Modal
      title={`发放 · ${template.name}`}
      open
      onCancel={onClose}
      okText={result ? '完成' : '发放'}
      cancelText="取消"
      confirmLoading={saving}
      onOk={result ? onClose : issue}
      destroyOnHidden
    >
      {result ? (
        <Result
          status={result.refused.length ? 'warning' : 'success'}
          title={`已发放 ${formatCount(result.issued)} 张`}
          subTitle={`分群 ${formatCount(result.members)} 人${result.refused.length ? `，${formatCount(result.refused.length)} 人未发放` : ''}`}
          extra={
            result.refused.length > 0 && (
              <div data-testid="issue-refused" style={{ textAlign: 'left' }}>
                {result.refused.slice(0, 10).map((r) => (
                  <div key={r.memberId}>
                    会员 #{r.memberId}：{r.message}
                  </div>
                ))}
              </div>
            )
          }
        />
      ) : (
        <>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          {segments.error ? (
            <Alert
              type="error"
              showIcon
              title={segments.error.message}
              action={<a onClick={segments.reload}>重试</a>}
            />
          ) : (
            <Form layout="vertical">
              <Form.Item
                label="发给哪个分群"
                validateStatus={fieldError ? 'error' : undefined}
                help={fieldError ?? (size === null ? undefined : `当前约 ${formatCount(size)} 人`)}
              >
                <Select
                  data-testid="issue-segment"
                  loading={segments.loading}
                  value={segmentId}
                  placeholder="选择已保存的分群"
                  onChange={(id: number) => void choose(id)}
                  options={(segments.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                  notFoundContent="还没有保存的分群，请先在会员分群里保存"
                />
              </Form.Item>
            </Form>
          )}
          <Typography.Text type="secondary">
            {couponValue(template)}，每人限领 {template.perMemberLimit} 张；已达上限或券已发完的会员不会收到。
          </Typography.Text>
        </>
      )}
    </Modal>
  )
}

export function CouponUsage({ template, onClose }: { template: Template; onClose: () => void }) {
  const usage = useApi<Answer<'/coupon-templates/{id}/usage'>>(`/coupon-templates/${template.id}/usage`)
  const u = usage.data
  return (
    <Modal title={`使用情况 · ${template.name}`} open onCancel={onClose} footer={null} destroyOnHidden>
      {usage.error ? (
        <Alert
          type="error"
          showIcon
          title={usage.error.message}
          action={<a onClick={usage.reload}>重试</a>}
        />
      ) : !u ? (
        <Skeleton active />
      ) : (
        <Descriptions column={1} size="small" data-testid="coupon-usage" bordered>
          <Descriptions.Item label="已发放">{formatCount(u.issued)}</Descriptions.Item>
          <Descriptions.Item label="可使用">{formatCount(u.available)}</Descriptions.Item>
          <Descriptions.Item label="下单待付">{formatCount(u.locked)}</Descriptions.Item>
          <Descriptions.Item label="已使用">{formatCount(u.used)}</Descriptions.Item>
          <Descriptions.Item label="已过期">{formatCount(u.expired)}</Descriptions.Item>
          <Descriptions.Item label="使用率">{formatPercent(u.useRate)}</Descriptions.Item>
          <Descriptions.Item label="用券订单优惠">{formatFen(u.discountFen)}</Descriptions.Item>
          <Descriptions.Item label="用券订单实付">{formatFen(u.orderPayFen)}</Descriptions.Item>
          <Descriptions.Item label="发放来源">
            {u.bySource.length
              ? u.bySource
                  .map((s) => `${label(couponSourceLabels, s.source)} ${formatCount(s.issued)}`)
                  .join('，')
              : '—'}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Modal>
  )
}
