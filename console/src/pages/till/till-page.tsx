// 收银台: store staff find the member in front of them by phone number, member number or store card,
// see who they are (level, points, visits, spend, tags, what to say next), use one of their benefits
// and record what they paid in the store. Every change is followed by reading the member again, so
// the screen shows what the database now holds.
import { useEffect, useState, type ReactNode } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Result,
  Row,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined, SearchOutlined } from '@ant-design/icons'
import { fieldErrors, query, useApi, type Answer } from '../../api'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import { label, repurchaserKindLabels, stageColors } from '../../labels'
import { may } from '../../session'
import { TillBenefits } from './till-benefits'
import { TillPurchase } from './till-purchase'

type TillMember = Answer<'/till/lookup'>
type MemberTag = Answer<'/members/{id}/tags'>[number]

/** What the clerk typed, as the lookup's query: 11 digits starting with 1 is a phone number. */
function lookupPath(keyword: string): string {
  const k = keyword.trim()
  return `/till/lookup${query(/^1\d{10}$/.test(k) ? { phone: k } : { code: k })}`
}

export default function TillPage() {
  const [form] = Form.useForm<{ keyword: string }>()
  const [searched, setSearched] = useState<{ path: string; keyword: string } | null>(null)
  // After a change the same member is read again; meanwhile the last answer stays on screen.
  const [refreshing, setRefreshing] = useState(false)
  const lookup = useApi<TillMember>(searched?.path ?? null)
  const member = lookup.data ?? (refreshing ? lookup.previous : undefined)
  /** Still waiting for the re-read; if it fails, the last answer stays with a warning and 重试. */
  const rereading = refreshing && !lookup.data

  // A keyword the server refuses (a malformed phone number) shows on the search box.
  const refusal = lookup.error
  useEffect(() => {
    if (!refusal) return
    const onFields = fieldErrors(refusal, ['code', 'phone'] as const)
    if (onFields.length) form.setFields([{ name: 'keyword', errors: onFields.flatMap((f) => f.errors) }])
  }, [refusal, form])
  const refusedOnField = !!refusal && fieldErrors(refusal, ['code', 'phone'] as const).length > 0

  const search = ({ keyword }: { keyword: string }) => {
    const path = lookupPath(keyword)
    setRefreshing(false)
    if (searched?.path === path) lookup.reload()
    else setSearched({ path, keyword: keyword.trim() })
  }
  const refresh = () => {
    setRefreshing(true)
    lookup.reload()
  }

  let body: ReactNode
  if (!searched || refusedOnField)
    body = <Empty description="输入会员手机号，或扫描 / 输入会员号、会员卡号开始" />
  else if (member)
    body = (
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            {rereading && lookup.error && (
              <Alert
                type="warning"
                showIcon
                title={`会员信息刷新失败：${lookup.error.message}`}
                action={
                  <Button size="small" onClick={refresh}>
                    重试
                  </Button>
                }
              />
            )}
            <MemberCard member={member} refreshing={rereading && lookup.loading} />
            <TillBenefits key={member.memberId} memberId={member.memberId} />
          </Space>
        </Col>
        <Col xs={24} lg={12}>
          <TillPurchase
            key={member.memberId}
            member={member}
            balance={member.pointsBalance}
            refreshing={rereading}
            onRecorded={refresh}
          />
        </Col>
      </Row>
    )
  else if (lookup.error?.code === 'member_not_found')
    body = (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Space orientation="vertical" size={4}>
            <Typography.Text strong>未找到会员</Typography.Text>
            <Typography.Text type="secondary">
              {`没有手机号、会员号或会员卡号为「${searched.keyword}」的会员，请核对后重新输入，或邀请顾客注册会员`}
            </Typography.Text>
          </Space>
        }
        data-testid="till-not-found"
      />
    )
  else if (lookup.error)
    body = (
      <Result
        status="error"
        title="查询失败"
        subTitle={lookup.error.message}
        extra={
          <Button icon={<ReloadOutlined />} onClick={lookup.reload}>
            重试
          </Button>
        }
      />
    )
  else body = <Skeleton active paragraph={{ rows: 6 }} />

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={
          <Typography.Title level={3} style={{ margin: 0 }}>
            收银台
          </Typography.Title>
        }
        size="small"
      >
        <Form form={form} onFinish={search} requiredMark={false} style={{ maxWidth: 560 }}>
          <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
            <Form.Item
              name="keyword"
              rules={[{ required: true, whitespace: true, message: '请输入手机号或会员码' }]}
              style={{ flex: 1, minWidth: 0, marginBottom: 0 }}
            >
              <Input
                autoFocus
                allowClear
                size="large"
                maxLength={64}
                aria-label="手机号或会员码"
                placeholder="手机号 / 会员号 / 会员卡号"
                autoComplete="off"
              />
            </Form.Item>
            <Button
              type="primary"
              size="large"
              htmlType="submit"
              icon={<SearchOutlined />}
              loading={lookup.loading && !refreshing}
            >
              查询
            </Button>
          </div>
        </Form>
      </Card>
      {body}
    </Space>
  )
}

