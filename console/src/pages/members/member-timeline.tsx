// The member's whole timeline — chats, orders, points, stage changes, campaign deliveries, tags,
// tickets — newest first, 20 at a time, filtered by kind through the URL (?timeline=…).
import { Button, Card, Empty, Select, Space, Timeline, Typography } from 'antd'
import { useInfiniteQuery } from '@tanstack/react-query'
import { useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { ErrorState } from '../../api/query'
import { formatDateTime } from '../../format'
import { eventLabels, label, stageLabels } from '../../labels'

const PAGE = 20

/** Kinds an operator filters by: event types, plus points entries, stage changes and tags. */
const kindOptions = [
  { value: 'chat_message', label: '聊天' },
  { value: 'order_placed,order_paid,order_refunded', label: '订单' },
  { value: 'earn,spend,expire,adjust,reverse', label: '积分' },
  { value: 'stage_changed', label: '阶段变化' },
  { value: 'campaign_delivered', label: '活动触达' },
  { value: 'tagged', label: '标签' },
  { value: 'feedback', label: '反馈与投诉' },
]

const sourceLabels: Record<string, string> = { points: '积分', stage: '阶段变化', tag: '标签' }

/** The server's line, with stage codes said in Chinese. */
function summary(e: { source: string; summary: string; data: Record<string, unknown> }): string {
  if (e.source !== 'stage') return e.summary
  const name = (code: unknown) => (typeof code === 'string' ? label(stageLabels, code) : '—')
  return `阶段变化：${name(e.data.fromStage)} → ${name(e.data.toStage)}`
}

export function MemberTimeline({ memberId }: { memberId: number }) {
  const [params, setParams] = useSearchParams()
  const types = params.get('timeline') ?? undefined
  const timeline = useInfiniteQuery({
    queryKey: ['member', memberId, 'timeline', types],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/admin/members/{id}/timeline', {
          params: {
            path: { id: memberId },
            query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}), ...(types ? { types } : {}) },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? []
  const setTypes = (v: string | undefined) => {
    const next = new URLSearchParams(params)
    if (v) next.set('timeline', v)
    else next.delete('timeline')
    setParams(next, { replace: true })
  }

  return (
    <Card
      title="时间线"
      extra={
        <Select
          allowClear
          placeholder="全部类型"
          style={{ width: 140 }}
          value={types}
          onChange={setTypes}
          options={kindOptions}
          data-testid="timeline-filter"
        />
      }
    >
      {timeline.isError && <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />}
      {timeline.isPending && <Typography.Text type="secondary">加载中…</Typography.Text>}
      {timeline.isSuccess && items.length === 0 && <Empty description="暂无记录" />}
      {items.length > 0 && (
        <Timeline
          data-testid="member-timeline"
          items={items.map((e) => ({
            key: e.id,
            children: (
              <Space direction="vertical" size={0} style={{ minWidth: 0 }}>
                <Space wrap>
                  <Typography.Text strong>
                    {e.source === 'event' ? label(eventLabels, e.type) : (sourceLabels[e.source] ?? e.type)}
                  </Typography.Text>
                  <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
                </Space>
                <Typography.Text style={{ wordBreak: 'break-word' }}>{summary(e)}</Typography.Text>
              </Space>
            ),
          }))}
        />
      )}
      {timeline.hasNextPage && (
        <Button
          block
          loading={timeline.isFetchingNextPage}
          onClick={() => void timeline.fetchNextPage()}
          data-testid="timeline-more"
        >
          加载更多
        </Button>
      )}
    </Card>
  )
}
