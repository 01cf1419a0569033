// One order for an operator: what was bought at what price, the amounts, the address, the parcel and
// every refund with its state. A paid goods order is shipped with the courier and tracking number
// (the server also uploads them to WeChat); a paid order is refunded in full or in part, after a
// confirmation, through WeChat Pay. Refusals land on their field.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Descriptions,
  Divider,
  Form,
  Input,
  InputNumber,
  Result,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, fieldErrors, useApi, type Answer, type Body } from '../../api'
import { formatDateTime, formatFen } from '../../format'
import { label, orderStatusColors, orderStatusLabels, refundStatusLabels } from '../../labels'
import { may } from '../../session'

type Detail = Answer<'/orders/{orderNo}'>
type ShipBody = Body<'/orders/{orderNo}/ship', 'post'>

const REFUNDABLE = ['paid', 'shipped', 'completed']

function ShipForm({ orderNo, onDone }: { orderNo: string; onDone: () => void }) {
  const [form] = Form.useForm<ShipBody>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message } = App.useApp()
  const submit = async (body: ShipBody) => {
    setSaving(true)
    setError(null)
    try {
      const shipped = await apiRequest<Answer<'/orders/{orderNo}/ship', 'post'>>(`/orders/${orderNo}/ship`, {
        method: 'POST',
        body,
      })
      void message.success(shipped.wechatShippingUploaded ? '已发货，并已同步到微信' : '已发货')
      onDone()
    } catch (err) {
      const apiError = asApiError(err)
      const onFields = fieldErrors(apiError, ['shippingCompany', 'trackingNo'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Form form={form} layout="vertical" onFinish={submit} data-testid="ship-form">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Space wrap align="start">
        <Form.Item
          name="shippingCompany"
          label="快递公司"
          rules={[{ required: true, message: '请填写快递公司' }]}
        >
          <Input maxLength={30} placeholder="如：顺丰速运" style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="trackingNo" label="运单号" rules={[{ required: true, message: '请填写运单号' }]}>
          <Input maxLength={40} style={{ width: 200 }} />
        </Form.Item>
      </Space>
      <Button type="primary" htmlType="submit" loading={saving}>
        确认发货
      </Button>
    </Form>
  )
}

function RefundForm({ order, onDone }: { order: Detail; onDone: () => void }) {
  const [form] = Form.useForm<{ amountFen?: number | null; reason: string }>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { message, modal } = App.useApp()
  const refundable = order.payFen - order.refundedFen
  const submit = (values: { amountFen?: number | null; reason: string }) => {
    const amountFen = values.amountFen ? Math.round(values.amountFen * 100) : undefined
    void modal.confirm({
      title: `确认退款 ${formatFen(amountFen ?? refundable)}？`,
      content: `退款将原路退回会员的微信支付，提交后不能撤回。${amountFen && amountFen < refundable ? '' : '全额退款会收回本单积分与佣金。'}`,
      okText: '确认退款',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setSaving(true)
        setError(null)
        try {
          await apiRequest(`/orders/${order.orderNo}/refund`, {
            method: 'POST',
            body: { reason: values.reason, ...(amountFen ? { amountFen } : {}) },
          })
          void message.success('退款已提交微信支付')
          form.resetFields()
          onDone()
        } catch (err) {
          const apiError = asApiError(err)
          const onFields = fieldErrors(apiError, ['amountFen', 'reason'] as const)
          if (onFields.length) form.setFields(onFields)
          else setError(apiError.message)
        } finally {
          setSaving(false)
        }
      },
    })
  }
  return (
    <Form form={form} layout="vertical" onFinish={submit} data-testid="refund-form">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Space wrap align="start">
        <Form.Item
          name="amountFen"
          label="退款金额（元）"
          extra={`最多可退 ${formatFen(refundable)}，不填为全额`}
          rules={[
            {
              validator: (_, v: number | null | undefined) =>
                v && Math.round(v * 100) > refundable
                  ? Promise.reject(new Error(`不能超过 ${formatFen(refundable)}`))
                  : Promise.resolve(),
            },
          ]}
        >
          <InputNumber min={0.01} precision={2} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="reason" label="退款原因" rules={[{ required: true, message: '请填写退款原因' }]}>
          <Input maxLength={80} style={{ width: 240 }} />
        </Form.Item>
      </Space>
      <Button danger htmlType="submit" loading={saving}>
        退款
      </Button>
    </Form>
  )
}

export function OrderDetail({ orderNo, onChanged }: { orderNo: string; onChanged: () => void }) {
  const detail = useApi<Detail>(`/orders/${orderNo}`)
  const o = detail.data
  if (detail.error)
    return (
      <Result
        status="error"
        title="订单加载失败"
        subTitle={detail.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={detail.reload}>
            重试
          </Button>
        }
      />
    )
  if (!o) return <Skeleton active />
  const changed = () => {
    detail.reload()
    onChanged()
  }
  const processing = o.refunds.some((r) => r.status === 'processing')
  return (
    <div data-testid="order-detail">
      <Space wrap style={{ marginBottom: 12 }}>
        <Tag color={orderStatusColors[o.status]}>{label(orderStatusLabels, o.status)}</Tag>
        <Typography.Text copyable>{o.orderNo}</Typography.Text>
      </Space>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={o.items}
        columns={[
          { title: '商品', render: (_, i) => `${i.title}${i.spec ? ` · ${i.spec}` : ''}` },
          { title: '单价', render: (_, i) => formatFen(i.unitPriceFen) },
          {
            title: '原价',
            render: (_, i) => (i.listPriceFen !== i.unitPriceFen ? <s>{formatFen(i.listPriceFen)}</s> : '—'),
          },
          { title: '数量', dataIndex: 'quantity' },
        ]}
      />
      <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
        <Descriptions.Item label="商品金额">{formatFen(o.itemsFen)}</Descriptions.Item>
        {o.discountFen > 0 && (
          <Descriptions.Item label="优惠券">-{formatFen(o.discountFen)}</Descriptions.Item>
        )}
        {o.pointsDeductFen > 0 && (
          <Descriptions.Item label="积分抵扣">
            -{formatFen(o.pointsDeductFen)}（{o.pointsUsed} 积分）
          </Descriptions.Item>
        )}
        <Descriptions.Item label="运费">{formatFen(o.shippingFen)}</Descriptions.Item>
        <Descriptions.Item label="实付">{formatFen(o.payFen)}</Descriptions.Item>
        {o.refundedFen > 0 && (
          <Descriptions.Item label="已退款">{formatFen(o.refundedFen)}</Descriptions.Item>
        )}
        <Descriptions.Item label="下单时间">{formatDateTime(o.createdAt)}</Descriptions.Item>
        <Descriptions.Item label="支付时间">{formatDateTime(o.paidAt)}</Descriptions.Item>
        {o.address && (
          <Descriptions.Item label="收货地址">
            {[
              o.address.name,
              o.address.phone,
              o.address.province,
              o.address.city,
              o.address.district,
              o.address.detail,
            ]
              .filter(Boolean)
              .join(' ')}
          </Descriptions.Item>
        )}
        {o.trackingNo && (
          <Descriptions.Item label="物流">
            {o.shippingCompany} {o.trackingNo}（{formatDateTime(o.shippedAt)}）
          </Descriptions.Item>
        )}
        {o.remark && <Descriptions.Item label="备注">{o.remark}</Descriptions.Item>}
      </Descriptions>
      {o.refunds.length > 0 && (
        <>
          <Divider titlePlacement="start">退款记录</Divider>
          <Table
            size="small"
            rowKey="outRefundNo"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={o.refunds}
            columns={[
              { title: '金额', render: (_, r) => formatFen(r.amountFen) },
              { title: '状态', render: (_, r) => label(refundStatusLabels, r.status) },
              { title: '原因', dataIndex: 'reason' },
              { title: '申请时间', render: (_, r) => formatDateTime(r.createdAt) },
            ]}
          />
        </>
      )}
      {o.status === 'paid' && o.kind === 'goods' && o.address && may('orders.ship') && (
        <>
          <Divider titlePlacement="start">发货</Divider>
          <ShipForm orderNo={o.orderNo} onDone={changed} />
        </>
      )}
      {REFUNDABLE.includes(o.status) &&
        o.transactionId &&
        o.payFen > o.refundedFen &&
        may('orders.refund') && (
          <>
            <Divider titlePlacement="start">退款</Divider>
            {processing ? (
              <Alert type="info" showIcon title="有一笔退款正在处理中，微信支付确认后可再次退款" />
            ) : (
              <RefundForm order={o} onDone={changed} />
            )}
          </>
        )}
    </div>
  )
}
