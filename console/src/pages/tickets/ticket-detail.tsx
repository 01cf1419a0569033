// One feedback ticket in the inbox's drawer: who opened it (with a way to their member record), every
// chat message it holds, and either the form to close it with a 处理结果 or the result already noted.
// The server decides what a valid result is; its refusals appear on the field.
import { useState } from 'react'
import { Alert, Button, Descriptions, Empty, Form, Input, Space, Tag, Timeline, Typography } from 'antd'
import { Link } from 'react-router'
import { MessageOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, fieldErrors, type Answer, type Body } from '../../api'
import { formatDateTime } from '../../format'
import { visibleGroups } from '../../navigation'
import { loadSession } from '../../session'
import { categoryColors, categoryLabel, ticketMessages, type Ticket } from './ticket-labels'

type Resolved = Answer<'/tickets/{id}/resolve', 'post'>
type ResolveBody = Body<'/tickets/{id}/resolve', 'post'>

/** The member record is a page of 会员列表; a role without that section (advisors) gets no link. */
function canOpenMembers(): boolean {
  return visibleGroups(loadSession()?.operator.actions).some((g) =>
    g.sections.some((s) => s.path === '/members'),
  )
}

export function TicketDetail({
  ticket,
  onResolved,
  onStale,
}: {
  ticket: Ticket
  onResolved: (ticket: Resolved) => void
  /** The ticket changed elsewhere (closed by a colleague, or gone): the inbox should read again. */
  onStale: () => void
}) {
  const messages = ticketMessages(ticket.messages)
  const member = `${ticket.memberName ?? '未填写姓名'}（${ticket.memberNo}）`
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Descriptions
        column={1}
        size="small"
        data-testid="ticket-facts"
        items={[
          {
            key: 'member',
            label: '会员',
            children: canOpenMembers() ? (
              <Link to={`/members/${ticket.memberId}`} data-testid="ticket-member">
                {member}
              </Link>
            ) : (
              <span data-testid="ticket-member">{member}</span>
            ),
          },
          {
            key: 'category',
            label: '类别',
            children: <Tag color={categoryColors[ticket.category]}>{categoryLabel(ticket.category)}</Tag>,
          },
          { key: 'account', label: '顾问账号', children: ticket.accountName },
          { key: 'source', label: '来源', children: ticket.chatGroupId === null ? '私聊' : '群聊' },
          { key: 'opened', label: '开启时间', children: formatDateTime(ticket.openedAt) },
          {
            key: 'status',
            label: '状态',
            children:
              ticket.status === 'open' ? (
                <Tag color="orange">待处理</Tag>
              ) : (
                <Tag color="green">已处理 · {formatDateTime(ticket.resolvedAt)}</Tag>
              ),
          },
        ]}
      />
      <Link to={`/workbench?member=${ticket.memberId}`} data-testid="ticket-reply">
        <Button icon={<MessageOutlined />}>在工作台回复</Button>
      </Link>
      <div>
        <Typography.Title level={5}>消息记录（{messages.length} 条）</Typography.Title>
        {messages.length === 0 ? (
          <Empty description="这张工单没有保存消息" />
        ) : (
          <Timeline
            data-testid="ticket-messages"
            items={messages.map((m, i) => ({
              key: i,
              color: categoryColors[m.category ?? ticket.category] ?? 'gray',
              title: formatDateTime(m.at),
              content: (
                <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                  <Typography.Text style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    {m.text}
                  </Typography.Text>
                  <Space size={4} wrap>
                    {m.category && m.category !== ticket.category && <Tag>{categoryLabel(m.category)}</Tag>}
                    {m.matched && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        命中：{m.matched}
                      </Typography.Text>
                    )}
                  </Space>
                </Space>
              ),
            }))}
          />
        )}
      </div>
      {ticket.status === 'open' ? (
        <ResolveForm ticket={ticket} onResolved={onResolved} onStale={onStale} />
      ) : (
        <div data-testid="ticket-resolution">
          <Typography.Title level={5}>处理结果</Typography.Title>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {ticket.resolution ?? '—'}
          </Typography.Paragraph>
        </div>
      )}
    </Space>
  )
}

function ResolveForm({
  ticket,
  onResolved,
  onStale,
}: {
  ticket: Ticket
  onResolved: (ticket: Resolved) => void
  onStale: () => void
}) {
  const [form] = Form.useForm<{ resolution: string }>()
  const [error, setError] = useState<string | null>(null)
  const [closed, setClosed] = useState(false)
  const [saving, setSaving] = useState(false)

  const save = async ({ resolution }: { resolution: string }) => {
    setSaving(true)
    setError(null)
    try {
      const resolved = await apiRequest<Resolved>(`/tickets/${ticket.id}/resolve`, {
        method: 'POST',
        body: { resolution } satisfies ResolveBody,
      })
      onResolved(resolved)
    } catch (err) {
      const apiError = asApiError(err, '提交失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['resolution'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
      // Closed by someone else, or no longer in this operator's accounts: nothing left to submit.
      if (apiError.code === 'ticket_already_resolved' || apiError.code === 'ticket_not_found') {
        setClosed(true)
        onStale()
      }
    } finally {
      setSaving(false)
    }
  }

  if (closed)
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="resolve-error"
        title={error}
        description="列表已刷新，可在“已处理”中查看这张工单的处理结果。"
      />
    )
  return (
    <Form form={form} layout="vertical" onFinish={save} requiredMark={false} data-testid="resolve-form">
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="resolve-error" />
      )}
      <Form.Item
        label="处理结果"
        name="resolution"
        extra="写明如何答复、处理了会员的问题；会员看不到这段记录。答复会员请点上方“在工作台回复”。"
        rules={[{ required: true, message: '请填写处理结果' }]}
      >
        <Input.TextArea
          autoSize={{ minRows: 3, maxRows: 8 }}
          maxLength={1000}
          showCount
          placeholder="如：已电话联系会员致歉，补发一瓶并赠 200 积分"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving}>
        标记为已处理
      </Button>
    </Form>
  )
}
