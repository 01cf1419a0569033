// What a campaign's runs did: sent, failed, replied within 48 h, ordered within 7 days, revenue,
// points, and the uplift against the holdout, for the campaign and per advisor account, as charts with
// their figures beside them; each run's unreachable members with the reason, and 取消发送 for a run that
// still has messages waiting. While a campaign is live the figures refresh by themselves.
import { useEffect, useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined, StopOutlined } from '@ant-design/icons'
import { apiRequest, asApiError, useApi, type Answer } from '../../api'
import { formatCount, formatDateTime, formatFen, formatPercent } from '../../format'
import { campaignRunStatusLabels, label, unreachableReasonLabels } from '../../labels'
import { may } from '../../session'
import { Chart, type ChartOption } from '../dashboard/chart'

type Results = Answer<'/campaigns/{id}/results'>
type Runs = Answer<'/campaigns/{id}/runs'>
type Counts = Results['totals']
type Uplift = Results['uplift']

/** How often a live campaign's page asks again. */
export const REFRESH_MS = 3000

/** Call `reload` every `ms` while `active`. */
export function useRefresh(active: boolean, ms: number, ...reloads: (() => void)[]) {
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => reloads.forEach((r) => r()), ms)
    return () => clearInterval(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, ms, ...reloads])
}

export function CampaignResults({ campaignId, live }: { campaignId: number; live: boolean }) {
  const runs = useApi<Runs>(`/campaigns/${campaignId}/runs`)
  const [runId, setRunId] = useState<number | null>(null)
  const results = useApi<Results>(`/campaigns/${campaignId}/results${runId ? `?runId=${runId}` : ''}`)
  const accounts = useApi<Answer<'/accounts'>>(may('chat.read') ? '/accounts' : null)
  const runList = runs.data ?? runs.previous
  const shown = results.data ?? results.previous
  const sending = (runList ?? []).some((r) => r.status === 'planning') || (shown?.totals.pending ?? 0) > 0
  useRefresh(live || sending, REFRESH_MS, runs.reload, results.reload)
  const names = useMemo(
    () => new Map((accounts.data?.items ?? []).map((a) => [a.id, a.displayName ?? a.name])),
    [accounts.data],
  )
  const accountName = (id: number | null) => (id === null ? '没有顾问' : (names.get(id) ?? `账号 #${id}`))

  const failed = runs.error ?? results.error
  if (failed && !shown)
    return (
      <Card title="发送与效果" size="small">
        <Alert
          type="error"
          showIcon
          title={failed.message}
          action={
            <Button
              size="small"
              icon={<ReloadOutlined />}
              onClick={() => {
                runs.reload()
                results.reload()
              }}
            >
              重试
            </Button>
          }
        />
      </Card>
    )
  return (
    <Card
      title="发送与效果"
      size="small"
      data-testid="campaign-results"
      data-live={live || sending ? 'true' : 'false'}
      extra={sending ? <Tag color="processing">发送中，每 3 秒刷新</Tag> : null}
    >
      {!runList || !shown ? (
        <Typography.Text type="secondary">加载中…</Typography.Text>
      ) : runList.length === 0 ? (
        <Empty description={live ? '已批准，到发送时间后开始发送' : '还没有发送过'} />
      ) : (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <RunTable runs={runList} onChanged={() => (runs.reload(), results.reload())} />
          <Select
            style={{ width: 260, maxWidth: '100%' }}
            value={runId ?? 0}
            onChange={(v: number) => setRunId(v || null)}
            options={[
              { value: 0, label: '全部发送' },
              ...runList.map((r) => ({ value: r.id, label: `${r.runDate} ${r.occasionName ?? ''}` })),
            ]}
          />
          <Totals totals={shown.totals} uplift={shown.uplift} windows={shown.windows} />
          <AccountResults accounts={shown.accounts} accountName={accountName} />
          {runId && <Unreachable runId={runId} accountName={accountName} />}
        </Space>
      )}
    </Card>
  )
}

