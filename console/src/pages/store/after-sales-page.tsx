// 售后申请: what shoppers asked for after buying (a refund, or a return of chosen items), newest first,
// by state (the tab and the page in the URL). An operator opens one to read the reason, see the
// photos and the items with their order, and approves it — the refund goes to WeChat Pay — or
// refuses it with a note; both ask for a confirmation first.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Empty,
  Grid,
  Image,
  Input,
  List,
  Result,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { apiRequest, asApiError, query, useApi, type Answer } from '../../api'
import { formatDateTime, formatFen } from '../../format'
import { afterSaleKindLabels, afterSaleStatusLabels, label, refundStatusLabels } from '../../labels'
import { may } from '../../session'

type Request = Answer<'/after-sales'>[number]
type Status = 'requested' | 'approved' | 'refused' | 'cancelled'
const PAGE_SIZE = 20
const STATUSES: Status[] = ['requested', 'approved', 'refused', 'cancelled']
const statusColors: Record<Status, string> = {
  requested: 'orange',
  approved: 'green',
  refused: 'red',
  cancelled: 'default',
}

function AfterSaleDetail({ request, onDecided }: { request: Request; onDecided: () => void }) {
  const order = useApi<Answer<'/orders/{orderNo}'>>(`/orders/${request.orderNo}`)
  const [note, setNote] = useState('')
  const [noteError, setNoteError] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { message, modal } = App.useApp()

  const decide = (approve: boolean) => {
    if (!approve && !note.trim()) {
      setNoteError('拒绝时请写明原因，会员能看到')
      return
    }
    setNoteError(null)
    void modal.confirm({
      title: approve ? `同意并退款 ${formatFen(request.amountFen)}？` : '拒绝这个售后申请？',
      content: approve ? '退款将原路退回会员的微信支付，提交后不能撤回。' : '拒绝后会员可以重新申请。',
      okText: approve ? '同意并退款' : '拒绝',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setError(null)
        try {
          await apiRequest(`/after-sales/${request.id}/decision`, {
            method: 'POST',
            body: { approve, ...(note.trim() ? { note: note.trim() } : {}) },
          })
          void message.success(approve ? '已同意，退款已提交微信支付' : '已拒绝')
          onDecided()
        } catch (err) {
          const apiError = asApiError(err)
          const onNote = apiError.fields.find((f) => f.path === 'body.note')
          if (onNote) setNoteError(onNote.message)
          else setError(apiError.message)
        }
      },
    })
  }

  const items = request.items.map((i) => {
    const line = order.data?.items.find((o) => o.id === i.orderItemId)
    return { ...i, title: line ? `${line.title}${line.spec ? ` · ${line.spec}` : ''}` : `#${i.orderItemId}` }
  })
  return (
    <div data-testid="after-sale-detail">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Descriptions size="small" column={1}>
        <Descriptions.Item label="类型">{label(afterSaleKindLabels, request.kind)}</Descriptions.Item>
        <Descriptions.Item label="状态">{label(afterSaleStatusLabels, request.status)}</Descriptions.Item>
        <Descriptions.Item label="订单号">{request.orderNo}</Descriptions.Item>
        <Descriptions.Item label="退款金额">{formatFen(request.amountFen)}</Descriptions.Item>
        <Descriptions.Item label="原因">{request.reason}</Descriptions.Item>
        <Descriptions.Item label="申请时间">{formatDateTime(request.createdAt)}</Descriptions.Item>
        {request.freeReturnShipping && (
          <Descriptions.Item label="退货运费">使用免费退货权益</Descriptions.Item>
        )}
        {request.refundStatus && (
          <Descriptions.Item label="退款">
            {label(refundStatusLabels, request.refundStatus)}
          </Descriptions.Item>
        )}
        {request.decisionNote && (
          <Descriptions.Item label="处理说明">{request.decisionNote}</Descriptions.Item>
        )}
      </Descriptions>
      {request.photos.length > 0 && (
        <Image.PreviewGroup>
          <Space wrap style={{ margin: '8px 0' }}>
            {request.photos.map((src) => (
              <Image
                key={src}
                src={src}
                width={72}
                height={72}
                style={{ objectFit: 'cover' }}
                alt="售后照片"
              />
            ))}
          </Space>
        </Image.PreviewGroup>
      )}
      {order.error ? (
        <Alert
          type="error"
          showIcon
          title={`订单加载失败：${order.error.message}`}
          action={
            <Button size="small" onClick={order.reload}>
              重试
            </Button>
          }
        />
      ) : !order.data ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : (
        <Table
          size="small"
          rowKey="orderItemId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={items}
          columns={[
            { title: '商品', dataIndex: 'title' },
            { title: '数量', dataIndex: 'quantity' },
          ]}
          footer={() =>
            `订单实付 ${formatFen(order.data!.payFen)}，已退 ${formatFen(order.data!.refundedFen)}`
          }
        />
      )}
      {request.status === 'requested' && may('orders.refund') && (
        <div style={{ marginTop: 16 }}>
          <Input.TextArea
            data-testid="after-sale-note"
            value={note}
            maxLength={200}
            placeholder="处理说明（拒绝时必填，会员可见）"
            status={noteError ? 'error' : undefined}
            onChange={(e) => setNote(e.target.value)}
          />
          {noteError && <Typography.Text type="danger">{noteError}</Typography.Text>}
          <Space style={{ marginTop: 12 }} wrap>
            <Button type="primary" onClick={() => decide(true)}>
              同意并退款
            </Button>
            <Button danger onClick={() => decide(false)}>
              拒绝
            </Button>
          </Space>
        </div>
      )}
    </div>
  )
}

