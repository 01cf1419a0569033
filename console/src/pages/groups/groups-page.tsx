// 社群: the brand's groups by purpose — tier groups per level, interest groups per interest — each
// family of groups together, oldest first, so "… 2群" sits under the group it continues. Every group
// shows its fill against its capacity (500 by default), the invitations its account has yet to send and
// the announcements waiting for the paced sender; a full group points at the one new members go to.
// Purpose and account filters live in the URL.
import { useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Progress,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd'
import { NotificationOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router'
import { query, useApi, type Answer } from '../../api'
import { formatCount } from '../../format'
import { groupPurposeLabels, label } from '../../labels'
import { may } from '../../session'
import { Announce } from './announce'

export type Group = Answer<'/groups'>['items'][number]

const PURPOSES = ['tier', 'interest', 'general'] as const

/** Groups of one kind on one account: the first, then each opened when the one before was full. */
interface Family {
  key: string
  title: string
  accountName: string
  purpose: string
  groups: Group[]
}

function familiesOf(groups: Group[]): Family[] {
  const byKey = new Map<string, Family>()
  for (const g of groups) {
    const key = `${g.accountId}:${g.purpose}:${g.tierLevelId ?? ''}:${g.interest ?? ''}`
    const family = byKey.get(key) ?? {
      key,
      title:
        g.purpose === 'tier'
          ? (g.tierName ?? '未设置等级')
          : g.purpose === 'interest'
            ? (g.interest ?? '未设置兴趣')
            : '未分类',
      accountName: g.accountName,
      purpose: g.purpose,
      groups: [],
    }
    family.groups.push(g)
    byKey.set(key, family)
  }
  for (const f of byKey.values()) f.groups.sort((a, b) => a.id - b.id)
  return [...byKey.values()]
}

export default function GroupsPage() {
  const [params, setParams] = useSearchParams()
  const purposeParam = params.get('purpose')
  const purpose = (PURPOSES as readonly string[]).includes(purposeParam ?? '') ? purposeParam! : undefined
  const account = Number(params.get('account')) || undefined
  const list = useApi<Answer<'/groups'>>(`/groups${query({ purpose, accountId: account })}`)
  const accounts = useApi<Answer<'/accounts'>>('/accounts')
  const [announcing, setAnnouncing] = useState<Group | null>(null)
  const items = (list.data ?? list.previous)?.items
  const families = familiesOf(items ?? [])
  const manage = may('chat.manage')

  const update = (next: { purpose?: string; account?: number }) => {
    const merged = { purpose, account, ...next }
    const search = new URLSearchParams()
    if (merged.purpose) search.set('purpose', merged.purpose)
    if (merged.account) search.set('account', String(merged.account))
    setParams(search)
  }

  return (
    <Card
      data-testid="groups-page"
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          社群
        </Typography.Title>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={list.reload}>
          刷新
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label="按用途筛选"
          style={{ width: 160 }}
          value={purpose ?? ''}
          onChange={(v) => update({ purpose: v || undefined })}
          options={[
            { value: '', label: '全部用途' },
            ...PURPOSES.map((p) => ({ value: p, label: groupPurposeLabels[p] })),
          ]}
        />
        <Select
          aria-label="按账号筛选"
          style={{ width: 200 }}
          value={account ?? 0}
          onChange={(v) => update({ account: v || undefined })}
          options={[
            { value: 0, label: '全部账号' },
            ...((accounts.data ?? accounts.previous)?.items ?? []).map((a) => ({
              value: a.id,
              label: a.displayName,
            })),
          ]}
        />
      </Space>
      {list.error && !items ? (
        <Result
          status="error"
          title="社群加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : !items ? (
        <div style={{ padding: 48, textAlign: 'center' }}>
          <Spin />
        </div>
      ) : families.length === 0 ? (
        <Empty
          description={purpose || account ? '没有符合条件的群' : '还没有群：账号所在的群会在机器人登录后出现'}
        >
          {(purpose || account) && <Button onClick={() => setParams(new URLSearchParams())}>查看全部</Button>}
        </Empty>
      ) : (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          {list.error && <Alert type="error" showIcon title={list.error.message} />}
          <Row gutter={[16, 16]}>
            {families.map((f) => (
              <Col key={f.key} xs={24} lg={12} style={{ minWidth: 0 }}>
                <Card
                  size="small"
                  data-testid="group-family"
                  title={
                    <Space wrap size={4}>
                      <Tag>{label(groupPurposeLabels, f.purpose)}</Tag>
                      <span>{f.title}</span>
                    </Space>
                  }
                  extra={<Typography.Text type="secondary">{f.accountName}</Typography.Text>}
                >
                  {f.groups.map((g, i) => (
                    <GroupRow
                      key={g.id}
                      group={g}
                      next={f.groups.slice(i + 1).find((n) => !n.full) ?? null}
                      manage={manage}
                      onAnnounce={() => setAnnouncing(g)}
                    />
                  ))}
                </Card>
              </Col>
            ))}
          </Row>
        </Space>
      )}
      {announcing && (
        <Announce
          group={announcing}
          onClose={() => setAnnouncing(null)}
          onQueued={() => {
            setAnnouncing(null)
            list.reload()
          }}
        />
      )}
    </Card>
  )
}

function GroupRow({
  group: g,
  next,
  manage,
  onAnnounce,
}: {
  group: Group
  next: Group | null
  manage: boolean
  onAnnounce: () => void
}) {
  const percent = Math.min(100, Math.round((g.memberCount / g.capacity) * 100))
  return (
    <div
      data-testid="group-row"
      data-group-id={g.id}
      style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
        <Space wrap size={4}>
          <Typography.Text strong>{g.topic}</Typography.Text>
          {g.full && <Tag color="red">已满</Tag>}
        </Space>
        {manage && (
          <Button size="small" icon={<NotificationOutlined />} onClick={onAnnounce}>
            发公告
          </Button>
        )}
      </div>
      <Progress
        percent={percent}
        size="small"
        status={g.full ? 'exception' : 'normal'}
        format={() => `${formatCount(g.memberCount)} / ${formatCount(g.capacity)}`}
      />
      <Space wrap size={4}>
        {g.invitesWaiting > 0 && <Tag color="blue">{`待发邀请 ${g.invitesWaiting}`}</Tag>}
        {g.announcementsWaiting > 0 && (
          <Tag color="orange" data-testid="announcement-waiting">{`公告待发 ${g.announcementsWaiting}`}</Tag>
        )}
        {g.full && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {next ? `新成员进入“${next.topic}”` : '下一位受邀会员会由账号自动开新群，并带上群公告'}
          </Typography.Text>
        )}
      </Space>
      {g.announcement && (
        <Typography.Paragraph
          type="secondary"
          ellipsis={{ rows: 2 }}
          style={{ margin: '4px 0 0', fontSize: 12 }}
        >
          公告：{g.announcement}
        </Typography.Paragraph>
      )}
    </div>
  )
}
