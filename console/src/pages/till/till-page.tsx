// 收银台, for store staff on a phone: scan the member card (a keyboard-wedge scanner types the code and
// Enter into the focused box) or type a phone number; see visits, spend, tier, stage and what to say;
// tag the member and record a benefit use.
import { useEffect, useRef } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Input,
  List,
  Popconfirm,
  Row,
  Space,
  Statistic,
  Tag,
  Typography,
  type InputRef,
} from 'antd'
import { ScanOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { errorMessage, QueryView } from '../../api/query'
import { requestId } from '../../components/form-modal'
import { formatCount, formatDate, formatFen } from '../../format'
import { label, repurchaserKindLabels, stageColors } from '../../labels'
import { MemberTags } from '../members/member-tags'

/** A benefit the member holds through a level (the benefits route answers it untyped). */
interface HeldBenefit {
  code: string
  name: string
  kind: string
  description: string | null
  level: string
  quota: number | null
  used: number | null
  remaining: number | null
}

const PHONE = /^1[3-9]\d{9}$/
/** Kinds counted use by use; member prices and birthday gifts apply without recording a use. */
const countable = new Set(['quota', 'friend_pass'])

function Benefits({ memberId }: { memberId: number }) {
  const client = useQueryClient()
  const { message } = App.useApp()
  const benefits = useQuery({
    queryKey: ['member', memberId, 'benefits'],
    queryFn: async ({ signal }) =>
      (await unwrap(
        api.GET('/api/admin/benefits/members/{memberId}', { params: { path: { memberId } }, signal }),
      )) as unknown as HeldBenefit[],
  })
  const use = async (b: HeldBenefit) => {
    try {
      await unwrap(
        api.POST('/api/admin/benefits/uses', {
          body: { memberId, benefitCode: b.code, requestId: requestId() },
        }),
      )
      message.success(`已核销：${b.name}`)
      await client.invalidateQueries({ queryKey: ['member', memberId] })
    } catch (err) {
      message.error(errorMessage(err))
    }
  }
  return (
    <Card title="会员权益" size="small" data-testid="till-benefits">
      <QueryView query={benefits} rows={2} isEmpty={(d) => d.length === 0} empty="暂无可用权益">
        {(rows) => (
          <List
            dataSource={rows}
            renderItem={(b) => (
              <List.Item
                actions={
                  countable.has(b.kind)
                    ? [
                        <Popconfirm
                          key="use"
                          title={`核销一次“${b.name}”？`}
                          okText="核销"
                          cancelText="取消"
                          onConfirm={() => use(b)}
                          disabled={b.remaining === 0}
                        >
                          <Button size="small" type="primary" disabled={b.remaining === 0}>
                            核销
                          </Button>
                        </Popconfirm>,
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={b.name}
                  description={
                    b.quota === null
                      ? `${b.level} · 不限次`
                      : `${b.level} · 本期剩余 ${b.remaining}/${b.quota} 次`
                  }
                />
              </List.Item>
            )}
          />
        )}
      </QueryView>
    </Card>
  )
}

export default function TillPage() {
  const [params, setParams] = useSearchParams()
  const input = useRef<InputRef>(null)
  const code = params.get('code') ?? undefined
  const phone = params.get('phone') ?? undefined
  const lookup = useQuery({
    queryKey: ['till', code, phone],
    enabled: Boolean(code || phone),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/admin/till/lookup', {
          params: { query: { ...(code ? { code } : {}), ...(phone ? { phone } : {}) } },
          signal,
        }),
      ),
  })
  useEffect(() => {
    input.current?.focus({ cursor: 'all' })
  }, [lookup.data, lookup.error])
  const search = (raw: string) => {
    const v = raw.trim()
    if (!v) return
    setParams(PHONE.test(v) ? { phone: v } : { code: v })
  }
  const m = lookup.data
  return (
    <Space direction="vertical" size={12} style={{ width: '100%', maxWidth: 720 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        收银台
      </Typography.Title>
      <Input.Search
        ref={input}
        key={code ?? phone ?? ''}
        defaultValue={code ?? phone}
        autoFocus
        size="large"
        enterButton="查询"
        prefix={<ScanOutlined />}
        placeholder="扫描会员码，或输入手机号"
        inputMode="text"
        autoComplete="off"
        onSearch={search}
        data-testid="till-input"
      />
      {!code && !phone && <Empty description="扫码枪扫描会员码后自动查询" />}
      {lookup.isError && (
        <Alert type="error" showIcon message={errorMessage(lookup.error)} data-testid="till-error" />
      )}
      {lookup.isFetching && !m && <Card loading />}
      {m && (
        <>
          <Card data-testid="till-member">
            <Space direction="vertical" size={8} style={{ width: '100%' }}>
              <Space wrap>
                <Typography.Title level={4} style={{ margin: 0 }} data-testid="till-name">
                  {m.name ?? m.nickname ?? '未填写姓名'}
                </Typography.Title>
                <Typography.Text type="secondary">{m.memberNo}</Typography.Text>
              </Space>
              <Space wrap>
                <Tag
                  color={stageColors[m.stage as keyof typeof stageColors] ?? 'default'}
                  data-testid="till-stage"
                >
                  {m.stageName}
                </Tag>
                {m.repurchaserKind && (
                  <Tag color="purple">{label(repurchaserKindLabels, m.repurchaserKind)}</Tag>
                )}
                {m.tiers.map((t) => (
                  <Tag color="gold" key={t.ladder}>
                    {t.level}
                    {t.endsAt ? `（至 ${formatDate(t.endsAt)}）` : ''}
                  </Tag>
                ))}
              </Space>
              <Row gutter={[12, 12]}>
                <Col span={12}>
                  <Statistic
                    title="到店次数"
                    valueRender={() => <span data-testid="till-visits">{formatCount(m.visits)}</span>}
                  />
                </Col>
                <Col span={12}>
                  <Statistic
                    title="累计消费"
                    valueRender={() => <span data-testid="till-spend">{formatFen(m.totalSpendFen)}</span>}
                  />
                </Col>
                <Col span={12}>
                  <Statistic title="购买次数" value={m.paidOrders} />
                </Col>
                <Col span={12}>
                  <Statistic title="积分" value={m.pointsBalance} />
                </Col>
              </Row>
              <Typography.Text type="secondary">上次到店：{formatDate(m.lastVisitAt)}</Typography.Text>
            </Space>
          </Card>
          {m.pitch.length > 0 && (
            <Alert
              type="info"
              showIcon
              message="建议这样说"
              data-testid="till-pitch"
              description={m.pitch.map((p) => (
                <div key={p}>{p}</div>
              ))}
            />
          )}
          <Benefits memberId={m.memberId} />
          <MemberTags memberId={m.memberId} />
        </>
      )}
    </Space>
  )
}
