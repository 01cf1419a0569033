// 死信: messages the paced sender gave up on (five failed attempts, or interrupted mid-hand-over so a
// second try might send twice). An operator reads why, then sends one again (back to the queue, at
// the account's pace) or gives up on it — both confirmed first. Account filter and page in the URL.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Empty,
  Grid,
  List,
  Popconfirm,
  Result,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router'
import { apiRequest, asApiError, query, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'
import { label, outboundStatusLabels } from '../../labels'
import { may } from '../../session'
import type { Account } from './accounts-page'

type Letter = Answer<'/outbox'>['items'][number]

const PAGE_SIZE = 20

export function DeadLetters({ accounts }: { accounts: Account[] }) {
  const [params, setParams] = useSearchParams()
  const account = Number(params.get('account')) || undefined
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useApi<Answer<'/outbox'>>(
    `/outbox${query({ status: 'dead,failed', accountId: account, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE })}`,
  )
  const [busy, setBusy] = useState<number | null>(null)
  const { message } = App.useApp()
  const wide = Grid.useBreakpoint().md !== false
  const serve = may('chat.serve')
  const loaded = list.data ?? list.previous
  const items = loaded?.items.slice(0, PAGE_SIZE)
  const hasNext = (list.data?.items.length ?? 0) > PAGE_SIZE
  const accountName = (id: number) => accounts.find((a) => a.id === id)?.displayName ?? `账号 #${id}`

  const update = (next: { account?: number; page?: number }) => {
    const merged = { account, page: 1, ...next }
    const search = new URLSearchParams({ tab: 'dead' })
    if (merged.account) search.set('account', String(merged.account))
    if (merged.page > 1) search.set('page', String(merged.page))
    setParams(search)
  }

  const act = async (l: Letter, action: 'retry' | 'drop') => {
    setBusy(l.id)
    try {
      await apiRequest(`/outbox/${l.id}/${action}`, { method: 'POST' })
      void message.success(
        action === 'retry' ? '已放回发送队列，将按账号节奏重发' : '已放弃这条消息，不会再发送',
      )
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
      list.reload()
    } finally {
      setBusy(null)
    }
  }

  const actions = (l: Letter) =>
    serve ? (
      <Space size={0}>
        <Popconfirm
          title="重发这条消息？"
          description="消息回到发送队列，由账号按节奏重新发送"
          okText="重发"
          cancelText="取消"
          onConfirm={() => act(l, 'retry')}
        >
          <Button type="link" disabled={busy === l.id}>
            重发
          </Button>
        </Popconfirm>
        <Popconfirm
          title="放弃这条消息？"
          description="放弃后不会再发送，也不能恢复"
          okText="放弃"
          okButtonProps={{ danger: true }}
          cancelText="取消"
          onConfirm={() => act(l, 'drop')}
        >
          <Button type="link" danger disabled={busy === l.id}>
            放弃
          </Button>
        </Popconfirm>
      </Space>
    ) : null
  const to = (l: Letter) =>
    l.memberId ? (
      <Link to={`/members/${l.memberId}`}>会员 #{l.memberId}</Link>
    ) : l.chatGroupId ? (
      <span>群 #{l.chatGroupId}</span>
    ) : (
      '—'
    )
  const text = (l: Letter) => (
    <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 320 }}>
      {l.text}
    </Typography.Paragraph>
  )
  const why = (l: Letter) => (
    <Space orientation="vertical" size={0}>
      <span>
        <Tag color={l.status === 'dead' ? 'red' : 'orange'}>{label(outboundStatusLabels, l.status)}</Tag>
        {`尝试 ${l.attempts} 次`}
      </span>
      <Typography.Text type="danger" style={{ fontSize: 12 }}>
        {l.lastError ?? '—'}
      </Typography.Text>
    </Space>
  )
  const empty = (
    <Empty description={page > 1 ? '这一页没有死信' : '没有死信，所有消息都已送达或在排队'}>
      {page > 1 && <Button onClick={() => update({ page: 1 })}>回到第一页</Button>}
    </Empty>
  )

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text>账号</Typography.Text>
        <Select
          aria-label="按账号筛选"
          style={{ width: 200 }}
          value={account ?? 0}
          onChange={(v) => update({ account: v || undefined })}
          options={[
            { value: 0, label: '全部账号' },
            ...accounts.map((a) => ({ value: a.id, label: a.displayName })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={list.reload}>
          刷新
        </Button>
      </Space>
      {list.error && !items ? (
        <Result
          status="error"
          title="死信加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          {list.error && <Alert type="error" showIcon title={list.error.message} />}
          {wide ? (
            <Table<Letter>
              rowKey="id"
              loading={list.loading}
              dataSource={items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              onRow={(l) => ({ 'data-testid': 'dead-letter', 'data-outbound-id': l.id }) as never}
              columns={[
                { title: '创建时间', dataIndex: 'createdAt', render: formatDateTime },
                { title: '账号', render: (_, l) => accountName(l.accountId) },
                { title: '发给', render: (_, l) => to(l) },
                { title: '内容', render: (_, l) => text(l) },
                { title: '失败原因', render: (_, l) => why(l) },
                { title: '操作', render: (_, l) => actions(l) },
              ]}
            />
          ) : (
            <List<Letter>
              loading={list.loading}
              dataSource={items ?? []}
              locale={{ emptyText: empty }}
              renderItem={(l) => (
                <List.Item data-testid="dead-letter" data-outbound-id={l.id} style={{ display: 'block' }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {accountName(l.accountId)} · {formatDateTime(l.createdAt)}
                  </Typography.Text>
                  <div>{to(l)}</div>
                  {text(l)}
                  {why(l)}
                  <div>{actions(l)}</div>
                </List.Item>
              )}
            />
          )}
          <Space style={{ width: '100%', justifyContent: 'flex-end' }} wrap>
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
    </Space>
  )
}