function RunTable({ runs, onChanged }: { runs: Runs; onChanged: () => void }) {
  const { message, modal } = App.useApp()
  const cancel = (run: Runs[number]) =>
    modal.confirm({
      title: `取消 ${run.runDate} 这次发送？`,
      content: '尚未发出的消息会被撤回，已发出的不受影响。此操作不能撤销。',
      okText: '取消发送',
      okButtonProps: { danger: true },
      cancelText: '返回',
      onOk: async () => {
        try {
          const r = await apiRequest<Answer<'/campaign-runs/{runId}/cancel', 'post'>>(
            `/campaign-runs/${run.id}/cancel`,
            { method: 'POST' },
          )
          void message.success(`已取消，撤回 ${r.withdrawn} 条未发出的消息`)
          onChanged()
        } catch (err) {
          void message.error(asApiError(err, '取消失败，请稍后重试').message)
        }
      },
    })
  return (
    <Table<Runs[number]>
      size="small"
      rowKey="id"
      dataSource={runs}
      pagination={false}
      scroll={{ x: 560 }}
      columns={[
        { title: '发送日', dataIndex: 'runDate', render: (d: string, r) => `${d} ${r.occasionName ?? ''}` },
        {
          title: '状态',
          dataIndex: 'status',
          render: (s: string) => <span data-testid="run-status">{label(campaignRunStatusLabels, s)}</span>,
        },
        { title: '开始', dataIndex: 'startedAt', render: (t: string) => formatDateTime(t) },
        { title: '错误', dataIndex: 'lastError', render: (e: string | null) => e ?? '—' },
        {
          title: '',
          render: (_, r) =>
            may('campaigns.manage') && r.status !== 'cancelled' ? (
              <Button size="small" danger icon={<StopOutlined />} onClick={() => cancel(r)}>
                取消发送
              </Button>
            ) : null,
        },
      ]}
    />
  )
}

const figures = (c: Counts) => [
  { key: 'audience', label: '受众', value: formatCount(c.audience ?? 0) },
  { key: 'sent', label: '已发送', value: formatCount((c.sent ?? 0) + (c.groupSent ?? 0)) },
  { key: 'failed', label: '发送失败', value: formatCount((c.failed ?? 0) + (c.groupFailed ?? 0)) },
  { key: 'pending', label: '待发送', value: formatCount(c.pending ?? 0) },
  { key: 'replied', label: '48 小时内回复', value: formatCount(c.replied ?? 0) },
  { key: 'ordered', label: '7 天内下单人数', value: formatCount(c.orderedMembers ?? 0) },
  { key: 'revenue', label: '营业额', value: formatFen(c.revenueFen ?? 0) },
  {
    key: 'points',
    label: '积分（下单 + 赠送）',
    value: formatCount((c.orderPoints ?? 0) + (c.giftPoints ?? 0)),
  },
  { key: 'holdout', label: '对照组', value: formatCount(c.holdout ?? 0) },
]

function Totals({
  totals,
  uplift,
  windows,
}: {
  totals: Counts
  uplift: Uplift
  windows: Results['windows']
}) {
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: ['发送组', '对照组'] },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    series: [
      {
        type: 'bar',
        name: `${windows.orderDays} 天内下单率`,
        data: [uplift.sendConversion ?? 0, uplift.holdoutConversion ?? 0],
        itemStyle: { color: '#c2410c' },
      },
    ],
  }
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={14}>
        <Row gutter={[8, 8]} data-testid="result-totals">
          {figures(totals).map((f) => (
            <Col xs={12} sm={8} key={f.key}>
              <Statistic title={f.label} value={f.value} data-testid={`total-${f.key}`} />
            </Col>
          ))}
        </Row>
      </Col>
      <Col xs={24} lg={10}>
        <Typography.Text strong>与对照组比较</Typography.Text>
        <Chart option={option} height={200} testId="uplift-chart" />
        <Typography.Text type="secondary" data-testid="uplift">
          {`下单率 ${formatPercent(uplift.sendConversion ?? null)} / 对照组 ${formatPercent(uplift.holdoutConversion ?? null)}，提升 ${
            uplift.conversionUpliftPts === null || uplift.conversionUpliftPts === undefined
              ? '—'
              : `${uplift.conversionUpliftPts.toFixed(1)} 个百分点`
          }；增量营业额 ${uplift.incrementalRevenueFen == null ? '—' : formatFen(uplift.incrementalRevenueFen)}`}
        </Typography.Text>
      </Col>
    </Row>
  )
}

