// One member's 1:1 conversation with the advisor accounts, oldest at the top: the newest page is read
// again every few seconds (a new chat, a reply leaving the outbox), earlier pages on request. The
// composer sends through the member's advisor account; the reply shows as 排队待发 and turns 已发送
// when the account's paced sender has delivered it. Quick replies fill the composer for editing.
import { useEffect, useMemo, useRef, useState } from 'react'
import { Alert, App, Button, Dropdown, Empty, Form, Input, Space, Spin, Tag, Typography } from 'antd'
import { ThunderboltOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, fieldErrors, query, useApi, type Answer, type Body } from '../../api'
import { formatDateTime } from '../../format'
import { label, messageOriginLabels, messageStatusLabels } from '../../labels'

type Page = Answer<'/conversations/{memberId}/messages'>
export type ThreadItem = Page['items'][number]
type Reply = Body<'/conversations/{memberId}/messages', 'post'>

const PAGE = 30
/** How often the newest messages are read again. */
const POLL_MS = 3_000
const statusColors: Record<string, string> = {
  queued: 'blue',
  claimed: 'blue',
  sending: 'blue',
  sent: 'green',
  failed: 'red',
  dead: 'red',
  cancelled: 'default',
  skipped: 'default',
}

const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`

const byTime = (a: ThreadItem, b: ThreadItem) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key)

export function ChatThread({
  memberId,
  canReply,
  blockedReason,
  onSent,
  onLatestInbound,
}: {
  memberId: number
  canReply: boolean
  blockedReason: string | null
  onSent: () => void
  /** The member's latest message, for a ticket opened from the thread. */
  onLatestInbound?: (text: string | null) => void
}) {
  const latest = useApi<Page>(`/conversations/${memberId}/messages${query({ limit: PAGE })}`)
  const { reload } = latest
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS)
    return () => clearInterval(timer)
  }, [reload])
  // Every message seen for this member, by key: a poll updates them (pending → sent) and adds new ones.
  const [seen, setSeen] = useState<Map<string, ThreadItem>>(new Map())
  const [older, setOlder] = useState<{
    cursor: string | null
    started: boolean
    loading: boolean
    error?: string
  }>({
    cursor: null,
    started: false,
    loading: false,
  })
  useEffect(() => {
    const page = latest.data
    if (!page) return
    setSeen((prev) => {
      const next = new Map(prev)
      for (const item of page.items) next.set(item.key, item)
      return next
    })
    setOlder((o) => (o.started ? o : { ...o, cursor: page.nextCursor, started: true }))
  }, [latest.data])

  const items = useMemo(() => [...seen.values()].sort(byTime), [seen])
  const bottom = useRef<HTMLDivElement>(null)
  const newest = items.at(-1)?.key
  const inbound = items.findLast((i) => i.direction === 'in')?.text ?? null
  useEffect(() => onLatestInbound?.(inbound), [inbound, onLatestInbound])
  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'nearest' })
  }, [newest])

  const loadOlder = async () => {
    if (!older.cursor) return
    setOlder((o) => ({ ...o, loading: true, error: undefined }))
    try {
      const page = await apiRequest<Page>(
        `/conversations/${memberId}/messages${query({ limit: PAGE, cursor: older.cursor })}`,
      )
      setSeen((prev) => {
        const next = new Map(prev)
        for (const item of page.items) if (!next.has(item.key)) next.set(item.key, item)
        return next
      })
      setOlder((o) => ({ ...o, cursor: page.nextCursor, loading: false }))
    } catch (err) {
      setOlder((o) => ({ ...o, loading: false, error: asApiError(err, '加载失败').message }))
    }
  }

  const { message } = App.useApp()
  // A reply that failed (or was interrupted) goes back to the account's queue with fresh attempts.
  const retry = async (item: ThreadItem) => {
    try {
      await apiRequest(`/outbox/${item.outboxId}/retry`, { method: 'POST' })
      setSeen((prev) => new Map(prev).set(item.key, { ...item, status: 'queued', error: null }))
      void message.success('已重新排队发送')
      reload()
    } catch (err) {
      void message.error(asApiError(err, '重发失败，请稍后重试').message)
      reload()
    }
  }

  const added = (item: ThreadItem) => {
    setSeen((prev) => new Map(prev).set(item.key, item))
    reload()
    onSent()
  }

  const first = latest.data ?? latest.previous
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12}>
      <div
        data-testid="chat-thread"
        style={{
          height: 'min(56vh, 560px)',
          overflowY: 'auto',
          background: '#f5f5f5',
          borderRadius: 8,
          padding: 12,
        }}
      >
        {latest.error && !first ? (
          <Alert
            type="error"
            showIcon
            title={`聊天记录加载失败：${latest.error.message}`}
            action={
              <Button size="small" onClick={reload}>
                重试
              </Button>
            }
          />
        ) : !first ? (
          <Spin style={{ display: 'block', padding: 24 }} />
        ) : items.length === 0 ? (
          <Empty description="还没有聊天记录" />
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }} size={10}>
            {older.cursor && (
              <div style={{ textAlign: 'center' }}>
                <Button size="small" onClick={loadOlder} loading={older.loading}>
                  加载更早的消息
                </Button>
              </div>
            )}
            {older.error && <Alert type="error" showIcon title={older.error} />}
            {items.map((m) => (
              <Bubble key={m.key} item={m} onRetry={retry} />
            ))}
            <div ref={bottom} />
          </Space>
        )}
      </div>
      {latest.error && first && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          刷新失败：{latest.error.message}（稍后自动重试）
        </Typography.Text>
      )}
      {canReply ? (
        <Composer memberId={memberId} onAdded={added} />
      ) : (
        <Alert
          type="warning"
          showIcon
          title="暂时不能回复"
          description={blockedReason}
          data-testid="reply-blocked"
        />
      )}
    </Space>
  )
}

const retryable = new Set(['failed', 'dead'])

function Bubble({ item, onRetry }: { item: ThreadItem; onRetry: (item: ThreadItem) => void }) {
  const mine = item.direction === 'out'
  const who = mine
    ? [item.operatorName, item.origin && label(messageOriginLabels, item.origin), item.accountName]
        .filter(Boolean)
        .join(' · ')
    : '会员'
  return (
    <div
      data-testid="chat-message"
      data-key={item.key}
      data-status={item.status}
      style={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start' }}
    >
      <div style={{ maxWidth: '80%', minWidth: 0 }}>
        <Typography.Text
          type="secondary"
          style={{ fontSize: 12, display: 'block', textAlign: mine ? 'right' : 'left' }}
        >
          {who} · {formatDateTime(item.at)}
        </Typography.Text>
        <div
          style={{
            background: mine ? '#d9f7be' : '#fff',
            borderRadius: 8,
            padding: '6px 10px',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
          }}
        >
          {item.text ?? `[${item.messageType}]`}
        </div>
        {mine && (
          <div style={{ textAlign: 'right', marginTop: 2 }}>
            <Tag color={statusColors[item.status] ?? 'default'} style={{ marginInlineEnd: 0 }}>
              {label(messageStatusLabels, item.status)}
            </Tag>
            {item.error && item.status !== 'sent' && (
              <Typography.Text type="danger" style={{ fontSize: 12, marginInlineStart: 4 }}>
                {item.error}
              </Typography.Text>
            )}
            {item.outboxId !== null && retryable.has(item.status) && (
              <Button size="small" type="link" onClick={() => onRetry(item)}>
                重发
              </Button>
            )}
          </div>
        )}
      </div>
    </div>
  )
}

function Composer({ memberId, onAdded }: { memberId: number; onAdded: (item: ThreadItem) => void }) {
  const [form] = Form.useForm<{ text: string }>()
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  // One key per reply: a retry after a lost answer queues it once.
  const clientKey = useRef(newKey())
  const quick = useApi<Answer<'/conversations/{memberId}/quick-replies'>>(
    `/conversations/${memberId}/quick-replies`,
  )

  const send = async ({ text }: { text: string }) => {
    setSending(true)
    setError(null)
    try {
      const item = await apiRequest<ThreadItem>(`/conversations/${memberId}/messages`, {
        method: 'POST',
        body: { text, clientKey: clientKey.current } satisfies Reply,
      })
      clientKey.current = newKey()
      form.resetFields()
      onAdded(item)
    } catch (err) {
      const apiError = asApiError(err, '发送失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['text'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSending(false)
    }
  }

  return (
    <Form form={form} onFinish={send} requiredMark={false} data-testid="reply-form">
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="reply-error" />
      )}
      <Form.Item
        name="text"
        rules={[{ required: true, message: '请输入回复内容' }]}
        style={{ marginBottom: 8 }}
      >
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 6 }}
          maxLength={1000}
          placeholder="输入回复，经会员的专属顾问账号发出（Ctrl+Enter 发送）"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.submit()
          }}
        />
      </Form.Item>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Dropdown
          trigger={['click']}
          disabled={!quick.data?.items.length}
          menu={{
            items: (quick.data?.items ?? []).map((q) => ({
              key: q.code,
              label: (
                <div style={{ maxWidth: 280 }}>
                  <Typography.Text strong>{q.title}</Typography.Text>
                  <Typography.Paragraph
                    type="secondary"
                    ellipsis={{ rows: 2 }}
                    style={{ margin: 0, fontSize: 12 }}
                  >
                    {q.text}
                  </Typography.Paragraph>
                </div>
              ),
            })),
            onClick: ({ key }) => {
              const chosen = quick.data?.items.find((q) => q.code === key)
              if (chosen) form.setFieldsValue({ text: chosen.text })
            },
          }}
        >
          <Button icon={<ThunderboltOutlined />} loading={quick.loading}>
            快捷回复
          </Button>
        </Dropdown>
        {quick.error && (
          <Button size="small" type="link" onClick={quick.reload}>
            快捷回复加载失败，重试
          </Button>
        )}
        <Button type="primary" htmlType="submit" loading={sending}>
          发送
        </Button>
      </Space>
    </Form>
  )
}
