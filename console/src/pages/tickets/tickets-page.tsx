// 反馈工单: complaints, suggestions and requests for a person caught in chat, by status (?status=) and
// member (?memberId=), with the message that opened the ticket and what followed; take a ticket (指派给
// 我), write notes until chat replies exist, resolve with the outcome.
import { useState } from 'react'
import { App, Button, Card, Form, Input, Segmented, Space, Table, Tag, Timeline, Typography } from 'antd'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { errorMessage, ErrorState } from '../../api/query'
import type { Answer } from '../../api/types'
import { FormModal } from '../../components/form-modal'
import { formatDateTime } from '../../format'
import { useAccess } from '../../me'

type Ticket = Answer<'/api/admin/tickets'>['items'][number]
interface TicketMessage {
  at?: string
  text?: string
  matched?: string
  /** An operator's note rather than the member's message. */
  note?: boolean
}

const PAGE_SIZE = 20
const categoryLabels: Record<string, string> = {
  complaint: '投诉',
  suggestion: '建议',
  praise: '表扬',
  human: '转人工',
  question: '咨询',
}
const categoryColors: Record<string, string> = { complaint: 'red', suggestion: 'blue', praise: 'green' }

const messagesOf = (t: Ticket): TicketMessage[] =>
  Array.isArray(t.messages) ? (t.messages as TicketMessage[]) : []

