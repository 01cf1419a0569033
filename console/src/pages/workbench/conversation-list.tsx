// The conversations of the last 30 days, members waiting for an answer first, read again every few
// seconds so a new message moves its member to the top by itself. Filter (all / waiting), search and
// page live in the URL.
import { useEffect } from 'react'
import { Alert, Badge, Button, Empty, Input, List, Segmented, Space, Tag, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { query, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'

export type Conversations = Answer<'/conversations'>
type Conversation = Conversations['items'][number]

export const PAGE_SIZE = 20
/** How often the list is read again (a new chat shows within this long). */
const POLL_MS = 5_000

export interface ListState {
  waiting: boolean
  q: string
  page: number
}

export function ConversationList({
  state,
  selected,
  onChange,
  onOpen,
  version,
}: {
  state: ListState
  selected: number | null
  /** Bumped after a reply or a ticket from the open conversation: read the list again at once. */
  version: number
  onChange: (next: Partial<ListState>) => void
  onOpen: (memberId: number) => void
}) {
  const list = useApi<Conversations>(
    `/conversations${query({
      unanswered: state.waiting ? 'true' : undefined,
      q: state.q || undefined,
      limit: PAGE_SIZE,
      offset: (state.page - 1) * PAGE_SIZE,
    })}`,
  )
  const { reload } = list
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS)
    return () => clearInterval(timer)
  }, [reload])
  useEffect(() => {
    if (version > 0) reload()
  }, [version, reload])

  const loaded = list.data ?? list.previous
  const pages = Math.max(1, Math.ceil((loaded?.total ?? 0) / PAGE_SIZE))

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Segmented
          value={state.waiting ? 'waiting' : 'all'}
          onChange={(v) => onChange({ waiting: v === 'waiting', page: 1 })}
          options={[
            { value: 'all', label: '全部会话' },
            {
              value: 'waiting',
              label: (
                <span data-testid="waiting-filter">
                  待回复 <Badge count={loaded?.unanswered ?? 0} size="small" showZero={false} />
                </span>
              ),
            },
          ]}
        />
        <Button
          icon={<ReloadOutlined />}
          onClick={reload}
          loading={list.loading && !!loaded}
          aria-label="刷新会话"
          title="刷新会话"
        />
      </Space>
      <Input.Search
        key={state.q}
        placeholder="会员号、姓名或昵称"
        allowClear
        defaultValue={state.q}
        onSearch={(v) => onChange({ q: v.trim(), page: 1 })}
        maxLength={50}
      />
      {list.error && (
        <Alert
          type="error"
          showIcon
          title={`会话加载失败：${list.error.message}`}
          action={
            <Button size="small" onClick={reload}>
              重试
            </Button>
          }
        />
      )}
      <List<Conversation>
        data-testid="conversation-list"
        loading={!loaded && !list.error}
        dataSource={loaded?.items ?? []}
        locale={{
          emptyText: (
            <Empty
              description={
                state.q ? '没有找到这位会员的会话' : state.waiting ? '没有待回复的会话' : '最近 30 天没有会话'
              }
            />
          ),
        }}
        renderItem={(c) => (
          <List.Item
            data-testid="conversation"
            data-member-id={c.memberId}
            onClick={() => onOpen(c.memberId)}
            style={{
              cursor: 'pointer',
              display: 'block',
              padding: '10px 12px',
              borderRadius: 6,
              background: c.memberId === selected ? '#fff7e6' : undefined,
            }}
          >
            <Space size={6} wrap style={{ width: '100%', justifyContent: 'space-between' }}>
              <Space size={6} wrap>
                <Typography.Text strong>{c.name ?? '未填写姓名'}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.memberNo}
                </Typography.Text>
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(c.lastAt)}
              </Typography.Text>
            </Space>
            <Typography.Paragraph ellipsis={{ rows: 1 }} style={{ margin: '2px 0', wordBreak: 'break-all' }}>
              {c.lastDirection === 'out' ? '我方：' : ''}
              {c.lastText ?? '[非文字消息]'}
            </Typography.Paragraph>
            <Space size={4} wrap>
              {c.unanswered && <Tag color="red">待回复</Tag>}
              {c.pending > 0 && <Tag color="blue">回复发送中</Tag>}
              {c.openTicket && <Tag color="orange">有工单</Tag>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {c.accountName ?? '未分配顾问'}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Button disabled={state.page <= 1} onClick={() => onChange({ page: state.page - 1 })}>
          上一页
        </Button>
        <Typography.Text type="secondary" data-testid="conversation-page">
          {state.page} / {pages}
        </Typography.Text>
        <Button disabled={state.page >= pages} onClick={() => onChange({ page: state.page + 1 })}>
          下一页
        </Button>
      </Space>
    </Space>
  )
}
