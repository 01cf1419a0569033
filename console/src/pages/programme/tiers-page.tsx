// 等级体系: the ladders (vertical levels and horizontal cards), each level's fee, threshold, points
// multiplier, benefits and holders (changed in a dialog); the rules in force and the rule sets scheduled (withdrawn after a
// confirmation); the rule editor with its dry run; the advance notices a scheduled change will send.
// The ladder shown and the open editor live in the URL (?ladder=vip&edit=1).
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  List,
  Popconfirm,
  Result,
  Segmented,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd'
import { EditOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { apiRequest, asApiError, useApi, type Answer } from '../../api'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import { ladderBasisLabels, ladderKindLabels } from '../../labels'
import { may } from '../../session'
import { describeRule, type StoredRule } from './rule-fields'
import { LevelForm } from './level-form'
import { RuleSetEditor } from './rule-set-editor'
import { TierNotices } from './tier-notices'

type Ladder = Answer<'/tiers'>[number]
type Level = Ladder['levels'][number]

export default function TiersPage() {
  const [params, setParams] = useSearchParams()
  const ladders = useApi<Answer<'/tiers'>>('/tiers')
  const list = ladders.data ?? ladders.previous
  const code = params.get('ladder') ?? list?.[0]?.code ?? null
  const editing = params.get('edit') === '1' && may('loyalty.manage')
  const ladder = list?.find((l) => l.code === code)
  const { message } = App.useApp()

  const show = (next: { ladder?: string; edit?: boolean }) => {
    const p = new URLSearchParams()
    p.set('ladder', next.ladder ?? code ?? '')
    if (next.edit) p.set('edit', '1')
    setParams(p)
  }

  if (ladders.error && !list)
    return (
      <Result
        status="error"
        title="等级体系加载失败"
        subTitle={ladders.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={ladders.reload}>
            重试
          </Button>
        }
      />
    )
  if (!list)
    return (
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    )

  return (
    <div data-testid="tiers-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        等级体系
      </Typography.Title>
      {list.length === 0 ? (
        <Empty description="还没有会员等级体系" />
      ) : (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <div style={{ overflowX: 'auto', maxWidth: '100%' }}>
            <Segmented
              value={code ?? undefined}
              onChange={(v) => show({ ladder: v })}
              options={list.map((l) => ({ value: l.code, label: l.name }))}
            />
          </div>
          {!ladder ? (
            <Result status="warning" title="没有这个等级体系" />
          ) : editing ? (
            <RuleSetEditor
              key={ladder.code}
              ladder={ladder}
              onClose={() => show({})}
              onScheduled={(saved) => {
                void message.success(
                  saved.scheduled
                    ? `已排期，${formatDate(saved.effectiveAt)} 生效，已生成 ${saved.notices} 条提前通知`
                    : '新规则已生效',
                )
                ladders.reload()
                show({})
              }}
            />
          ) : (
            <LadderView
              ladder={ladder}
              onEdit={() => show({ edit: true })}
              onChanged={ladders.reload}
              key={ladder.code}
            />
          )}
        </Space>
      )}
    </div>
  )
}

function LadderView({
  ladder,
  onEdit,
  onChanged,
}: {
  ladder: Ladder
  onEdit: () => void
  onChanged: () => void
}) {
  const { message } = App.useApp()
  const [editing, setEditing] = useState<Level | null>(null)
  const levelName = (c: string) => ladder.levels.find((l) => l.code === c)?.name ?? c
  const withdraw = async (id: number) => {
    try {
      await apiRequest(`/tiers/rule-sets/${id}`, { method: 'DELETE' })
      void message.success('已撤销排期规则')
      onChanged()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }
  const rules = (ladder.rules?.rules ?? []) as StoredRule[]
  return (
    <>
      <Card
        title={ladder.name}
        extra={
          <Tag color={ladder.kind === 'vertical' ? 'gold' : 'purple'}>{ladderKindLabels[ladder.kind]}</Tag>
        }
      >
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 3 }}
          items={[
            { key: 'basis', label: '获得方式', children: ladderBasisLabels[ladder.basis] },
            { key: 'period', label: '会员周期', children: `${ladder.periodMonths} 个月` },
            {
              key: 'holders',
              label: '当前会员',
              children: `${formatCount(ladder.levels.reduce((n, l) => n + l.holders, 0))} 人`,
            },
          ]}
        />
        <Table<Level>
          style={{ marginTop: 12 }}
          size="small"
          rowKey="code"
          dataSource={ladder.levels}
          pagination={false}
          scroll={{ x: 720 }}
          data-testid="tier-levels"
          columns={[
            {
              title: '等级',
              key: 'name',
              render: (_, l) => <Typography.Text strong>{l.name}</Typography.Text>,
            },
            {
              title: '年费',
              key: 'fee',
              render: (_, l) => (l.annualFeeFen ? formatFen(l.annualFeeFen) : '免费'),
            },
            {
              title: '消费门槛',
              key: 'threshold',
              render: (_, l) => (l.threshold ? formatFen(l.threshold) : '—'),
            },
            {
              title: '积分倍率',
              key: 'mult',
              render: (_, l) => `${(l.pointsMultiplierPct / 100).toFixed(1)} 倍`,
            },
            {
              title: '权益',
              key: 'benefits',
              render: (_, l) =>
                l.benefits.length ? (
                  <Space size={[4, 4]} wrap>
                    {l.benefits.map((b) => (
                      <Tag key={b.code}>{b.quota ? `${b.code} × ${b.quota}` : b.code}</Tag>
                    ))}
                  </Space>
                ) : (
                  '—'
                ),
            },
            { title: '人数', key: 'holders', align: 'right', render: (_, l) => formatCount(l.holders) },
            ...(may('loyalty.manage')
              ? [
                  {
                    title: '',
                    key: 'edit',
                    render: (_: unknown, l: Level) => (
                      <Button size="small" onClick={() => setEditing(l)}>
                        修改
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing && (
        <LevelForm
          ladderCode={ladder.code}
          level={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            void message.success(`已保存「${editing.name}」`)
            setEditing(null)
            onChanged()
          }}
        />
      )}
      <Card
        title="现行规则"
        extra={
          may('loyalty.manage') && (
            <Button type="primary" icon={<EditOutlined />} onClick={onEdit}>
              编辑规则
            </Button>
          )
        }
        data-testid="rules-in-force"
      >
        {rules.length ? (
          <List
            size="small"
            dataSource={rules}
            renderItem={(r, i) => <List.Item key={i}>{describeRule(r, levelName)}</List.Item>}
            footer={
              ladder.rules && (
                <Typography.Text type="secondary">{`自 ${formatDateTime(ladder.rules.effectiveAt)} 起生效`}</Typography.Text>
              )
            }
          />
        ) : (
          <Empty description="尚未设置规则" />
        )}
      </Card>
      <Card title="待生效的规则" data-testid="scheduled-rules">
        {ladder.scheduled.length === 0 ? (
          <Empty description="没有排期中的规则" />
        ) : (
          <List
            dataSource={ladder.scheduled}
            renderItem={(s) => (
              <List.Item
                key={s.id}
                actions={
                  may('loyalty.manage')
                    ? [
                        <Popconfirm
                          key="withdraw"
                          title="撤销这次排期？"
                          description="已生成的提前通知不会再发送。"
                          okText="撤销"
                          cancelText="取消"
                          onConfirm={() => withdraw(s.id)}
                        >
                          <Button size="small" danger>
                            撤销
                          </Button>
                        </Popconfirm>,
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={`${formatDate(s.effectiveAt)} 生效${s.note ? ` · ${s.note}` : ''}`}
                  description={((s.rules ?? []) as StoredRule[])
                    .map((r) => describeRule(r, levelName))
                    .join('；')}
                />
              </List.Item>
            )}
          />
        )}
      </Card>
      {ladder.scheduled.length > 0 && (
        <Alert type="info" showIcon title="排期规则生效前会向受影响的会员发送提前通知，见下方列表。" />
      )}
      <TierNotices ladder={ladder} />
    </>
  )
}
