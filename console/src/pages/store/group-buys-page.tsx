// 拼团: group-buy campaigns, the live ones first, with their group price, group size, time window, the
// groups by state (open, filling, formed, failed) and the results (paid orders, revenue); the list
// refreshes itself while one is live. An operator creates a campaign and opens one to watch its
// groups fill.
import { useEffect, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Result,
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

type Campaign = Answer<'/group-buys'>[number]
type Group = Answer<'/group-buys/{id}/groups'>[number]
const PAGE_SIZE = 20
const LIVE_REFRESH_MS = 5000
const groupState: Record<Group['status'], { color: string; text: string }> = {
  opening: { color: 'default', text: '待开团' },
  forming: { color: 'blue', text: '拼团中' },
  succeeded: { color: 'green', text: '已成团' },
  failed: { color: 'red', text: '未成团' },
}
const isLive = (c: Campaign, now: number) => Date.parse(c.startsAt) <= now && Date.parse(c.endsAt) > now

interface CampaignFields {
  productId?: number
  skuId?: number
  title?: string
  groupPriceFen?: number | null
  groupSize?: number | null
  fillHours?: number
  startsAt?: Dayjs | null
  days: number
}
const NAMES = ['skuId', 'title', 'groupPriceFen', 'groupSize', 'startsAt']

function NewGroupBuy({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [form] = Form.useForm<CampaignFields>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { message } = App.useApp()
  const submit = async (v: CampaignFields) => {
    setSaving(true)
    setError(null)
    const startsAt = v.startsAt ? v.startsAt.toDate() : new Date()
    try {
      await apiRequest('/group-buys', {
        method: 'POST',
        body: {
          skuId: v.skuId!,
          title: v.title ?? '',
          groupPriceFen: Math.round((v.groupPriceFen ?? 0) * 100),
          groupSize: v.groupSize ?? 2,
          fillMinutes: (v.fillHours ?? 24) * 60,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + v.days * 86_400_000).toISOString(),
        },
      })
      void message.success('拼团已创建')
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
      title="新建拼团"
      open
      onCancel={onClose}
      okText="创建"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<CampaignFields>
        form={form}
        layout="vertical"
        onFinish={submit}
        data-testid="group-buy-form"
        initialValues={{ groupSize: 2, fillHours: 24, days: 7 }}
      >
        <SkuPicker form={form} testId="group" />
        <Form.Item name="title" label="活动名称" rules={[{ required: true, message: '请填写活动名称' }]}>
          <Input maxLength={60} placeholder="如：两人成团 精华液" />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item
            name="groupPriceFen"
            label="拼团价（元）"
            rules={[{ required: true, message: '请填写拼团价' }]}
          >
            <InputNumber min={0.01} precision={2} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="groupSize" label="成团人数">
            <InputNumber min={2} max={100} precision={0} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="fillHours" label="成团时限（小时）">
            <InputNumber min={1} max={336} precision={0} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="startsAt" label="开始时间" extra="不填为立即开始">
            <DatePicker showTime />
          </Form.Item>
          <Form.Item name="days" label="持续">
            <Select
              style={{ width: 120 }}
              options={[1, 3, 7, 14, 30].map((d) => ({ value: d, label: `${d} 天` }))}
            />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  )
}

function Groups({ campaign }: { campaign: Campaign }) {
  const groups = useApi<Answer<'/group-buys/{id}/groups'>>(`/group-buys/${campaign.id}/groups`)
  if (groups.error)
    return (
      <Result
        status="error"
        title="团加载失败"
        subTitle={groups.error.message}
        extra={<Button onClick={groups.reload}>重试</Button>}
      />
    )
  return (
    <Table<Group>
      rowKey="id"
      size="small"
      loading={groups.loading}
      dataSource={groups.data ?? []}
      scroll={{ x: 'max-content' }}
      pagination={false}
      locale={{ emptyText: <Empty description="还没有人开团" /> }}
      onRow={() => ({ 'data-testid': 'group-row' }) as never}
      columns={[
        { title: '开团时间', render: (_, g) => formatDateTime(g.createdAt) },
        { title: '人数', render: (_, g) => `${g.paidCount} 已付 / ${g.seatsTaken} 占位 / ${g.groupSize}` },
        {
          title: '状态',
          render: (_, g) => <Tag color={groupState[g.status].color}>{groupState[g.status].text}</Tag>,
        },
        { title: '截止', render: (_, g) => formatDateTime(g.succeededAt ?? g.failedAt ?? g.expiresAt) },
      ]}
    />
  )
}

export default function GroupBuysPage() {
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<Answer<'/group-buys'>>('/group-buys')
  const [creating, setCreating] = useState(false)
  const [watching, setWatching] = useState<Campaign | null>(null)
  const canManage = may('marketing.manage')
  const loaded = list.data ?? list.previous
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(tick)
  }, [])
  const rows = [...(loaded ?? [])].sort(
    (a, b) => Number(isLive(b, now)) - Number(isLive(a, now)) || b.id - a.id,
  )
  const live = rows.some((c) => isLive(c, now))
  const { reload } = list
  useEffect(() => {
    if (!live) return
    const timer = setInterval(reload, LIVE_REFRESH_MS)
    return () => clearInterval(timer)
  }, [live, reload])

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          拼团
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
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
        {live && <Typography.Text type="secondary">进行中的拼团每 5 秒自动刷新</Typography.Text>}
      </Space>
      <ListLoadState title="拼团加载失败" error={list.error} loaded={!!loaded} onRetry={list.reload}>
        <Table<Campaign>
          rowKey="id"
          loading={list.loading && !loaded}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description="还没有拼团活动" /> }}
          onRow={() => ({ 'data-testid': 'group-buy-row' }) as never}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: rows.length,
            hideOnSinglePage: true,
            onChange: (p) => setParams(p > 1 ? { page: String(p) } : {}),
          }}
          columns={[
            {
              title: '活动',
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <span>{c.title}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.productTitle}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: '拼团价',
              render: (_, c) => (
                <span>
                  {formatFen(c.groupPriceFen)} <s style={{ color: '#999' }}>{formatFen(c.listPriceFen)}</s>
                </span>
              ),
            },
            { title: '成团人数', dataIndex: 'groupSize' },
            {
              title: '时间',
              render: (_, c) => `${formatDateTime(c.startsAt)} – ${formatDateTime(c.endsAt)}`,
            },
            {
              title: '状态',
              render: (_, c) =>
                isLive(c, now) ? (
                  <Tag color="red">进行中</Tag>
                ) : Date.parse(c.startsAt) > now ? (
                  <Tag color="blue">未开始</Tag>
                ) : (
                  <Tag>已结束</Tag>
                ),
            },
            {
              title: '团',
              render: (_, c) => (
                <span data-testid="group-counts">
                  拼团中 {c.groups.forming + c.groups.opening} · 已成团 {c.groups.succeeded} · 未成团{' '}
                  {c.groups.failed}
                </span>
              ),
            },
            {
              title: '成交',
              render: (_, c) => (
                <span data-testid="group-results">
                  {formatCount(c.paidOrders)} 单 · {formatFen(c.revenueFen)}
                </span>
              ),
            },
            {
              title: '操作',
              render: (_, c) => (
                <Button type="link" onClick={() => setWatching(c)}>
                  查看团
                </Button>
              ),
            },
          ]}
        />
      </ListLoadState>
      <Drawer
        title={watching ? `拼团 · ${watching.title}` : ''}
        open={watching !== null}
        onClose={() => setWatching(null)}
        size={Math.min(640, window.innerWidth)}
        destroyOnHidden
      >
        {watching && <Groups campaign={watching} />}
      </Drawer>
      {creating && (
        <NewGroupBuy
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
