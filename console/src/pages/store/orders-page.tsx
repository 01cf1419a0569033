// 订单管理: every order, newest first, searched by order number, member number or name and filtered by
// status (all in the URL with the page). Opening one shows its detail, where it is shipped or refunded.
import { useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Drawer,
  Empty,
  Grid,
  Input,
  List,
  Result,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { query, useApi, type Answer } from '../../api'
import { formatCount, formatDateTime, formatFen } from '../../format'
import { label, orderStatusColors, orderStatusLabels } from '../../labels'
import { OrderDetail } from './order-detail'

type OrderList = Answer<'/orders'>
type Row = OrderList['items'][number]
const PAGE_SIZE = 20

export default function OrdersPage() {
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const status = params.get('status') ?? ''
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<OrderList>(`/orders${query({ q, status, page, pageSize: PAGE_SIZE })}`)
  const [selected, setSelected] = useState<string | null>(null)
  const wide = Grid.useBreakpoint().md !== false
  const loaded = list.data ?? list.previous

  const update = (next: { q?: string; status?: string; page?: number }) => {
    const merged = { q, status, page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.q) search.set('q', merged.q)
    if (merged.status) search.set('status', merged.status)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const statusTag = (r: Row) => (
    <Tag color={orderStatusColors[r.status]}>{label(orderStatusLabels, r.status)}</Tag>
  )
  const itemsOf = (r: Row) =>
    r.items.length === 0
      ? r.kind === 'membership'
        ? '付费会员'
        : '—'
      : `${r.items[0]!.title}${r.items.length > 1 ? ` 等 ${r.items.length} 件` : ` ×${r.items[0]!.quantity}`}`
  const amount = (r: Row) => (
    <Space orientation="vertical" size={0}>
      <span>{formatFen(r.payFen)}</span>
      {r.refundedFen > 0 && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          已退 {formatFen(r.refundedFen)}
        </Typography.Text>
      )}
    </Space>
  )
  const empty = <Empty description={q || status ? '没有符合条件的订单' : '还没有订单'} />
  const pagination = {
    current: page,
    pageSize: PAGE_SIZE,
    total: loaded?.total ?? 0,
    showSizeChanger: false,
    simple: !wide,
    showTotal: (t: number) => `共 ${formatCount(t)} 单`,
    onChange: (p: number) => update({ page: p }),
  }

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          订单管理
        </Typography.Title>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder="订单号 / 会员号 / 会员姓名"
          defaultValue={q}
          onSearch={(value) => update({ q: value.trim() })}
          style={{ width: 260 }}
        />
        <Select
          data-testid="order-status-filter"
          value={status}
          style={{ width: 120 }}
          onChange={(value) => update({ status: value })}
          options={[
            { value: '', label: '全部状态' },
            ...Object.entries(orderStatusLabels).map(([value, text]) => ({ value, label: text })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
      </Space>
      {list.error && !loaded ? (
        <Result
          status="error"
          title="订单加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          {list.error && (
            <Alert
              type="error"
              showIcon
              title={list.error.message}
              style={{ marginBottom: 16 }}
              action={
                <Button size="small" onClick={list.reload}>
                  重试
                </Button>
              }
            />
          )}
          {!wide ? (
            <List<Row>
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              locale={{ emptyText: empty }}
              pagination={(loaded?.total ?? 0) > PAGE_SIZE ? pagination : false}
              renderItem={(r) => (
                <List.Item
                  data-testid="order-row"
                  style={{ display: 'block', cursor: 'pointer' }}
                  onClick={() => setSelected(r.orderNo)}
                >
                  <Space wrap size={4}>
                    {statusTag(r)}
                    <Typography.Text strong>{r.memberName ?? r.memberNo}</Typography.Text>
                    <Typography.Text type="secondary">{formatFen(r.payFen)}</Typography.Text>
                  </Space>
                  <div>{itemsOf(r)}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                    {r.orderNo} · {formatDateTime(r.createdAt)}
                  </Typography.Text>
                </List.Item>
              )}
            />
          ) : (
            <Table<Row>
              rowKey="orderNo"
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              pagination={pagination}
              onRow={(r) => ({
                onClick: () => setSelected(r.orderNo),
                style: { cursor: 'pointer' },
                'data-testid': 'order-row',
              })}
              columns={[
                { title: '订单号', dataIndex: 'orderNo' },
                { title: '下单时间', render: (_, r) => formatDateTime(r.createdAt) },
                {
                  title: '会员',
                  render: (_, r) => (
                    <Space orientation="vertical" size={0}>
                      <span>{r.memberName ?? '未填写姓名'}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {r.memberNo}
                      </Typography.Text>
                    </Space>
                  ),
                },
                { title: '商品', render: (_, r) => itemsOf(r) },
                { title: '实付', render: (_, r) => amount(r) },
                { title: '状态', render: (_, r) => statusTag(r) },
              ]}
            />
          )}
        </>
      )}
      <Drawer
        title={selected ? `订单 ${selected}` : ''}
        open={selected !== null}
        onClose={() => setSelected(null)}
        size={Math.min(640, window.innerWidth)}
        destroyOnHidden
      >
        {selected && <OrderDetail orderNo={selected} onChanged={list.reload} />}
      </Drawer>
    </Card>
  )
}