type AccountRow = Results['accounts'][number]

function AccountResults({
  accounts,
  accountName,
}: {
  accounts: AccountRow[]
  accountName: (id: number | null) => string
}) {
  const option = useMemo<ChartOption>(() => {
    const pick = (k: string) => accounts.map((a) => a.totals[k] ?? 0)
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 48 },
      xAxis: {
        type: 'category',
        data: accounts.map((a) => accountName(a.accountId)),
        axisLabel: { interval: 0, rotate: 20 },
      },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: '已发送', data: pick('sent') },
        { type: 'bar', name: '失败', data: pick('failed') },
        { type: 'bar', name: '回复', data: pick('replied') },
        { type: 'bar', name: '下单', data: pick('orderedMembers') },
      ],
    }
  }, [accounts, accountName])
  if (accounts.length === 0) return null
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={10}>
        <Typography.Text strong>各顾问账号</Typography.Text>
        <Chart option={option} height={260} testId="accounts-chart" />
      </Col>
      <Col xs={24} lg={14}>
        <Table<AccountRow>
          size="small"
          rowKey={(a) => String(a.accountId)}
          dataSource={accounts}
          pagination={false}
          scroll={{ x: 600 }}
          onRow={(a) => ({ 'data-testid': 'account-result', 'data-account': a.accountId ?? '' }) as never}
          columns={[
            { title: '账号', render: (_, a) => accountName(a.accountId) },
            { title: '已发送', render: (_, a) => <span data-field="sent">{a.totals.sent ?? 0}</span> },
            { title: '失败', render: (_, a) => <span data-field="failed">{a.totals.failed ?? 0}</span> },
            { title: '回复', render: (_, a) => <span data-field="replied">{a.totals.replied ?? 0}</span> },
            {
              title: '下单',
              render: (_, a) => <span data-field="ordered">{a.totals.orderedMembers ?? 0}</span>,
            },
            { title: '营业额', render: (_, a) => formatFen(a.totals.revenueFen ?? 0) },
            { title: '下单率', render: (_, a) => formatPercent(a.uplift.sendConversion ?? null) },
            {
              title: '比对照组',
              render: (_, a) =>
                a.uplift.conversionUpliftPts == null
                  ? '—'
                  : `${a.uplift.conversionUpliftPts.toFixed(1)} 个百分点`,
            },
          ]}
        />
      </Col>
    </Row>
  )
}

function Unreachable({ runId, accountName }: { runId: number; accountName: (id: number | null) => string }) {
  const list = useApi<Answer<'/campaign-runs/{runId}/unreachable'>>(`/campaign-runs/${runId}/unreachable`)
  if (list.error)
    return (
      <Alert
        type="error"
        showIcon
        title={list.error.message}
        action={
          <Button size="small" onClick={list.reload}>
            重试
          </Button>
        }
      />
    )
  return (
    <div data-testid="unreachable">
      <Typography.Text strong>无法触达的会员</Typography.Text>
      <Table
        size="small"
        rowKey="memberId"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        scroll={{ x: 480 }}
        locale={{ emptyText: <Empty description="所有会员都能触达" /> }}
        columns={[
          { title: '会员号', dataIndex: 'memberNo' },
          { title: '姓名', dataIndex: 'name', render: (n: string | null) => n ?? '—' },
          { title: '顾问账号', dataIndex: 'accountId', render: (id: number | null) => accountName(id) },
          { title: '原因', dataIndex: 'reason', render: (r: string) => label(unreachableReasonLabels, r) },
        ]}
      />
    </div>
  )
}
