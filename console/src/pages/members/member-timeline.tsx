// Everything that happened to one member, newest first: chats, orders, points, stage changes, campaign
// messages delivered and tags, in the server's Chinese summaries, a page at a time.
import { useEffect, useState } from 'react'
import { Button, Empty, Result, Segmented, Space, Spin, Timeline, Typography } from 'antd'
import { apiRequest, asApiError, query, useApi, type Answer } from '../../api'
import { formatDateTime } from '../../format'

type Page = Answer<'/members/{id}/timeline'>
type Item = Page['items'][number]

const PAGE = 20

const sources: { value: Item['source'] | 'all'; label: string }[] = [
  { value: 'all', label: '全部' },
  { value: 'event', label: '行为' },
  { value: 'message', label: '触达' },
  { value: 'points', label: '积分' },
  { value: 'stage', label: '阶段' },
  { value: 'tag', label: '标签' },
]

const colors: Record<Item['source'], string> = {
  event: 'blue',
  message: 'purple',
  points: 'gold',
  stage: 'green',
  tag: 'gray',
}

export function MemberTimeline({ memberId, version }: { memberId: number; version: number }) {
  const [source, setSource] = useState<Item['source'] | 'all'>('all')
  const first = useApi<Page>(`/members/${memberId}/timeline${query({ limit: PAGE })}`)
  const { reload } = first
  // A change made on the page (points, tier, tags) adds to the timeline: read it again.
  useEffect(() => {
    if (version > 0) reload()
  }, [version, reload])
  const [more, setMore] = useState<{
    items: Item[]
    cursor: string | null
    loading: boolean
    error?: string
  }>({
    items: [],
    cursor: null,
    loading: false,
  })
  // A fresh first page (another member, or a change on this one) starts the list again.
  useEffect(() => {
    setMore({ items: [], cursor: first.data?.nextCursor ?? null, loading: false })
  }, [first.data])

  const loadMore = async () => {
    if (!more.cursor) return
    setMore((m) => ({ ...m, loading: true, error: undefined }))
    try {
      const next = await apiRequest<Page>(
        `/members/${memberId}/timeline${query({ limit: PAGE, cursor: more.cursor })}`,
      )
      setMore((m) => ({ items: [...m.items, ...next.items], cursor: next.nextCursor, loading: false }))
    } catch (err) {
      setMore((m) => ({ ...m, loading: false, error: asApiError(err, '加载失败').message }))
    }
  }

  if (first.error)
    return (
      <Result
        status="error"
        title="动态加载失败"
        subTitle={first.error.message}
        extra={<Button onClick={first.reload}>重试</Button>}
      />
    )
  if (!first.data) return <Spin style={{ display: 'block', padding: 24 }} />
  const all = [...first.data.items, ...more.items]
  const shown = source === 'all' ? all : all.filter((i) => i.source === source)
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Segmented
        options={sources}
        value={source}
        onChange={(v) => setSource(v as typeof source)}
        style={{ maxWidth: '100%', overflowX: 'auto' }}
      />
      {shown.length === 0 ? (
        <Empty description={all.length ? '已加载的动态中没有这一类' : '暂无动态'} />
      ) : (
        <Timeline
          data-testid="member-timeline"
          items={shown.map((e) => ({
            key: e.id,
            color: colors[e.source],
            title: <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>,
            content: <Typography.Text>{e.summary}</Typography.Text>,
          }))}
        />
      )}
      {more.error && <Typography.Text type="danger">{more.error}</Typography.Text>}
      {more.cursor ? (
        <Button block loading={more.loading} onClick={() => void loadMore()}>
          {more.error ? '重试' : '加载更多'}
        </Button>
      ) : (
        all.length > 0 && (
          <Typography.Text type="secondary" style={{ display: 'block', textAlign: 'center' }}>
            没有更早的动态了
          </Typography.Text>
        )
      )}
    </Space>
  )
}
