// 会员分群: the ready-made segments with their sizes and the segments operators saved, side by side with
// the one open (on a phone, one after the other). A segment is built from conditions on stage, tier,
// tags, purchases, activity and the rest, counted live and previewed as it changes; saved under a
// name, changed, deleted, and exported as CSV. What is open lives in the URL (?segment=new,
// ?segment=12, ?segment=ready:very_active), so the back button and a reload return to it.
import { useMemo } from 'react'
import { App, Button, Card, Col, Empty, Grid, List, Result, Row, Space, Spin, Tag, Typography } from 'antd'
import { ArrowLeftOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { useApi, type Answer, type Loaded } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import { ReadyMadeView, SegmentEditor } from './segment-editor'
import { describeFilter, lookupsOf, type Lookups, type SavedSegment } from './segment-conditions'

type ReadyMade = Answer<'/segments/ready-made'>

const READY = 'ready:'

export default function SegmentsPage() {
  const [params, setParams] = useSearchParams()
  const open = params.get('segment')
  const from = params.get('from')
  const savedId = open && /^\d+$/.test(open) ? Number(open) : null
  const readyCode = open?.startsWith(READY) ? open.slice(READY.length) : null

  const readyMade = useApi<ReadyMade>('/segments/ready-made')
  const saved = useApi<Answer<'/segments'>>('/segments')
  const tags = useApi<Answer<'/tags'>>('/tags')
  const tiers = useApi<Answer<'/tiers'>>('/tiers')
  const opened = useApi<SavedSegment>(savedId === null ? null : `/segments/${savedId}`)
  const taxonomy = { tags, tiers }
  const lookups = useMemo(
    () => lookupsOf(tags.data ?? tags.previous, tiers.data ?? tiers.previous),
    [tags.data, tags.previous, tiers.data, tiers.previous],
  )
  const { message } = App.useApp()
  const screens = Grid.useBreakpoint()
  const wide = screens.md !== false
  // Side by side from 1200 px; below that, the list or the open segment.
  const twoColumns = screens.xl !== false

  const show = (segment: string | null, template?: string) => {
    const next = new URLSearchParams()
    if (segment) next.set('segment', segment)
    if (template) next.set('from', template)
    setParams(next)
  }

  const readyList = readyMade.data ?? readyMade.previous
  const template = from ? readyList?.find((s) => s.code === from) : undefined
  const current =
    opened.data ?? (opened.previous && opened.previous.id === savedId ? opened.previous : undefined)

  let panel: React.ReactNode
  if (open === 'new') {
    panel =
      from && !template && !readyMade.error ? (
        <Loading />
      ) : (
        <SegmentEditor
          key={`new:${template?.code ?? ''}`}
          segment={null}
          template={template}
          taxonomy={taxonomy}
          wide={wide}
          onSaved={(s) => {
            void message.success(`已保存分群“${s.name}”`)
            saved.reload()
            show(String(s.id))
          }}
          onDeleted={() => show(null)}
        />
      )
  } else if (savedId !== null) {
    panel = current ? (
      <SegmentEditor
        key={`saved:${current.id}`}
        segment={current}
        taxonomy={taxonomy}
        wide={wide}
        onSaved={(s) => {
          void message.success(`已保存对“${s.name}”的修改`)
          saved.reload()
        }}
        onDeleted={() => {
          saved.reload()
          show(null)
        }}
      />
    ) : opened.error ? (
      <Card>
        <Result
          status={opened.error.status === 404 ? 'warning' : 'error'}
          title={opened.error.status === 404 ? '分群不存在或已被删除' : '分群加载失败'}
          subTitle={opened.error.message}
          extra={
            <Space wrap>
              {opened.error.status !== 404 && (
                <Button icon={<ReloadOutlined />} onClick={opened.reload}>
                  重试
                </Button>
              )}
              <Button onClick={() => show(null)}>返回列表</Button>
            </Space>
          }
        />
      </Card>
    ) : (
      <Loading />
    )
  } else if (readyCode !== null) {
    const segment = readyList?.find((s) => s.code === readyCode)
    panel = segment ? (
      <ReadyMadeView
        segment={segment}
        lookups={lookups}
        wide={wide}
        onCopy={() => show('new', segment.code)}
      />
    ) : readyMade.error ? (
      <ListError what="常用分群" loaded={readyMade} />
    ) : readyList ? (
      <Card>
        <Result
          status="warning"
          title="没有这个常用分群"
          extra={<Button onClick={() => show(null)}>返回列表</Button>}
        />
      </Card>
    ) : (
      <Loading />
    )
  } else {
    panel = (
      <Card>
        <Empty description="选择一个分群查看条件和会员，或新建分群">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => show('new')}>
            新建分群
          </Button>
        </Empty>
      </Card>
    )
  }

  const lists = (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <SavedList
        saved={saved}
        selected={savedId}
        lookups={lookups}
        onOpen={(id) => show(String(id))}
        onNew={() => show('new')}
      />
      <ReadyMadeList readyMade={readyMade} selected={readyCode} onOpen={(code) => show(READY + code)} />
    </Space>
  )

  return (
    <div data-testid="segments-page">
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          gap: 8,
          flexWrap: 'wrap',
          marginBottom: 16,
        }}
      >
        <Typography.Title level={3} style={{ margin: 0 }}>
          会员分群
        </Typography.Title>
        <Space wrap>
          {!twoColumns && open && (
            <Button icon={<ArrowLeftOutlined />} onClick={() => show(null)}>
              返回列表
            </Button>
          )}
          <Button type="primary" icon={<PlusOutlined />} onClick={() => show('new')}>
            新建分群
          </Button>
        </Space>
      </div>
      {twoColumns ? (
        <Row gutter={[16, 16]} wrap={false}>
          <Col flex="320px" style={{ minWidth: 0 }}>
            {lists}
          </Col>
          <Col flex="auto" style={{ minWidth: 0 }}>
            {panel}
          </Col>
        </Row>
      ) : open ? (
        panel
      ) : (
        lists
      )}
    </div>
  )
}

