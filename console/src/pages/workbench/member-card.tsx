// The member beside the conversation: stage, tiers, points, last orders, tags and the open feedback
// ticket, which can be closed with a note here; without one, a ticket can be opened from the thread.
import { useState } from 'react'
import {
  Alert,
  Button,
  Descriptions,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd'
import { Link } from 'react-router'
import { apiRequest, asApiError, fieldErrors, type Answer, type Body } from '../../api'
import { formatCount, formatDateTime, formatFen } from '../../format'
import { label, stageColors, ticketCategoryLabels } from '../../labels'
import { visibleGroups } from '../../navigation'
import { loadSession } from '../../session'

export type Card = Answer<'/conversations/{memberId}'>
type OpenBody = Body<'/conversations/{memberId}/tickets', 'post'>
type ResolveBody = Body<'/tickets/{id}/resolve', 'post'>

/** The member record is a page of 会员列表; a role without that section (advisors) gets no link. */
const canOpenMembers = () =>
  visibleGroups(loadSession()?.operator.actions).some((g) => g.sections.some((s) => s.path === '/members'))

export function MemberCard({
  card,
  onChanged,
  latestInbound,
}: {
  card: Card
  onChanged: (text: string) => void
  /** The member's latest message, offered as the ticket's text. */
  latestInbound: string | null
}) {
  const [dialog, setDialog] = useState<'open' | 'resolve' | null>(null)
  const { member, openTicket } = card
  const name = member.name ?? member.nickname ?? member.memberNo
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12} data-testid="member-card">
      <Space wrap size={6}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {canOpenMembers() ? (
            <Link to={`/members/${member.id}`} data-testid="card-member">
              {name}
            </Link>
          ) : (
            name
          )}
        </Typography.Title>
        <Tag color={stageColors[member.stage]}>{member.stageName}</Tag>
        {member.optedOut && <Tag color="red">已退订</Tag>}
      </Space>
      <Descriptions column={1} size="small">
        <Descriptions.Item label="会员号">{member.memberNo}</Descriptions.Item>
        <Descriptions.Item label="专属顾问">{card.account?.displayName ?? '未分配'}</Descriptions.Item>
        <Descriptions.Item label="等级">
          {card.tiers.length ? card.tiers.join('、') : '普通会员'}
        </Descriptions.Item>
        <Descriptions.Item label="可用积分">
          <span data-testid="card-points">{formatCount(card.points)}</span>
        </Descriptions.Item>
        <Descriptions.Item label="最近活跃">{formatDateTime(member.lastSeenAt)}</Descriptions.Item>
      </Descriptions>
      <div data-testid="card-orders">
        <Typography.Text strong>最近订单</Typography.Text>
        <List
          size="small"
          dataSource={card.orders}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="还没有订单" /> }}
          renderItem={(o) => (
            <List.Item style={{ display: 'block', paddingInline: 0 }}>
              <Typography.Text style={{ wordBreak: 'break-all' }}>
                {o.title ?? '订单'}
                {o.items > 1 ? ` 等${o.items}件` : ''}
              </Typography.Text>
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatFen(o.payFen)} · {o.statusName} · {formatDateTime(o.createdAt)}
                </Typography.Text>
              </div>
            </List.Item>
          )}
        />
      </div>
      <div>
        <Typography.Text strong>标签</Typography.Text>
        <div style={{ marginTop: 4 }}>
          {card.tags.length === 0 ? (
            <Typography.Text type="secondary">暂无标签</Typography.Text>
          ) : (
            card.tags.map((t) => (
              <Tag key={t.tagId} style={{ marginBottom: 4 }}>
                {t.dimension}：{t.tag}
              </Tag>
            ))
          )}
        </div>
      </div>
      <div data-testid="card-ticket">
        <Typography.Text strong>反馈工单</Typography.Text>
        {openTicket ? (
          <Alert
            style={{ marginTop: 4 }}
            type="warning"
            title={`工单 #${openTicket.id} · ${label(ticketCategoryLabels, openTicket.category)} · 待处理`}
            description={
              <Space orientation="vertical" size={4}>
                <Typography.Text style={{ wordBreak: 'break-word' }}>
                  {openTicket.lastText ?? '—'}
                </Typography.Text>
                <Button size="small" type="primary" onClick={() => setDialog('resolve')}>
                  处理工单
                </Button>
              </Space>
            }
          />
        ) : (
          <div style={{ marginTop: 4 }}>
            <Button size="small" onClick={() => setDialog('open')}>
              开工单
            </Button>
          </div>
        )}
      </div>
      {dialog === 'open' && (
        <OpenTicket
          memberId={member.id}
          initialText={latestInbound}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null)
            onChanged('工单已开，可在“反馈工单”中查看')
          }}
        />
      )}
      {dialog === 'resolve' && openTicket && (
        <ResolveTicket
          ticketId={openTicket.id}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null)
            onChanged('工单已处理')
          }}
        />
      )}
    </Space>
  )
}

function OpenTicket({
  memberId,
  initialText,
  onClose,
  onDone,
}: {
  memberId: number
  initialText: string | null
  onClose: () => void
  onDone: () => void
}) {
  const [form] = Form.useForm<OpenBody>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const save = async (values: OpenBody) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest(`/conversations/${memberId}/tickets`, { method: 'POST', body: values })
      onDone()
    } catch (err) {
      const apiError = asApiError(err, '开工单失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['category', 'text'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      open
      title="开反馈工单"
      okText="开工单"
      onOk={form.submit}
      confirmLoading={saving}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="ticket-error" />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={save}
        requiredMark={false}
        initialValues={{ category: 'complaint', text: initialText ?? '' }}
      >
        <Form.Item label="类别" name="category" rules={[{ required: true, message: '请选择类别' }]}>
          <Select
            options={Object.entries(ticketCategoryLabels).map(([value, text]) => ({ value, label: text }))}
          />
        </Form.Item>
        <Form.Item label="会员反馈" name="text" rules={[{ required: true, message: '请写明会员反馈的内容' }]}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 6 }} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  )
}

function ResolveTicket({
  ticketId,
  onClose,
  onDone,
}: {
  ticketId: number
  onClose: () => void
  onDone: () => void
}) {
  const [form] = Form.useForm<ResolveBody>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const save = async (values: ResolveBody) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest(`/tickets/${ticketId}/resolve`, { method: 'POST', body: values })
      onDone()
    } catch (err) {
      const apiError = asApiError(err, '提交失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['resolution'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      open
      title={`处理工单 #${ticketId}`}
      okText="标记为已处理"
      onOk={form.submit}
      confirmLoading={saving}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="ticket-error" />
      )}
      <Form form={form} layout="vertical" onFinish={save} requiredMark={false}>
        <Form.Item
          label="处理结果"
          name="resolution"
          extra="写明如何答复、处理了会员的问题；会员看不到这段记录。"
          rules={[{ required: true, message: '请填写处理结果' }]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 6 }} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  )
}
