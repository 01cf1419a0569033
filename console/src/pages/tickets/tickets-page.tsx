// 反馈工单: the inbox of complaints, suggestions and requests for a person that the bot caught in chat.
// An operator reads the open ones (newest first), opens one to see the member and every message it
// holds, and closes it with a note of what was done; closed ones stay readable under 已处理. An
// advisor sees only the tickets of the bot accounts they serve (the server scopes the list). The tab
// and the page live in the URL so the back button returns to the same page.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Grid,
  List,
  Result,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { query, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'
import { loadSession } from '../../session'
import { TicketDetail } from './ticket-detail'
import {
  categoryColors,
  categoryLabel,
  lastMessage,
  ticketMessages,
  type Ticket,
  type TicketStatus,
} from './ticket-labels'

const PAGE_SIZE = 20

const emptyText: Record<TicketStatus, string> = {
  open: '没有待处理的工单',
  resolved: '还没有已处理的工单',
}

export default function TicketsPage() {
  const [params, setParams] = useSearchParams()
  const status: TicketStatus = params.get('status') === 'resolved' ? 'resolved' : 'open'
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  // One more than a page: the server gives no total, so the extra row says whether a next page exists.
  const list = useApi<Answer<'/tickets'>>(
    `/tickets${query({ status, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE })}`,
  )
  const [selected, setSelected] = useState<Ticket | null>(null)
  const { message } = App.useApp()
  const wide = Grid.useBreakpoint().md !== false
  const advisor = loadSession()?.operator.role === 'advisor'
  const loaded = list.data ?? list.previous
  const items = loaded?.items.slice(0, PAGE_SIZE)
  const hasNext = (list.data?.items.length ?? 0) > PAGE_SIZE

  const update = (next: { status?: TicketStatus; page?: number }) => {
    const merged = { status, page: 1, ...next }
    const search = new URLSearchParams()
    if (merged.status !== 'open') search.set('status', merged.status)
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const categoryTag = (t: Ticket) => <Tag color={categoryColors[t.category]}>{categoryLabel(t.category)}</Tag>
  const memberOf = (t: Ticket) => (
    <Space orientation="vertical" size={0}>
      <span>{t.memberName ?? '未填写姓名'}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t.memberNo}
      </Typography.Text>
    </Space>
  )
  const messageOf = (t: Ticket) => {
    const count = ticketMessages(t.messages).length
    return (
      <Space orientation="vertical" size={0} style={{ maxWidth: '100%' }}>
        <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 360 }}>
          {lastMessage(t)?.text ?? '—'}
        </Typography.Paragraph>
        {count > 1 && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            共 {count} 条消息
          </Typography.Text>
        )}
      </Space>
    )
  }
  const actionOf = (t: Ticket) => (
    <Button
      type="link"
      style={{ padding: 0 }}
      onClick={(e) => {
        e.stopPropagation()
        setSelected(t)
      }}
    >
      {t.status === 'open' ? '处理' : '查看'}
    </Button>
  )
  const empty = (
    <Empty description={page > 1 ? '这一页没有工单' : emptyText[status]}>
      {page > 1 && <Button onClick={() => update({ page: 1 })}>回到第一页</Button>}
    </Empty>
  )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          反馈工单
        </Typography.Title>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
          刷新
        </Button>
      }
    >
      {advisor && (
        <Typography.Paragraph type="secondary">只显示你服务的顾问账号收到的反馈。</Typography.Paragraph>
      )}
      <Tabs
        activeKey={status}
        onChange={(key) => update({ status: key as TicketStatus })}
        items={[
          { key: 'open', label: '待处理' },
          { key: 'resolved', label: '已处理' },
        ]}
      />
      {list.error && !items ? (
        <Result
          status="error"
          title="工单加载失败"
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
            <List<Ticket>
              loading={list.loading}
              dataSource={items ?? []}
              locale={{ emptyText: empty }}
              renderItem={(t) => (
                <List.Item
                  data-testid="ticket-row"
                  data-ticket-id={t.id}
                  style={{ display: 'block', cursor: 'pointer' }}
                  onClick={() => setSelected(t)}
                >
                  <Space wrap size={4}>
                    {categoryTag(t)}
                    <Typography.Text strong>{t.memberName ?? '未填写姓名'}</Typography.Text>
                    <Typography.Text type="secondary">{t.memberNo}</Typography.Text>
                  </Space>
                  <div style={{ marginTop: 4 }}>{messageOf(t)}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t.accountName} · {formatDateTime(t.openedAt)}
                  </Typography.Text>
                  {t.status === 'resolved' && (
                    <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: '4px 0 0' }}>
                      处理结果：{t.resolution ?? '—'}
                    </Typography.Paragraph>
                  )}
                  <div>{actionOf(t)}</div>
                </List.Item>
              )}
            />
          ) : (
            <Table<Ticket>
              rowKey="id"
              loading={list.loading}
              dataSource={items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              onRow={(t) => ({ onClick: () => setSelected(t), style: { cursor: 'pointer' } })}
              columns={[
                { title: '开启时间', dataIndex: 'openedAt', render: formatDateTime },
                { title: '会员', render: (_, t) => memberOf(t) },
                { title: '类别', render: (_, t) => categoryTag(t) },
                { title: '最近消息', render: (_, t) => messageOf(t) },
                { title: '顾问账号', dataIndex: 'accountName' },
                ...(status === 'resolved'
                  ? [
                      { title: '处理时间', dataIndex: 'resolvedAt', render: formatDateTime },
                      {
                        title: '处理结果',
                        render: (_: unknown, t: Ticket) => (
                          <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 280 }}>
                            {t.resolution ?? '—'}
                          </Typography.Paragraph>
                        ),
                      },
                    ]
                  : []),
                { title: '操作', render: (_, t) => actionOf(t) },
              ]}
            />
          )}
          <Space style={{ marginTop: 16, width: '100%', justifyContent: 'flex-end' }} wrap>
            <Button disabled={page <= 1} onClick={() => update({ page: page - 1 })}>
              上一页
            </Button>
            <Typography.Text data-testid="ticket-page">第 {page} 页</Typography.Text>
            <Button disabled={!hasNext} onClick={() => update({ page: page + 1 })}>
              下一页
            </Button>
          </Space>
        </>
      )}
      <Drawer
        title={selected ? `工单 #${selected.id} · ${categoryLabel(selected.category)}` : ''}
        open={selected !== null}
        onClose={() => setSelected(null)}
        size={Math.min(560, window.innerWidth)}
        destroyOnHidden
      >
        {selected && (
          <TicketDetail
            ticket={selected}
            onResolved={() => {
              void message.success('工单已处理，已移到“已处理”')
              setSelected(null)
              list.reload()
            }}
            onStale={list.reload}
          />
        )}
      </Drawer>
    </Card>
  )
}