function Loading() {
  return (
    <Card>
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    </Card>
  )
}

function ListError({ what, loaded }: { what: string; loaded: Loaded<unknown> }) {
  return (
    <Result
      status="error"
      title={`${what}加载失败`}
      subTitle={loaded.error?.message}
      extra={
        <Button icon={<ReloadOutlined />} onClick={loaded.reload}>
          重试
        </Button>
      }
    />
  )
}

const itemStyle = (active: boolean): React.CSSProperties => ({
  display: 'block',
  cursor: 'pointer',
  padding: '10px 12px',
  borderRadius: 6,
  background: active ? '#fff7ed' : undefined,
})

function SavedList({
  saved,
  selected,
  lookups,
  onOpen,
  onNew,
}: {
  saved: Loaded<Answer<'/segments'>>
  selected: number | null
  lookups: Lookups
  onOpen: (id: number) => void
  onNew: () => void
}) {
  const items = saved.data ?? saved.previous
  return (
    <Card
      size="small"
      title="我的分群"
      extra={
        <Button size="small" icon={<ReloadOutlined />} onClick={saved.reload} aria-label="刷新我的分群" />
      }
    >
      {saved.error && !items ? (
        <ListError what="我的分群" loaded={saved} />
      ) : (
        <List<SavedSegment>
          loading={saved.loading && !items}
          dataSource={items ?? []}
          split
          locale={{
            emptyText: (
              <Empty description="还没有保存的分群">
                <Button icon={<PlusOutlined />} onClick={onNew}>
                  新建分群
                </Button>
              </Empty>
            ),
          }}
          renderItem={(s) => {
            const lines = describeFilter(s.filter, lookups).lines
            return (
              <List.Item
                data-testid="saved-segment"
                data-segment-id={s.id}
                style={itemStyle(s.id === selected)}
                onClick={() => onOpen(s.id)}
              >
                <Typography.Text strong>{s.name}</Typography.Text>
                <Typography.Paragraph
                  type="secondary"
                  ellipsis={{ rows: 2 }}
                  style={{ margin: '2px 0 0', fontSize: 12 }}
                >
                  {s.description ?? (lines.length ? lines.join('；') : '全部会员')}
                </Typography.Paragraph>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {`修改于 ${formatDateTime(s.updatedAt)}`}
                </Typography.Text>
              </List.Item>
            )
          }}
        />
      )}
    </Card>
  )
}

function ReadyMadeList({
  readyMade,
  selected,
  onOpen,
}: {
  readyMade: Loaded<ReadyMade>
  selected: string | null
  onOpen: (code: string) => void
}) {
  const items = readyMade.data ?? readyMade.previous
  return (
    <Card size="small" title="常用分群">
      {readyMade.error && !items ? (
        <ListError what="常用分群" loaded={readyMade} />
      ) : (
        <List<ReadyMade[number]>
          loading={readyMade.loading && !items}
          dataSource={items ?? []}
          locale={{ emptyText: <Empty description="暂无常用分群" /> }}
          renderItem={(s) => (
            <List.Item
              data-testid="ready-made-segment"
              data-code={s.code}
              style={itemStyle(s.code === selected)}
              onClick={() => onOpen(s.code)}
            >
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <Typography.Text strong>{s.name}</Typography.Text>
                <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid="ready-made-size">
                  {`${formatCount(s.members)} 人`}
                </Tag>
              </div>
              <Typography.Paragraph
                type="secondary"
                ellipsis={{ rows: 2 }}
                style={{ margin: '2px 0 0', fontSize: 12 }}
              >
                {s.description}
              </Typography.Paragraph>
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}
