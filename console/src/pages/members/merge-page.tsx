// 会员合并: pick two members (?a=&b= in the URL), compare them side by side, see the warnings (no
// shared phone / unionid / openid, different gender or city), choose who stays, give a reason and
// merge; the merge can be undone from the member's page.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate, useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { QueryView } from '../../api/query'
import type { Answer } from '../../api/types'
import { showServerErrors } from '../../forms'
import { formatCount, formatDateTime, formatFen } from '../../format'
import { genderLabels, identityKindLabels, label, stageColors, stageLabels } from '../../labels'

type Detail = Answer<'/api/admin/reports/members/{id}'>

const mask = (kind: string, v: string) =>
  kind === 'phone' ? v.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2') : v

function useMemberReport(id: number | null) {
  return useQuery({
    queryKey: ['member', id, 'report'],
    enabled: id !== null,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/reports/members/{id}', { params: { path: { id: id! } }, signal })),
  })
}

/** Finds a member by name, phone or member number. */
function MemberPicker({
  value,
  onChange,
  testId,
}: {
  value: number | null
  onChange: (id: number | null) => void
  testId: string
}) {
  const [q, setQ] = useState('')
  const found = useQuery({
    queryKey: ['members', 'list', { q, page: 1 }],
    enabled: q.trim().length > 0,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/reports/members', { params: { query: { q, pageSize: 10 } }, signal })),
  })
  return (
    <Select
      showSearch
      allowClear
      filterOption={false}
      style={{ width: '100%' }}
      placeholder="搜索姓名 / 手机号 / 会员号"
      value={value ?? undefined}
      onSearch={setQ}
      onChange={(v: number | undefined) => onChange(v ?? null)}
      loading={found.isFetching}
      notFoundContent={q ? (found.isFetching ? '搜索中…' : '没有匹配的会员') : '输入后搜索'}
      data-testid={testId}
      options={(found.data?.items ?? []).map((m) => ({
        value: m.id,
        label: `${m.name ?? m.nickname ?? '未填写'} · ${m.memberNo}${m.phone ? ` · ${m.phone}` : ''}`,
      }))}
    />
  )
}

function Side({ detail }: { detail: Detail }) {
  const { profile, identities, orders, pointsBalance, tiers } = detail
  return (
    <Descriptions column={1} size="small" bordered>
      <Descriptions.Item label="会员号">{profile.memberNo}</Descriptions.Item>
      <Descriptions.Item label="姓名">{profile.name ?? '—'}</Descriptions.Item>
      <Descriptions.Item label="阶段">
        <Tag color={stageColors[profile.stage]}>{stageLabels[profile.stage]}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label="性别">{label(genderLabels, profile.gender)}</Descriptions.Item>
      <Descriptions.Item label="城市">{profile.city ?? '—'}</Descriptions.Item>
      <Descriptions.Item label="身份">
        {identities.length
          ? identities.map((i) => (
              <div key={`${i.kind}:${i.value}`}>
                {label(identityKindLabels, i.kind)}：{mask(i.kind, i.value)}
              </div>
            ))
          : '—'}
      </Descriptions.Item>
      <Descriptions.Item label="订单">
        {formatCount(orders.count)} 笔 · {formatFen(orders.spentFen)}
      </Descriptions.Item>
      <Descriptions.Item label="积分">{formatCount(pointsBalance)}</Descriptions.Item>
      <Descriptions.Item label="等级">{tiers.map((t) => t.levelName).join('、') || '—'}</Descriptions.Item>
      <Descriptions.Item label="加入时间">{formatDateTime(profile.createdAt)}</Descriptions.Item>
    </Descriptions>
  )
}

/** What an operator should look at twice before merging two records into one person. */
export function mergeWarnings(a: Detail, b: Detail): string[] {
  const warnings: string[] = []
  const keys = (d: Detail) =>
    new Set(
      d.identities
        .filter((i) => ['phone', 'unionid', 'mp_openid', 'oa_openid'].includes(i.kind))
        .map((i) => `${i.kind}:${i.value}`),
    )
  const ka = keys(a)
  if (![...keys(b)].some((k) => ka.has(k))) warnings.push('两位会员没有共同的手机号、UnionID 或 openid')
  const [ga, gb] = [a.profile.gender, b.profile.gender]
  if (ga !== 'unknown' && gb !== 'unknown' && ga !== gb) warnings.push('两位会员的性别不同')
  if (a.profile.city && b.profile.city && a.profile.city !== b.profile.city)
    warnings.push(`两位会员的城市不同（${a.profile.city} / ${b.profile.city}）`)
  return warnings
}