export default function TicketsPage() {
  const [params, setParams] = useSearchParams()
  const { can, operator } = useAccess()
  const client = useQueryClient()
  const { message } = App.useApp()
  const status = params.get('status') === 'resolved' ? 'resolved' : 'open'
  const page = Math.max(1, Number(params.get('page')) || 1)
  const memberId = Number(params.get('memberId')) > 0 ? Number(params.get('memberId')) : undefined
  const [resolving, setResolving] = useState<Ticket | null>(null)
  const [noting, setNoting] = useState<Ticket | null>(null)
  const list = useQuery({
    queryKey: ['tickets', status, memberId, page],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/admin/tickets', {
          // One more than a page, to know whether there is a next one.
          params: {
            query: {
              status,
              ...(memberId ? { memberId } : {}),
              limit: PAGE_SIZE + 1,
              offset: (page - 1) * PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
  })
  const rows = list.data?.items.slice(0, PAGE_SIZE) ?? []
  const more = (list.data?.items.length ?? 0) > PAGE_SIZE
  const assign = async (t: Ticket, operatorId: number | null) => {
    try {
      await unwrap(
        api.POST('/api/admin/tickets/{id}/assign', { params: { path: { id: t.id } }, body: { operatorId } }),
      )
      message.success(operatorId ? '已指派给你' : '已取消指派')
      await client.invalidateQueries({ queryKey: ['tickets'] })
    } catch (err) {
      message.error(errorMessage(err))
    }
  }
  const go = (next: { status?: string; page?: number }) => {
    const s = new URLSearchParams()
    if (memberId) s.set('memberId', String(memberId))
    const st = next.status ?? status
    if (st !== 'open') s.set('status', st)
    const p = next.page ?? 1
    if (p > 1) s.set('page', String(p))
    setParams(s)
  }

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          反馈工单
        </Typography.Title>
      }
      extra={
        <Segmented
          value={status}
          onChange={(v) => go({ status: String(v) })}
          options={[
            { value: 'open', label: '待处理' },
            { value: 'resolved', label: '已处理' },
          ]}
          data-testid="ticket-status"
        />
      }
    >
      {list.isError && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      <Table<Ticket>
        rowKey="id"
        loading={list.isFetching}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: status === 'open' ? '没有待处理的工单' : '没有已处理的工单' }}
        pagination={false}
        expandable={{
          expandedRowRender: (t) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Timeline
                items={messagesOf(t).map((m, i) => ({
                  key: i,
                  children: (
                    <span>
                      <Typography.Text type="secondary">{formatDateTime(m.at ?? null)}</Typography.Text>{' '}
                      {m.text}
                    </span>
                  ),
                }))}
              />
              {t.resolution && <Typography.Text>处理结果：{t.resolution}</Typography.Text>}
            </Space>
          ),
        }}
        columns={[
          {
            title: '会员',
            render: (_, t) => <Link to={`/members/${t.memberId}`}>{t.memberName ?? t.memberNo}</Link>,
          },
          {
            title: '类型',
            dataIndex: 'category',
            render: (c: string) => <Tag color={categoryColors[c]}>{categoryLabels[c] ?? c}</Tag>,
          },
          {
            title: '开启消息',
            render: (_, t) => (
              <Typography.Text ellipsis style={{ maxWidth: 280 }} data-testid={`ticket-opening-${t.id}`}>
                {messagesOf(t)[0]?.text ?? '—'}
              </Typography.Text>
            ),
          },
          { title: '顾问号', dataIndex: 'accountName' },
          {
            title: '负责人',
            render: (_, t) => <span data-testid={`ticket-owner-${t.id}`}>{t.operatorName ?? '未指派'}</span>,
          },
          { title: '开启时间', dataIndex: 'openedAt', render: formatDateTime },
          ...(status === 'resolved'
            ? [{ title: '处理时间', dataIndex: 'resolvedAt', render: formatDateTime }]
            : [
                {
                  title: '操作',
                  render: (_: unknown, t: Ticket) =>
                    can('tickets.resolve') && (
                      <Space size={4}>
                        {t.operatorId === operator?.id ? (
                          <Button size="small" onClick={() => void assign(t, null)}>
                            取消指派
                          </Button>
                        ) : (
                          <Button
                            size="small"
                            onClick={() => operator && void assign(t, operator.id)}
                            data-testid={`assign-${t.id}`}
                          >
                            指派给我
                          </Button>
                        )}
                        <Button size="small" onClick={() => setNoting(t)} data-testid={`note-${t.id}`}>
                          备注
                        </Button>
                        <Button size="small" onClick={() => setResolving(t)} data-testid={`resolve-${t.id}`}>
                          处理完毕
                        </Button>
                      </Space>
                    ),
                },
              ]),
        ]}
      />
      <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
        <Button disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
          上一页
        </Button>
        <Typography.Text>第 {page} 页</Typography.Text>
        <Button disabled={!more} onClick={() => go({ page: page + 1 })}>
          下一页
        </Button>
      </Space>
      {memberId && (
        <Tag
          closable
          onClose={() => setParams(status === 'open' ? {} : { status })}
          style={{ marginTop: 12 }}
        >
          只看会员 #{memberId} 的工单
        </Tag>
      )}
      {noting && (
        <FormModal<{ text: string }>
          title={`备注：${noting.memberName ?? noting.memberNo}`}
          open
          onClose={() => setNoting(null)}
          testId="note-modal"
          onSubmit={async (v) => {
            await unwrap(
              api.POST('/api/admin/tickets/{id}/notes', {
                params: { path: { id: noting.id } },
                body: { text: v.text ?? '' },
              }),
            )
            message.success('备注已保存')
            await client.invalidateQueries({ queryKey: ['tickets'] })
          }}
        >
          <Form.Item label="备注" name="text">
            <Input.TextArea rows={3} maxLength={1000} placeholder="例如：已电话联系，明天补发" />
          </Form.Item>
        </FormModal>
      )}
      {resolving && (
        <FormModal<{ resolution: string }>
          title={`关闭工单：${resolving.memberName ?? resolving.memberNo}`}
          open
          okText="关闭工单"
          onClose={() => setResolving(null)}
          testId="resolve-modal"
          onSubmit={async (v) => {
            await unwrap(
              api.POST('/api/admin/tickets/{id}/resolve', {
                params: { path: { id: resolving.id } },
                body: { resolution: v.resolution ?? '' },
              }),
            )
            message.success('工单已关闭')
            await client.invalidateQueries({ queryKey: ['tickets'] })
          }}
        >
          <Form.Item label="处理结果" name="resolution">
            <Input.TextArea rows={3} maxLength={1000} placeholder="例如：已补发快递并致歉" />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  )
}
