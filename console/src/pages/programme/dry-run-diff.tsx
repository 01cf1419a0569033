// The dry run as a diff: how many members would join, move up, keep their level, move down or lose
// it, and for each member who moves, from where to where and why. Nothing has changed yet.
import { useState } from 'react'
import { Card, Col, Empty, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd'
import { Link } from 'react-router'
import type { Answer } from '../../api'
import { formatCount, formatDate } from '../../format'
import { tierMoveLabels } from '../../labels'

type DryRun = Answer<'/tiers/{ladder}/dry-run', 'post'>
type Move = DryRun['moves'][number]
type Ladder = Answer<'/tiers'>[number]

const kinds = ['join', 'up', 'renew', 'down', 'lapse', 'unchanged'] as const
const colors: Record<string, string> = {
  join: 'green',
  up: 'green',
  renew: 'blue',
  down: 'orange',
  lapse: 'red',
}

export function DryRunDiff({ report, ladder }: { report: DryRun; ladder: Ladder }) {
  const [kind, setKind] = useState<string>('all')
  const levelName = (code: string | null) =>
    code === null ? '无' : (ladder.levels.find((l) => l.code === code)?.name ?? code)
  const moves = kind === 'all' ? report.moves : report.moves.filter((m) => m.kind === kind)
  return (
    <Card
      size="small"
      title={`试算结果（${formatDate(report.at)}）`}
      style={{ marginTop: 16 }}
      data-testid="dry-run"
    >
      <Row gutter={[12, 12]}>
        {kinds.map((k) => (
          <Col key={k} xs={12} sm={8} md={4}>
            <Statistic
              title={tierMoveLabels[k]}
              value={formatCount(report.counts[k] ?? 0)}
              suffix="人"
              data-testid={`dry-run-count-${k}`}
              data-count={report.counts[k] ?? 0}
            />
          </Col>
        ))}
      </Row>
      <Segmented
        style={{ margin: '16px 0 12px', maxWidth: '100%', overflowX: 'auto' }}
        value={kind}
        onChange={(v) => setKind(v)}
        options={[
          { value: 'all', label: `全部变动 ${report.moves.length}` },
          ...kinds
            .filter((k) => k !== 'unchanged')
            .map((k) => ({ value: k, label: `${tierMoveLabels[k]} ${report.counts[k] ?? 0}` })),
        ]}
      />
      <Table<Move>
        size="small"
        rowKey="memberId"
        dataSource={moves}
        scroll={{ x: 720 }}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description="没有会员会因此变动" /> }}
        columns={[
          {
            title: '会员',
            key: 'member',
            render: (_, m) => (
              <Link to={`/members/${m.memberId}`}>{`${m.name ?? '未命名'} · ${m.memberNo}`}</Link>
            ),
          },
          {
            title: '变动',
            key: 'kind',
            render: (_, m) => (
              <Tag color={colors[m.kind]}>
                {tierMoveLabels[m.kind as keyof typeof tierMoveLabels] ?? m.kind}
              </Tag>
            ),
          },
          { title: '等级', key: 'levels', render: (_, m) => `${levelName(m.from)} → ${levelName(m.to)}` },
          { title: '原因', dataIndex: 'reason' },
          { title: '新周期至', key: 'endsAt', render: (_, m) => formatDate(m.endsAt) },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        试算不做任何改动；保持不变的会员不逐一列出。
      </Typography.Paragraph>
    </Card>
  )
}