export default function MergePage() {
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const client = useQueryClient()
  const { modal, message } = App.useApp()
  const [form] = Form.useForm<{ reason: string }>()
  const [notice, setNotice] = useState<string | null>(null)
  const idOf = (k: string) => (Number(params.get(k)) > 0 ? Number(params.get(k)) : null)
  const a = idOf('a')
  const b = idOf('b')
  const survivor = params.get('keep') === 'b' ? 'b' : 'a'
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params)
    if (v) next.set(k, v)
    else next.delete(k)
    setParams(next, { replace: true })
  }
  const left = useMemberReport(a)
  const right = useMemberReport(b)
  const both = left.data && right.data && a !== b ? { a: left.data, b: right.data } : null
  const warnings = both ? mergeWarnings(both.a, both.b) : []

  const merge = (values: { reason: string }) => {
    if (!both || a === null || b === null) return
    const [survivorId, mergedId] = survivor === 'a' ? [a, b] : [b, a]
    const kept = survivor === 'a' ? both.a : both.b
    const gone = survivor === 'a' ? both.b : both.a
    modal.confirm({
      title: '确认合并这两位会员？',
      content: `${gone.profile.memberNo} 的身份、订单、积分、标签等将全部并入 ${kept.profile.memberNo}。合并后可在会员页撤销。`,
      okText: '确认合并',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setNotice(null)
        try {
          await unwrap(
            api.POST('/api/admin/members/merge', {
              body: { survivorId, mergedId, reason: values.reason ?? '' },
            }),
          )
          message.success('已合并')
          await client.invalidateQueries({ queryKey: ['member'] })
          await client.invalidateQueries({ queryKey: ['members'] })
          navigate(`/members/${survivorId}`)
        } catch (err) {
          setNotice(showServerErrors(form, err))
        }
      },
    })
  }

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        会员合并
      </Typography.Title>
      <Typography.Text type="secondary">同一个人留下了两条会员记录时，把其中一条并入另一条。</Typography.Text>
      <Row gutter={[16, 16]}>
        {(
          [
            ['a', a, left, '会员 A'],
            ['b', b, right, '会员 B'],
          ] as const
        ).map(([key, id, query, title]) => (
          <Col xs={24} md={12} key={key}>
            <Card
              title={title}
              extra={
                <Radio
                  checked={survivor === key}
                  onChange={() => set('keep', key)}
                  data-testid={`keep-${key}`}
                >
                  保留此会员
                </Radio>
              }
            >
              <Space direction="vertical" style={{ width: '100%' }}>
                <MemberPicker
                  value={id}
                  onChange={(v) => set(key, v === null ? null : String(v))}
                  testId={`merge-pick-${key}`}
                />
                {id !== null && <QueryView query={query}>{(d) => <Side detail={d} />}</QueryView>}
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
      {a !== null && a === b && <Alert type="error" showIcon message="请选择两位不同的会员" />}
      {both && (
        <Card>
          {warnings.length > 0 && (
            <Alert
              type="warning"
              showIcon
              data-testid="merge-warnings"
              message="请确认是同一个人"
              description={warnings.map((w) => (
                <div key={w}>{w}</div>
              ))}
              style={{ marginBottom: 16 }}
            />
          )}
          {notice && <Alert type="error" showIcon message={notice} style={{ marginBottom: 16 }} />}
          <Form form={form} layout="vertical" onFinish={merge}>
            <Form.Item label="合并原因" name="reason">
              <Input placeholder="例如：同一手机号在门店和小程序各注册了一次" maxLength={200} />
            </Form.Item>
            <Button type="primary" danger htmlType="submit" data-testid="merge-submit">
              合并
            </Button>
          </Form>
        </Card>
      )}
    </Space>
  )
}
