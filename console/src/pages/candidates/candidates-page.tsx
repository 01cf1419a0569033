// 超级用户候选: members ranked by how close they are to being super users, each with what earned the
// score (every criterion's points and the reason) and their repurchaser label with its suggested next
// step, and the one-click actions that step calls for: invite into a community group, give a coupon.
// Filters and the page live in the URL; the scoring standard is edited in a drawer by those allowed.
import { useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Empty,
  Grid,
  List,
  Pagination,
  Progress,
  Result,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd'
import {
  GiftOutlined,
  NotificationOutlined,
  ReloadOutlined,
  SettingOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { query, useApi, type Answer } from '../../api'
import { repurchaserAdvice } from '../../../../shared/members/labels'
import { stageColors, stageLabels } from '../../labels'
import { may } from '../../session'
import { CandidateCriteria } from './candidate-criteria'
import { InviteToGroup, IssueCoupon, type Invitee } from './candidate-actions'

type Page = Answer<'/members/candidates'>
type Candidate = Page['items'][number]

const PAGE_SIZE = 20

const nameOf = (c: Candidate) => c.name ?? c.nickname ?? c.memberNo
const invitee = (c: Candidate): Invitee => ({ memberId: c.memberId, label: nameOf(c) })

export default function CandidatesPage() {
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const highOnly = params.get('high') === '1'
  const withSuperUsers = params.get('super') === '1'
  // The threshold comes with every answer; until the first one arrives, "high only" waits for it.
  const [threshold, setThreshold] = useState<number | null>(null)
  const list = useApi<Page>(
    highOnly && threshold === null
      ? null
      : `/members/candidates${query({
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
          minScore: highOnly ? threshold : undefined,
          includeSuperUsers: withSuperUsers ? 'true' : undefined,
        })}`,
  )
  const loaded = list.data ?? list.previous
  if (loaded && loaded.threshold !== threshold) setThreshold(loaded.threshold)
  const cut = loaded?.threshold ?? threshold ?? 50
  const wide = Grid.useBreakpoint().md !== false
  const [selected, setSelected] = useState<Candidate[]>([])
  const [dialog, setDialog] = useState<{ kind: 'group' | 'coupon'; members: Invitee[] } | null>(null)
  const [criteriaOpen, setCriteriaOpen] = useState(false)
  const navigate = useNavigate()

  const update = (next: { page?: number; high?: boolean; super?: boolean }) => {
    const merged = { page: 1, high: highOnly, super: withSuperUsers, ...next }
    const search = new URLSearchParams()
    if (merged.high) search.set('high', '1')
    if (merged.super) search.set('super', '1')
    if (merged.page > 1) search.set('page', String(merged.page))
    setSelected([])
    setParams(search)
  }

  const member = (c: Candidate) => (
    <Space orientation="vertical" size={0}>
      <Link to={`/members/${c.memberId}`}>{nameOf(c)}</Link>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {c.memberNo}
      </Typography.Text>
    </Space>
  )
  const score = (c: Candidate) => (
    <Space size={4} data-testid="candidate-score" data-score={c.score}>
      <Progress
        type="circle"
        size={40}
        percent={c.score}
        format={() => c.score}
        status={c.score >= cut ? 'success' : 'normal'}
      />
      {c.score >= cut && <Tag color="gold">高潜</Tag>}
    </Space>
  )
  const contributions = (c: Candidate) => (
    <Space orientation="vertical" size={2} data-testid="candidate-contributions">
      {c.contributions
        .filter((x) => x.points > 0)
        .map((x) => (
          <Typography.Text key={x.code} style={{ fontSize: 13 }}>
            <Typography.Text strong>
              {x.name} {x.points}/{x.weight}
            </Typography.Text>
            {x.detail && <Typography.Text type="secondary">：{x.detail}</Typography.Text>}
          </Typography.Text>
        ))}
      {c.contributions.every((x) => x.points === 0) && (
        <Typography.Text type="secondary">{c.explanation}</Typography.Text>
      )}
    </Space>
  )
  const advice = (c: Candidate) =>
    c.repurchaserKind ? (
      <Space orientation="vertical" size={2} style={{ maxWidth: 240 }}>
        <Tag color="purple">{repurchaserAdvice[c.repurchaserKind].name}</Tag>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {repurchaserAdvice[c.repurchaserKind].action}
        </Typography.Text>
      </Space>
    ) : (
      <Typography.Text type="secondary">—</Typography.Text>
    )
  const rowActions = (members: Invitee[], size: 'small' | 'middle' = 'small') => (
    <Space wrap size={4}>
      {may('chat.manage') && (
        <Button
          size={size}
          icon={<UsergroupAddOutlined />}
          onClick={() => setDialog({ kind: 'group', members })}
        >
          邀请入群
        </Button>
      )}
      {may('marketing.manage') && (
        <Button size={size} icon={<GiftOutlined />} onClick={() => setDialog({ kind: 'coupon', members })}>
          发券
        </Button>
      )}
    </Space>
  )
  const empty = (
    <Empty
      description={
        page > 1 ? '这一页没有候选' : highOnly ? `暂无得分 ${cut} 以上的高潜候选` : '暂无超级用户候选'
      }
    >
      {page > 1 && <Button onClick={() => update({ page: 1 })}>回到第一页</Button>}
    </Empty>
  )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          超级用户候选
        </Typography.Title>
      }
      extra={
        <Space wrap>
          {may('campaigns.manage') && (
            <Button
              icon={<NotificationOutlined />}
              onClick={() => void navigate('/campaigns/new?kind=tier_invite&mode=super_user_candidates')}
            >
              发起邀请活动
            </Button>
          )}
          {may('members.settings') && (
            <Button icon={<SettingOutlined />} onClick={() => setCriteriaOpen(true)}>
              评分标准
            </Button>
          )}
          <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading && !!loaded}>
            刷新
          </Button>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Space size={4}>
          <Switch
            checked={highOnly}
            onChange={(high) => update({ high })}
            aria-label="只看高潜"
            data-testid="high-only"
          />
          <span>只看高潜（{cut} 分以上）</span>
        </Space>
        <Space size={4}>
          <Switch
            checked={withSuperUsers}
            onChange={(s) => update({ super: s })}
            aria-label="包含已是超级用户"
          />
          <span>包含已是超级用户</span>
        </Space>
        {loaded && (
          <Typography.Text type="secondary" data-testid="candidate-total">
            共 {loaded.total} 人
          </Typography.Text>
        )}
      </Space>
      {wide && selected.length > 0 && (
        <Alert
          type="info"
          style={{ marginBottom: 16 }}
          title={`已选 ${selected.length} 人`}
          action={rowActions(selected.map(invitee))}
        />
      )}
      {list.error && !loaded ? (
        <Result
          status="error"
          title="候选加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <>
          {list.error && (
            <Alert
              type="error"
              showIcon
              title={list.error.message}
              style={{ marginBottom: 16 }}
              action={
                <Button size="small" onClick={list.reload}>
                  重试
                </Button>
              }
            />
          )}
          {wide ? (
            <Table<Candidate>
              rowKey="memberId"
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: empty }}
              rowSelection={{
                selectedRowKeys: selected.map((c) => c.memberId),
                onChange: (_keys, rows) => setSelected(rows),
              }}
              columns={[
                {
                  title: '排名',
                  render: (_, _c, i) => (page - 1) * PAGE_SIZE + i + 1,
                  width: 64,
                },
                { title: '会员', render: (_, c) => member(c) },
                {
                  title: '阶段',
                  render: (_, c) => (
                    <Tag color={stageColors[c.stage as keyof typeof stageColors]}>
                      {stageLabels[c.stage as keyof typeof stageLabels] ?? c.stage}
                    </Tag>
                  ),
                },
                { title: '得分', render: (_, c) => score(c) },
                { title: '得分来源', render: (_, c) => contributions(c) },
                {
                  title: (
                    <Tooltip title="复购类型决定下一步：自燃型给推荐奖励，可燃型邀请进群，不可燃型给好友可用的福利">
                      复购类型与建议
                    </Tooltip>
                  ),
                  render: (_, c) => advice(c),
                },
                { title: '操作', fixed: 'right', render: (_, c) => rowActions([invitee(c)]) },
              ]}
            />
          ) : (
            <List<Candidate>
              loading={list.loading}
              dataSource={loaded?.items ?? []}
              locale={{ emptyText: empty }}
              renderItem={(c, i) => (
                <List.Item data-testid="candidate-card" style={{ display: 'block' }}>
                  <Space align="start" style={{ width: '100%', justifyContent: 'space-between' }}>
                    <Space align="start">
                      <Typography.Text type="secondary">{(page - 1) * PAGE_SIZE + i + 1}</Typography.Text>
                      {member(c)}
                    </Space>
                    {score(c)}
                  </Space>
                  <div style={{ marginTop: 8 }}>{contributions(c)}</div>
                  <div style={{ marginTop: 8 }}>{advice(c)}</div>
                  <div style={{ marginTop: 8 }}>{rowActions([invitee(c)])}</div>
                </List.Item>
              )}
            />
          )}
          {loaded && loaded.total > PAGE_SIZE && (
            <Pagination
              style={{ marginTop: 16, textAlign: 'right' }}
              current={page}
              pageSize={PAGE_SIZE}
              total={loaded.total}
              showSizeChanger={false}
              simple={!wide}
              onChange={(p) => update({ page: p })}
            />
          )}
        </>
      )}
      {dialog?.kind === 'group' && (
        <InviteToGroup
          members={dialog.members}
          onClose={() => {
            setDialog(null)
            setSelected([])
          }}
        />
      )}
      {dialog?.kind === 'coupon' && (
        <IssueCoupon
          members={dialog.members}
          onClose={() => {
            setDialog(null)
            setSelected([])
          }}
        />
      )}
      {criteriaOpen && <CandidateCriteria onClose={() => setCriteriaOpen(false)} onSaved={list.reload} />}
    </Card>
  )
}
