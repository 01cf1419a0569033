// 登记消费 at the till: the store, what the member paid in 元 (sent in fen) and the receipt number.
// The receipt number makes a recording idempotent; when the clerk has none, one is made per opened
// form, so a double click records the purchase once. After it is recorded the member is read again,
// and the result shows the points balance before and after.
import { useEffect, useMemo, useState } from 'react'
import { Alert, Button, Card, Empty, Form, Input, InputNumber, Select, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { apiRequest, useApi, type Answer, type Body } from '../../api'
import { formatCount, formatFen } from '../../format'
import { useTillSubmit } from './till-submit'

type Store = Answer<'/stores'>[number]
type Recorded = Answer<'/store-purchases', 'post'>

/** The store this browser last recorded at: a till stays in one store. */
const STORE_KEY = 'sup.till.store'

interface PurchaseFields {
  storeId?: number
  amount?: number | null
  receiptNo?: string
}

/** A receipt number for a purchase without one: unique per opened form. */
function autoReceiptNo(): string {
  const d = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}`
  return `T${stamp}-${crypto.randomUUID().slice(0, 8)}`
}

export function TillPurchase({
  member,
  balance,
  refreshing,
  onRecorded,
}: {
  member: { memberId: number; memberNo: string }
  /** The member's points balance as last read. */
  balance: number
  /** The member is being read again after a change. */
  refreshing: boolean
  onRecorded: () => void
}) {
  const stores = useApi<Store[]>('/stores')
  const [form] = Form.useForm<PurchaseFields>()
  const [receiptKey, setReceiptKey] = useState(autoReceiptNo)
  const [done, setDone] = useState<{ recorded: Recorded; receiptNo: string; balanceBefore: number } | null>(
    null,
  )
  const { error, saving, run } = useTillSubmit(
    form,
    { amountFen: 'amount', storeId: 'storeId', receiptNo: 'receiptNo' },
    { receipt_already_recorded: 'receiptNo', store_not_found: 'storeId' },
  )
  const storeList = useMemo(() => stores.data ?? [], [stores.data])

  // Preselect the store last used here, or the only one there is.
  useEffect(() => {
    if (!storeList.length || form.getFieldValue('storeId')) return
    const remembered = Number(localStorage.getItem(STORE_KEY))
    const pick =
      storeList.find((s) => s.id === remembered) ?? (storeList.length === 1 ? storeList[0] : undefined)
    if (pick) form.setFieldValue('storeId', pick.id)
  }, [storeList, form])

  const save = (v: PurchaseFields) =>
    run(async () => {
      const receiptNo = v.receiptNo?.trim() || receiptKey
      const body: Body<'/store-purchases', 'post'> = {
        storeId: v.storeId!,
        receiptNo,
        member: { code: member.memberNo },
        amountFen: Math.round((v.amount ?? 0) * 100),
      }
      const recorded = await apiRequest<Recorded>('/store-purchases', { method: 'POST', body })
      localStorage.setItem(STORE_KEY, String(v.storeId))
      setDone({ recorded, receiptNo, balanceBefore: balance })
      setReceiptKey(autoReceiptNo())
      form.resetFields(['amount', 'receiptNo'])
      onRecorded()
    })

  return (
    <Card title="登记消费" size="small" data-testid="till-purchase">
      {stores.error && (
        <Alert
          type="error"
          showIcon
          title={`门店加载失败：${stores.error.message}`}
          action={
            <Button size="small" icon={<ReloadOutlined />} onClick={stores.reload}>
              重试
            </Button>
          }
          style={{ marginBottom: 16 }}
        />
      )}
      {stores.data && !stores.data.length ? (
        <Empty description="还没有门店，请联系管理员先添加门店" />
      ) : (
        <>
          {done && (
            <Alert
              type={done.recorded.duplicate ? 'warning' : 'success'}
              showIcon
              closable={{ onClose: () => setDone(null) }}
              data-testid="purchase-result"
              title={
                done.recorded.duplicate
                  ? `小票 ${done.receiptNo} 已登记过，本次未重复计入`
                  : `已登记消费 ${formatFen(done.recorded.amountFen)}`
              }
              description={
                <>
                  <div>{`订单号 ${done.recorded.orderNo} · 小票号 ${done.receiptNo}`}</div>
                  <div>
                    {refreshing
                      ? '正在更新积分余额…'
                      : `积分余额 ${formatCount(done.balanceBefore)} → ${formatCount(balance)}`}
                  </div>
                </>
              }
              style={{ marginBottom: 16 }}
            />
          )}
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Form<PurchaseFields> form={form} layout="vertical" onFinish={save} requiredMark={false}>
            <Form.Item label="门店" name="storeId" rules={[{ required: true, message: '请选择门店' }]}>
              <Select
                placeholder="选择门店"
                loading={stores.loading}
                options={storeList.map((s) => ({ value: s.id, label: `${s.name}（${s.city}）` }))}
                data-testid="till-store"
              />
            </Form.Item>
            <Form.Item
              label="消费金额（元）"
              name="amount"
              rules={[
                { required: true, message: '请输入消费金额' },
                {
                  validator: (_, value: number | null | undefined) =>
                    value === null || value === undefined || value > 0
                      ? Promise.resolve()
                      : Promise.reject(new Error('消费金额须大于 0')),
                },
              ]}
            >
              <InputNumber<number>
                prefix="¥"
                precision={2}
                max={1_000_000}
                step={1}
                inputMode="decimal"
                style={{ width: '100%' }}
                placeholder="如 128.00"
              />
            </Form.Item>
            <Form.Item label="小票号" name="receiptNo" extra="同一门店同一小票号只登记一次">
              <Input maxLength={64} placeholder="选填，不填则自动生成" autoComplete="off" />
            </Form.Item>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
              消费计入会员的累计消费、等级与积分，与线上订单相同。
            </Typography.Paragraph>
            <Button type="primary" htmlType="submit" block loading={saving} disabled={!stores.data}>
              登记消费
            </Button>
          </Form>
        </>
      )}
    </Card>
  )
}