function MemberCard({ member, refreshing }: { member: TillMember; refreshing: boolean }) {
  return (
    <Card
      size="small"
      data-testid="till-member"
      title={
        <Space wrap size={8}>
          <span>{member.name ?? member.nickname ?? '未留姓名'}</span>
          <Tag color={stageColors[member.stage as keyof typeof stageColors] ?? 'default'}>
            {member.stageName}
          </Tag>
        </Space>
      }
      extra={refreshing ? <Typography.Text type="secondary">更新中…</Typography.Text> : undefined}
    >
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          {
            key: 'no',
            label: '会员号',
            children: <span data-testid="till-member-no">{member.memberNo}</span>,
          },
          {
            key: 'points',
            label: '积分余额',
            children: (
              <Typography.Text strong data-testid="till-points">
                {formatCount(member.pointsBalance)}
              </Typography.Text>
            ),
          },
          {
            key: 'tiers',
            label: '会员等级',
            children: (
              <Space wrap size={[4, 4]} data-testid="till-tiers">
                {member.tiers.length
                  ? member.tiers.map((t) => (
                      <Tag key={t.ladder} color="gold">
                        {`${t.ladder}：${t.level}${t.endsAt ? `（至 ${formatDate(t.endsAt)}）` : ''}`}
                      </Tag>
                    ))
                  : '暂无等级'}
              </Space>
            ),
          },
          { key: 'visits', label: '到店次数', children: `${formatCount(member.visits)} 次` },
          { key: 'last', label: '最近到店', children: formatDateTime(member.lastVisitAt) },
          {
            key: 'spend',
            label: '累计消费',
            children: `${formatFen(member.totalSpendFen)}（${formatCount(member.paidOrders)} 单）`,
          },
          ...(member.repurchaserKind
            ? [
                {
                  key: 'kind',
                  label: '复购类型',
                  children: label(repurchaserKindLabels, member.repurchaserKind),
                },
              ]
            : []),
          ...(may('members.tag')
            ? [{ key: 'tags', label: '标签', children: <TillTags memberId={member.memberId} /> }]
            : []),
        ]}
      />
      {member.pitch.length > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginTop: 12 }}
          title="建议话术"
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {member.pitch.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
    </Card>
  )
}

/** The member's tags, to read at the till (they are changed on the member's record). */
function TillTags({ memberId }: { memberId: number }) {
  const tags = useApi<MemberTag[]>(`/members/${memberId}/tags`)
  const current = tags.data ?? tags.previous
  if (tags.error && !current)
    return (
      <Space size={4} wrap>
        <Typography.Text type="secondary">{tags.error.message}</Typography.Text>
        <Button size="small" onClick={tags.reload}>
          重试
        </Button>
      </Space>
    )
  if (!current) return <Typography.Text type="secondary">加载中…</Typography.Text>
  if (!current.length) return <Typography.Text type="secondary">暂无标签</Typography.Text>
  return (
    <Space wrap size={[4, 4]} data-testid="till-tags">
      {current.map((t) => (
        <Tag key={t.tagId}>{`${t.dimension}：${t.tag}`}</Tag>
      ))}
    </Space>
  )
}
