// 关怀活动: the calendar of coming occasions (festivals, the brand's own dates, this week's birthdays),
// each with its campaign or a 创建 entry, and every campaign in a list filtered by status and kind.
// The tab, filters and page live in the URL (?tab=list&status=draft&page=2).
import { useMemo } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { Button, Card, Empty, Result, Select, Space, Spin, Table, Tabs, Tag, Typography } from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { useApi, type Answer, type Loaded } from '../../api'
import { formatCount, formatDateTime } from '../../format'
import {
  campaignChannelLabels,
  campaignKindLabels,
  campaignStatusColors,
  campaignStatusLabels,
  label,
} from '../../labels'
import { may } from '../../session'

type Campaign = Answer<'/campaigns'>[number]
type Occasion = Answer<'/campaign-calendar'>[number]

const sourceNames: Record<Occasion['source'], string> = {
  festival: '节日',
  solar_term: '节气',
  brand: '品牌日',
}
const sourceColors: Record<Occasion['source'], string> = {
  festival: 'red',
  solar_term: 'green',
  brand: 'purple',
}

/** How far ahead the calendar looks. */
const HORIZON_DAYS = 60
const PAGE_SIZE = 20

const shanghaiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const weekdays = ['日', '一', '二', '三', '四', '五', '六']
const dayText = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 周${weekdays[d.getUTCDay()]}`
}
const daysUntil = (today: string, date: string) =>
  Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)

export default function CampaignsPage() {
  const [params, setParams] = useSearchParams()
  const tab = params.get('tab') === 'list' ? 'list' : 'calendar'
  const campaigns = useApi<Answer<'/campaigns'>>('/campaigns')
  const navigate = useNavigate()
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k)
      else next.set(k, v)
    }
    setParams(next)
  }
  return (
    <div data-testid="campaigns-page">
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          gap: 8,
          flexWrap: 'wrap',
          marginBottom: 8,
        }}
      >
        <Typography.Title level={3} style={{ margin: 0 }}>
          关怀活动
        </Typography.Title>
        {may('campaigns.manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/campaigns/new')}>
            新建活动
          </Button>
        )}
      </div>
      <Tabs
        activeKey={tab}
        onChange={(key) => set({ tab: key === 'list' ? 'list' : null, page: null })}
        items={[
          { key: 'calendar', label: '活动日历', children: <CalendarTab campaigns={campaigns} /> },
          {
            key: 'list',
            label: '全部活动',
            children: <CampaignList campaigns={campaigns} params={params} set={set} />,
          },
        ]}
      />
    </div>
  )
}

function LoadError({ what, loaded }: { what: string; loaded: Loaded<unknown> }) {
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

const Loading = () => (
  <div style={{ padding: 48, textAlign: 'center' }}>
    <Spin />
  </div>
)

function CalendarTab({ campaigns }: { campaigns: Loaded<Answer<'/campaigns'>> }) {
  const today = shanghaiToday()
  const year = Number(today.slice(0, 4))
  const thisYear = useApi<Answer<'/campaign-calendar'>>(`/campaign-calendar?year=${year}`)
  const nextYear = useApi<Answer<'/campaign-calendar'>>(`/campaign-calendar?year=${year + 1}`)
  const readyMade = useApi<Answer<'/segments/ready-made'>>('/segments/ready-made')
  const failed = [thisYear, nextYear, campaigns].find((l) => l.error)
  const until = addDays(today, HORIZON_DAYS)
  const coming = useMemo(
    () =>
      [...(thisYear.data ?? []), ...(nextYear.data ?? [])]
        .filter((o) => o.date >= today && o.date <= until)
        .sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name)),
    [thisYear.data, nextYear.data, today, until],
  )
  if (failed) return <LoadError what="活动日历" loaded={failed} />
  if (!thisYear.data || !nextYear.data || !campaigns.data) return <Loading />
  const live = campaigns.data.filter((c) => c.status !== 'archived')
  const forOccasion = (o: Occasion) =>
    live.filter((c) => c.kind === 'holiday' && (c.kindArgs as { occasion?: string }).occasion === o.code)
  const birthdays = readyMade.data?.find((s) => s.code === 'birthday_soon')
  const birthdayCampaigns = live.filter((c) => c.kind === 'birthday')
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Card size="small" data-testid="calendar-birthdays">
        <OccasionRow
          title="本周生日"
          when={`${dayText(today)} 起 7 天`}
          tag={<Tag color="magenta">生日</Tag>}
          extra={
            readyMade.error ? (
              <Button size="small" icon={<ReloadOutlined />} onClick={readyMade.reload}>
                重试
              </Button>
            ) : (
              <span data-testid="birthday-count">
                {birthdays ? `${formatCount(birthdays.members)} 位会员` : '…'}
              </span>
            )
          }
          campaigns={birthdayCampaigns}
          create="/campaigns/new?kind=birthday"
        />
      </Card>
      {coming.length === 0 ? (
        <Empty description={`未来 ${HORIZON_DAYS} 天没有节日或品牌日`} />
      ) : (
        coming.map((o) => {
          const n = daysUntil(today, o.date)
          return (
            <Card size="small" key={`${o.code}:${o.date}`} data-testid="calendar-occasion" data-code={o.code}>
              <OccasionRow
                title={o.name}
                when={`${dayText(o.date)} · ${n === 0 ? '今天' : `${n} 天后`}`}
                tag={<Tag color={sourceColors[o.source]}>{sourceNames[o.source]}</Tag>}
                campaigns={forOccasion(o)}
                create={`/campaigns/new?occasion=${encodeURIComponent(o.code)}`}
              />
            </Card>
          )
        })
      )}
    </Space>
  )
}

function OccasionRow({
  title,
  when,
  tag,
  extra,
  campaigns,
  create,
}: {
  title: string
  when: string
  tag: React.ReactNode
  extra?: React.ReactNode
  campaigns: Campaign[]
  create: string
}) {
  const navigate = useNavigate()
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
      <div style={{ flex: '1 1 200px', minWidth: 0 }}>
        <Space wrap size={4}>
          <Typography.Text strong>{title}</Typography.Text>
          {tag}
          {extra}
        </Space>
        <div>
          <Typography.Text type="secondary">{when}</Typography.Text>
        </div>
      </div>
      <Space wrap size={4}>
        {campaigns.map((c) => (
          <Link key={c.id} to={`/campaigns/${c.id}`} data-testid="occasion-campaign">
            <Tag
              color={campaignStatusColors[c.status]}
            >{`${c.name} · ${label(campaignStatusLabels, c.status)}`}</Tag>
          </Link>
        ))}
        {may('campaigns.manage') && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => void navigate(create)}>
            创建
          </Button>
        )}
      </Space>
    </div>
  )
}

function CampaignList({
  campaigns,
  params,
  set,
}: {
  campaigns: Loaded<Answer<'/campaigns'>>
  params: URLSearchParams
  set: (changes: Record<string, string | null>) => void
}) {
  const status = params.get('status')
  const kind = params.get('kind')
  const page = Math.max(1, Number(params.get('page')) || 1)
  if (campaigns.error) return <LoadError what="活动列表" loaded={campaigns} />
  const rows = (campaigns.data ?? []).filter(
    (c) => (!status || c.status === status) && (!kind || c.kind === kind),
  )
  const options = (labels: Record<string, string>) =>
    Object.entries(labels).map(([value, text]) => ({ value, label: text }))
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder="全部状态"
          style={{ width: 140 }}
          value={status ?? undefined}
          onChange={(v?: string) => set({ status: v ?? null, page: null })}
          options={options(campaignStatusLabels)}
          data-testid="filter-status"
        />
        <Select
          allowClear
          placeholder="全部类型"
          style={{ width: 160 }}
          value={kind ?? undefined}
          onChange={(v?: string) => set({ kind: v ?? null, page: null })}
          options={options(campaignKindLabels)}
          data-testid="filter-kind"
        />
      </Space>
      <Table<Campaign>
        rowKey="id"
        size="small"
        loading={campaigns.loading}
        dataSource={rows}
        scroll={{ x: 640 }}
        locale={{ emptyText: <Empty description={status || kind ? '没有符合条件的活动' : '还没有活动'} /> }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          onChange: (p) => set({ page: p === 1 ? null : String(p) }),
          showSizeChanger: false,
        }}
        columns={[
          {
            title: '活动',
            dataIndex: 'name',
            render: (name: string, c) => <Link to={`/campaigns/${c.id}`}>{name}</Link>,
          },
          { title: '类型', dataIndex: 'kind', render: (k: string) => label(campaignKindLabels, k) },
          { title: '渠道', dataIndex: 'channel', render: (k: string) => label(campaignChannelLabels, k) },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={campaignStatusColors[s]}>{label(campaignStatusLabels, s)}</Tag>
            ),
          },
          { title: '最近修改', dataIndex: 'updatedAt', render: (t: string) => formatDateTime(t) },
        ]}
      />
    </>
  )
}
