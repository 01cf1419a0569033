// 秒杀: flash sales, the live ones first. Each shows its product, flash and list price, how much of its
// stock has gone, its time window and state, and its results (paid orders, buyers, revenue). While a
// sale is selling the list refreshes itself every few seconds. An operator creates one (its units
// are taken out of the SKU's stock) and ends one early after a confirmation (unsold units go back).
import { useEffect, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { useSearchParams } from 'react-router'
import { apiRequest, asApiError, useApi, type Answer } from '../../api'
import { formatCount, formatDateTime, formatFen } from '../../format'
import { may } from '../../session'
import { SkuPicker } from './sku-picker'
import { ListLoadState } from './list-load-state'

type Sale = Answer<'/flash-sales'>[number]
type State = 'scheduled' | 'selling' | 'sold_out' | 'ended'
const PAGE_SIZE = 20
const LIVE_REFRESH_MS = 5000

const stateOf = (s: Sale, now: number): State =>
  s.endedAt || Date.parse(s.endsAt) <= now
    ? 'ended'
    : Date.parse(s.startsAt) > now
      ? 'scheduled'
      : s.stockLeft === 0
        ? 'sold_out'
        : 'selling'
const stateTag: Record<State, { color: string; text: string }> = {
  scheduled: { color: 'blue', text: '未开始' },
  selling: { color: 'red', text: '进行中' },
  sold_out: { color: 'orange', text: '已售罄' },
  ended: { color: 'default', text: '已结束' },
}

interface SaleFields {
  productId?: number
  skuId?: number
  title?: string
  priceFen?: number | null
  totalStock?: number | null
  perMemberLimit?: number | null
  startsAt?: Dayjs | null
  hours: number
}
const NAMES = ['skuId', 'title', 'priceFen', 'totalStock', 'perMemberLimit', 'startsAt', 'endsAt']

function NewFlashSale({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [form] = Form.useForm<SaleFields>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()

  const submit = async (v: SaleFields) => {
    setSaving(true)
    setError(null)
    const startsAt = v.startsAt ? v.startsAt.toDate() : new Date()
    try {
      await apiRequest('/flash-sales', {
        method: 'POST',
        body: {
          skuId: v.skuId!,
          title: v.title ?? '',
          priceFen: Math.round((v.priceFen ?? 0) * 100),
          totalStock: v.totalStock ?? 0,
          perMemberLimit: v.perMemberLimit ?? 1,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + v.hours * 3_600_000).toISOString(),
        },
      })
      void message.success('秒杀已创建')
      onCreated()
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      // Too few units in the SKU is about the quantity asked for.
      if (apiError.code === 'stock_insufficient')
        apiError.fields.push({ path: 'totalStock', message: apiError.message })
      const onFields = apiError.fields
        .map((f) => ({ name: f.path.replace(/^body\./, ''), errors: [f.message] }))
        .map((f) => (f.name === 'endsAt' ? { ...f, name: 'hours' } : f))
        .filter((f) => NAMES.includes(f.name) || f.name === 'hours')
      if (onFields.length) form.setFields(onFields as never)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      title="新建秒杀"
      open
      onCancel={onClose}
      okText="创建"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<SaleFields>
        form={form}
        layout="vertical"
        onFinish={submit}
        data-testid="flash-sale-form"
        initialValues={{ perMemberLimit: 1, hours: 2 }}
      >
        <SkuPicker form={form} testId="flash" />
        <Form.Item name="title" label="活动名称" rules={[{ required: true, message: '请填写活动名称' }]}>
          <Input maxLength={60} placeholder="如：周五晚 8 点限量秒杀" />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item
            name="priceFen"
            label="秒杀价（元）"
            rules={[{ required: true, message: '请填写秒杀价' }]}
          >
            <InputNumber min={0.01} precision={2} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="totalStock" label="秒杀数量" rules={[{ required: true, message: '请填写数量' }]}>
            <InputNumber min={1} precision={0} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="perMemberLimit" label="每人限购">
            <InputNumber min={1} max={100} precision={0} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="startsAt" label="开始时间" extra="不填为立即开始">
            <DatePicker showTime />
          </Form.Item>
          <Form.Item name="hours" label="持续">
            <Select
              data-testid="flash-hours"
              style={{ width: 120 }}
              options={[1, 2, 6, 12, 24, 48, 72].map((h) => ({ value: h, label: `${h} 小时` }))}
            />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  )
}

export default function FlashSalesPage() {
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const state = (['scheduled', 'selling', 'sold_out', 'ended'] as const).find(
    (s) => s === params.get('state'),
  )
  const list = useApi<Answer<'/flash-sales'>>('/flash-sales')
  const [creating, setCreating] = useState(false)
  const { message } = App.useApp()
  const canManage = may('marketing.manage')
  const loaded = list.data ?? list.previous
  // The clock the states are judged by, ticking so a sale turns 进行中 / 已结束 on time.
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(tick)
  }, [])
  const order: Record<State, number> = { selling: 0, sold_out: 1, scheduled: 2, ended: 3 }
  const rows = (loaded ?? [])
    .filter((s) => !state || stateOf(s, now) === state)
    .sort((a, b) => order[stateOf(a, now)] - order[stateOf(b, now)] || b.id - a.id)
  const live = (loaded ?? []).some((s) => stateOf(s, now) === 'selling')

  // Watching a sale live: refresh while one is selling.
  const { reload } = list
  useEffect(() => {
    if (!live) return
    const timer = setInterval(reload, LIVE_REFRESH_MS)
    return () => clearInterval(timer)
  }, [live, reload])

  const update = (next: { state?: string; page?: number }) => {
    const merged = { state: state ?? '', page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.state) search.set('state', merged.state)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const end = async (s: Sale) => {
    try {
      await apiRequest(`/flash-sales/${s.id}/end`, { method: 'POST' })
      void message.success('秒杀已结束，未售出的数量已退回库存')
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          秒杀
        </Typography.Title>
      }
      extra={
        canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            新建
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          value={state ?? ''}
          style={{ width: 120 }}
          onChange={(value) => update({ state: value })}
          options={[
            { value: '', label: '全部' },
            ...Object.entries(stateTag).map(([value, t]) => ({ value, label: t.text })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
        {live && <Typography.Text type="secondary">进行中的秒杀每 5 秒自动刷新</Typography.Text>}
      </Space>
      <ListLoadState title="秒杀加载失败" error={list.error} loaded={!!loaded} onRetry={list.reload}>
        <Table<Sale>
          rowKey="id"
          loading={list.loading && !loaded}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description={state ? '没有符合条件的秒杀' : '还没有秒杀活动'} /> }}
          onRow={() => ({ 'data-testid': 'flash-sale-row' }) as never}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: rows.length,
            hideOnSinglePage: true,
            onChange: (p) => update({ page: p }),
          }}
          columns={[
            {
              title: '活动',
              render: (_, s) => (
                <Space orientation="vertical" size={0}>
                  <span>{s.title}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {s.productTitle}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: '价格',
              render: (_, s) => (
                <span>
                  {formatFen(s.priceFen)} <s style={{ color: '#999' }}>{formatFen(s.listPriceFen)}</s>
                </span>
              ),
            },
            {
              title: '已抢 / 总量',
              render: (_, s) => (
                <div style={{ minWidth: 140 }}>
                  <span data-testid="flash-sold">
                    {formatCount(s.totalStock - s.stockLeft)} / {formatCount(s.totalStock)}
                  </span>
                  <Progress
                    percent={Math.round(((s.totalStock - s.stockLeft) / s.totalStock) * 100)}
                    size="small"
                    showInfo={false}
                  />
                </div>
              ),
            },
            {
              title: '时间',
              render: (_, s) => `${formatDateTime(s.startsAt)} – ${formatDateTime(s.endedAt ?? s.endsAt)}`,
            },
            {
              title: '状态',
              render: (_, s) => {
                const t = stateTag[stateOf(s, now)]
                return <Tag color={t.color}>{t.text}</Tag>
              },
            },
            {
              title: '成交',
              render: (_, s) => (
                <span data-testid="flash-results">
                  {formatCount(s.paidOrders)} 单 · {formatCount(s.buyers)} 人 · {formatFen(s.revenueFen)}
                </span>
              ),
            },
            {
              title: '操作',
              render: (_, s) =>
                canManage && stateOf(s, now) !== 'ended' ? (
                  <Popconfirm
                    title="提前结束这个秒杀？"
                    description="未售出的数量会退回商品库存，已下的订单不受影响。"
                    okText="结束"
                    cancelText="取消"
                    onConfirm={() => end(s)}
                  >
                    <Button type="link" danger>
                      结束
                    </Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
      </ListLoadState>
      {creating && (
        <NewFlashSale
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false)
            list.reload()
          }}
        />
      )}
    </Card>
  )
}
