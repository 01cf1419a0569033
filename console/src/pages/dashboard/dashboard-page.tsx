// 数据看板: the funnel, tiers, reach and referral, the sales decomposition and 18 months of growth.
import { useState } from 'react'
import { Alert, Card, Col, Row, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd'
import type {
  FunnelReport,
  GrowthReport,
  PeriodReport,
  TierDistribution,
} from '../../../../shared/reports/contracts'
import { query, useApi, type Loaded } from '../../api'
import { formatCount, formatFen, formatPercent } from '../../format'
import { stageColors, stageLabels } from '../../labels'
import { FunnelChartCard, GrowthChart, TierChart } from './dashboard-charts'
import { lastDays, PeriodPicker, type PeriodValue } from './period-picker'
import { SalesDecomposition } from './sales-decomposition'

function Loading<T>({
  loaded,
  rows = 4,
  children,
}: {
  loaded: Loaded<T>
  rows?: number
  children: (data: T) => React.ReactNode
}) {
  if (loaded.error) return <Alert type="error" showIcon title={loaded.error.message} />
  if (!loaded.data) return <Skeleton active paragraph={{ rows }} />
  return <>{children(loaded.data)}</>
}

function Kpi({
  title,
  value,
  note,
  testId,
}: {
  title: string
  value: string
  note: React.ReactNode
  testId: string
}) {
  return (
    <Card>
      <Statistic title={title} valueRender={() => <span data-testid={testId}>{value}</span>} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {note}
      </Typography.Text>
    </Card>
  )
}

export default function DashboardPage() {
  const [period, setPeriod] = useState<PeriodValue>(() => lastDays(30))
  const funnel = useApi<FunnelReport>('/reports/funnel')
  const tiers = useApi<TierDistribution>('/reports/tiers')
  const periodReport = useApi<PeriodReport>(`/reports/period${query({ from: period.from, to: period.to })}`)
  const growth = useApi<GrowthReport>('/reports/growth?months=18')
  const p = periodReport.data

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Row justify="space-between" align="middle">
        <Typography.Title level={3} style={{ margin: 0 }}>
          数据看板
        </Typography.Title>
        <Space>
          <Typography.Text type="secondary">统计期间</Typography.Text>
          <PeriodPicker value={period} onChange={setPeriod} />
        </Space>
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <Kpi
            title="会员总数"
            value={funnel.data ? formatCount(funnel.data.totalMembers) : '…'}
            note={`超级用户 ${funnel.data ? formatCount(funnel.data.stages.at(-1)!.members) : '…'} 人`}
            testId="kpi-total-members"
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Kpi
            title="触达率"
            value={p ? formatPercent(p.reach.rate) : '…'}
            note={p ? `期间触达 ${formatCount(p.reach.reached)} / ${formatCount(p.reach.members)} 人` : '…'}
            testId="kpi-reach-rate"
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Kpi
            title="转介绍率"
            value={p ? formatPercent(p.referral.rate) : '…'}
            note={
              p
                ? `新会员 ${formatCount(p.referral.newMembers)} 人，其中推荐而来 ${formatCount(p.referral.referredNewMembers)} 人`
                : '…'
            }
            testId="kpi-referral-rate"
          />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Kpi
            title="期间销售额"
            value={p ? formatFen(p.sales.salesFen) : '…'}
            note={p ? `${p.from} 至 ${p.to}` : '…'}
            testId="kpi-sales"
          />
        </Col>
      </Row>

      <Loading loaded={periodReport} rows={3}>
        {(report) => <SalesDecomposition sales={report.sales} />}
      </Loading>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card
            title="用户生命周期漏斗"
            extra={<Typography.Text type="secondary">到达该阶段及以后的人数</Typography.Text>}
          >
            <Loading loaded={funnel}>
              {(data) => (
                <>
                  <FunnelChartCard funnel={data} />
                  <Table
                    size="small"
                    pagination={false}
                    rowKey="stage"
                    dataSource={data.stages}
                    data-testid="funnel-table"
                    columns={[
                      {
                        title: '阶段',
                        dataIndex: 'stage',
                        render: (s: keyof typeof stageLabels) => (
                          <Tag color={stageColors[s]}>{stageLabels[s]}</Tag>
                        ),
                      },
                      {
                        title: '当前人数',
                        dataIndex: 'members',
                        align: 'right',
                        render: (n: number, row) => (
                          <span data-testid={`funnel-${row.stage}`}>{formatCount(n)}</span>
                        ),
                      },
                      { title: '累计到达', dataIndex: 'reached', align: 'right', render: formatCount },
                      { title: '阶段转化', dataIndex: 'fromPrevious', align: 'right', render: formatPercent },
                    ]}
                  />
                </>
              )}
            </Loading>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="会员等级分布" extra={<Typography.Text type="secondary">当前有效等级</Typography.Text>}>
            <Loading loaded={tiers}>
              {(data) => (
                <>
                  <TierChart tiers={data} />
                  <Table
                    size="small"
                    pagination={false}
                    rowKey="code"
                    dataSource={data.ladders}
                    columns={[
                      { title: '体系', dataIndex: 'name' },
                      {
                        title: '类型',
                        dataIndex: 'kind',
                        render: (k: string) => (k === 'vertical' ? '纵向等级' : '横向权益卡'),
                      },
                      {
                        title: '持有人数',
                        align: 'right',
                        render: (_: unknown, l: TierDistribution['ladders'][number]) => (
                          <span data-testid={`tier-${l.code}`}>
                            {formatCount(l.levels.reduce((n, v) => n + v.members, 0))}
                          </span>
                        ),
                      },
                      { title: '未持有', dataIndex: 'withoutLevel', align: 'right', render: formatCount },
                    ]}
                  />
                </>
              )}
            </Loading>
          </Card>
        </Col>
      </Row>

      <Card
        title="增长趋势"
        extra={<Typography.Text type="secondary">近 18 个月，按月（北京时间）</Typography.Text>}
      >
        <Loading loaded={growth}>
          {(data) => (
            <>
              <GrowthChart growth={data} />
              <Typography.Text type="secondary" data-testid="growth-totals">
                18 个月合计：新增会员 {formatCount(data.months.reduce((n, m) => n + m.newMembers, 0))} 人 ·
                订单 {formatCount(data.months.reduce((n, m) => n + m.orders, 0))} 笔 · 销售额{' '}
                {formatFen(data.months.reduce((n, m) => n + m.revenueFen, 0))}
              </Typography.Text>
            </>
          )}
        </Loading>
      </Card>
    </Space>
  )
}
