// The dashboard's charts: lifecycle funnel, tier distribution and monthly growth.
import { useMemo } from 'react'
import type { FunnelReport, GrowthReport, TierDistribution } from '../../../../shared/reports/contracts'
import { formatCount, formatFen, formatPercent } from '../../format'
import { stageLabels } from '../../labels'
import { Chart, type ChartOption } from './chart'

const palette = ['#fdba74', '#fb923c', '#f97316', '#ea580c', '#9a3412']

export function FunnelChartCard({ funnel }: { funnel: FunnelReport }) {
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const stage = funnel.stages[(p as { dataIndex: number }).dataIndex]!
          return `${stageLabels[stage.stage]}<br/>当前 ${formatCount(stage.members)} 人<br/>累计到达 ${formatCount(
            stage.reached,
          )} 人${stage.fromPrevious === null ? '' : `<br/>上一阶段转化 ${formatPercent(stage.fromPrevious)}`}`
        },
      },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          minSize: '18%',
          gap: 3,
          left: '8%',
          width: '84%',
          label: { show: true, position: 'inside', formatter: '{b}  {c}', color: '#fff', fontWeight: 'bold' },
          data: funnel.stages.map((s, i) => ({
            name: stageLabels[s.stage],
            value: s.reached,
            itemStyle: { color: palette[i] },
          })),
        },
      ],
    }),
    [funnel],
  )
  return <Chart option={option} height={300} testId="funnel-chart" />
}

export function TierChart({ tiers }: { tiers: TierDistribution }) {
  const option = useMemo<ChartOption>(() => {
    const rows = tiers.ladders.flatMap((ladder) =>
      ladder.levels.map((level) => ({ name: `${ladder.name} · ${level.name}`, value: level.members })),
    )
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name) },
      series: [
        {
          type: 'bar',
          name: '会员数',
          data: rows.map((r) => r.value),
          itemStyle: { color: '#f97316', borderRadius: [0, 4, 4, 0] },
          label: { show: true, position: 'right' },
          barMaxWidth: 18,
        },
      ],
    }
  }, [tiers])
  const levels = tiers.ladders.reduce((n, l) => n + l.levels.length, 0)
  return <Chart option={option} height={Math.max(220, levels * 30)} testId="tier-chart" />
}

export function GrowthChart({ growth }: { growth: GrowthReport }) {
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => (typeof v === 'number' ? formatCount(v) : String(v)),
      },
      legend: { top: 0, data: ['新增会员', '订单数', '销售额'] },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: growth.months.map((m) => m.month) },
      yAxis: [
        { type: 'value', name: '人 / 笔', minInterval: 1 },
        {
          type: 'value',
          name: '销售额',
          axisLabel: { formatter: (v: number) => (v >= 10000 ? `¥${v / 10000}万` : `¥${v}`) },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: 'bar',
          name: '新增会员',
          data: growth.months.map((m) => m.newMembers),
          itemStyle: { color: '#60a5fa' },
        },
        {
          type: 'bar',
          name: '订单数',
          data: growth.months.map((m) => m.orders),
          itemStyle: { color: '#fb923c' },
        },
        {
          type: 'line',
          name: '销售额',
          yAxisIndex: 1,
          smooth: true,
          data: growth.months.map((m) => Math.round(m.revenueFen / 100)),
          itemStyle: { color: '#be123c' },
          tooltip: { valueFormatter: (v) => (typeof v === 'number' ? formatFen(v * 100) : String(v)) },
        },
      ],
    }),
    [growth],
  )
  return <Chart option={option} height={340} testId="growth-chart" />
}
