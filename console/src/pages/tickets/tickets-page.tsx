// 反馈工单: complaints, suggestions and requests for a person caught in chat, by status (?status=),
// with the member, the message that opened the ticket and what followed; resolve with a note.
import { useState } from 'react'
import { App, Button, Card, Form, Input, Segmented, Space, Table, Tag, Timeline, Typography } from 'antd'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { ErrorState } from '../../api/query'
import type { Answer } from '../../api/types'
import { FormModal } from '../../components/form-modal'
import { formatDateTime } from '../../format'
import { useAccess } from '../../me'

type Ticket = Answer<'/api/admin/tickets'>['items'][number]
interface TicketMessage {
  at?: string
  text?: string
  matched?: string
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
  const { can } = useAccess()
  const client = useQueryClient()
  const { message } = App.useApp()
  const status = params.get('status') === 'resolved' ? 'resolved' : 'open'
  const page = Math.max(1, Number(params.get('page')) || 1)
  const [resolving, setResolving] = useState<Ticket | null>(null)
  const list = useQuery({
    queryKey: ['tickets', status, page],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/admin/tickets', {
          // One more than a page, to know whether there is a next one.
          params: { query: { status, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE } },
          signal,
        }),
      ),
  })
  const rows = list.data?.items.slice(0, PAGE_SIZE) ?? []
  const more = (list.data?.items.length ?? 0) > PAGE_SIZE
  const go = (next: { status?: string; page?: number }) => {
    const s = new URLSearchParams()
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
          { title: '开启时间', dataIndex: 'openedAt', render: formatDateTime },
          ...(status === 'resolved'
            ? [{ title: '处理时间', dataIndex: 'resolvedAt', render: formatDateTime }]
            : [
                {
                  title: '操作',
                  render: (_: unknown, t: Ticket) =>
                    can('tickets.resolve') && (
                      <Button size="small" onClick={() => setResolving(t)} data-testid={`resolve-${t.id}`}>
                        处理完毕
                      </Button>
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