export default function AfterSalesPage() {
  const [params, setParams] = useSearchParams()
  const status: Status = STATUSES.find((s) => s === params.get('status')) ?? 'requested'
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  // One more than a page: the extra row says whether a next page exists.
  const list = useApi<Answer<'/after-sales'>>(
    `/after-sales${query({ status, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE })}`,
  )
  const [selected, setSelected] = useState<Request | null>(null)
  const wide = Grid.useBreakpoint().md !== false
  const loaded = list.data ?? list.previous
  const items = loaded?.slice(0, PAGE_SIZE)
  const hasNext = (list.data?.length ?? 0) > PAGE_SIZE

  const update = (next: { status?: Status; page?: number }) => {
    const merged = { status, page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.status !== 'requested') search.set('status', merged.status)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }
  const statusTag = (r: Request) => (
    <Tag color={statusColors[r.status]}>{label(afterSaleStatusLabels, r.status)}</Tag>
  )
  const empty = (
    <Empty
      description={page > 1 ? '这一页没有申请' : `没有${label(afterSaleStatusLabels, status)}的售后申请`}
    />
  )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          售后申请
        </Typography.Title>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
      }
    >
      <Tabs
        activeKey={status}
        onChange={(key) => update({ status: key as Status })}
        items={STATUSES.map((s) => ({ key: s, label: label(afterSaleStatusLabels, s) }))}
      />
      {list.error && !items ? (
        <Result
          status="error"
          title="售后申请加载失败"
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
            <List<Request>
              loading={list.loading}
              dataSource={items ?? []}
              locale={{ emptyText: empty }}
              renderItem={(r) => (
                <List.Item
                  data-testid="after-sale-row"
                  style={{ display: 'block', cursor: 'pointer' }}
                  onClick={() => setSelected(r)}
                >
                  <Space wrap size={4}>
                    {statusTag(r)}
                    <Typography.Text strong>{label(afterSaleKindLabels, r.kind)}</Typography.Text>
                    <span>{formatFen(r.amountFen)}</span>
                  </Space>
                  <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: '4px 0 0' }}>
                    {r.reason}
                  </Typography.Paragraph>
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                    {r.orderNo} · {formatDateTime(r.createdAt)}
                  </Typography.Text>
                </List.Item>
              )}
            />
          ) : (
            <Table<Request>
              rowKey="id"
              loading={list.loading}
              dataSource={items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              onRow={(r) => ({
                onClick: () => setSelected(r),
                style: { cursor: 'pointer' },
                'data-testid': 'after-sale-row',
              })}
              columns={[
                { title: '申请时间', render: (_, r) => formatDateTime(r.createdAt) },
                { title: '订单号', dataIndex: 'orderNo' },
                { title: '类型', render: (_, r) => label(afterSaleKindLabels, r.kind) },
                { title: '金额', render: (_, r) => formatFen(r.amountFen) },
                {
                  title: '原因',
                  render: (_, r) => (
                    <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 320 }}>
                      {r.reason}
                    </Typography.Paragraph>
                  ),
                },
                { title: '状态', render: (_, r) => statusTag(r) },
              ]}
            />
          )}
          <Space style={{ marginTop: 16, width: '100%', justifyContent: 'flex-end' }} wrap>
            <Button disabled={page <= 1} onClick={() => update({ page: page - 1 })}>
              上一页
            </Button>
            <Typography.Text>第 {page} 页</Typography.Text>
            <Button disabled={!hasNext} onClick={() => update({ page: page + 1 })}>
              下一页
            </Button>
          </Space>
        </>
      )}
      <Drawer
        title={selected ? `售后申请 #${selected.id}` : ''}
        open={selected !== null}
        onClose={() => setSelected(null)}
        size={Math.min(560, window.innerWidth)}
        destroyOnHidden
      >
        {selected && (
          <AfterSaleDetail
            request={selected}
            onDecided={() => {
              setSelected(null)
              list.reload()
            }}
          />
        )}
      </Drawer>
    </Card>
  )
}
