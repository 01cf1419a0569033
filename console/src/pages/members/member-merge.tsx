// Merging two records of one person, and undoing it. The operator finds the other record, compares the
// two side by side, is warned when nothing proves they are one person (no shared phone, UnionID or
// openid) or when gender or city disagree, chooses which record stays and gives a reason. The merge
// history lists every merge either record took part in, each with 撤销.
import { useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Checkbox,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { Link } from 'react-router'
import { apiRequest, asApiError, fieldErrors, query, useApi, type Answer, type Body } from '../../api'
import { formatCount, formatDate, formatDateTime, formatFen } from '../../format'
import { genderLabels, label, stageLabels } from '../../labels'
import { may } from '../../session'

type Detail = Answer<'/reports/members/{id}'>
type Found = Answer<'/reports/members'>['items'][number]
type Merged = Answer<'/members/merge', 'post'>

/** Identities that name one person: the same value of one of these on both records. */
const provingKinds = new Set(['phone', 'unionid', 'mp_openid', 'oa_openid'])

/** What speaks against the two records being one person, in the operator's words. */
export function mergeWarnings(a: Detail, b: Detail): string[] {
  const warnings: string[] = []
  const values = new Set(
    a.identities.filter((i) => provingKinds.has(i.kind)).map((i) => `${i.kind}:${i.value}`),
  )
  if (!b.identities.some((i) => provingKinds.has(i.kind) && values.has(`${i.kind}:${i.value}`)))
    warnings.push('两条记录没有相同的手机号、UnionID 或 openid，无法证明是同一个人')
  const { gender: ga, city: ca } = a.profile
  const { gender: gb, city: cb } = b.profile
  if (ga !== 'unknown' && gb !== 'unknown' && ga !== gb)
    warnings.push(`性别不一致（${genderLabels[ga]} / ${genderLabels[gb]}）`)
  if (ca && cb && ca !== cb) warnings.push(`城市不一致（${ca} / ${cb}）`)
  return warnings
}

const phonesOf = (d: Detail) =>
  d.identities
    .filter((i) => i.kind === 'phone')
    .map((i) => i.value)
    .join('、') || '—'

function Comparison({ a, b, survivorId }: { a: Detail; b: Detail; survivorId: number }) {
  const rows: [string, (d: Detail) => React.ReactNode][] = [
    ['会员号', (d) => d.profile.memberNo],
    ['姓名', (d) => d.profile.name ?? '—'],
    ['昵称', (d) => d.profile.nickname ?? '—'],
    ['性别', (d) => label(genderLabels, d.profile.gender)],
    ['城市', (d) => d.profile.city ?? '—'],
    ['生日', (d) => d.profile.birthday ?? '—'],
    ['手机号', phonesOf],
    ['绑定身份', (d) => `${d.identities.length} 个`],
    ['阶段', (d) => stageLabels[d.profile.stage]],
    [
      '等级',
      (d) =>
        d.tiers
          .filter((t) => t.active)
          .map((t) => t.levelName)
          .join('、') || '—',
    ],
    ['积分', (d) => formatCount(d.pointsBalance)],
    ['订单', (d) => `${formatCount(d.orders.count)} 笔 · ${formatFen(d.orders.spentFen)}`],
    ['加入时间', (d) => formatDate(d.profile.createdAt)],
  ]
  const head = (d: Detail) => (
    <Space size={4} wrap>
      <span>{d.profile.name ?? d.profile.memberNo}</span>
      {d.profile.id === survivorId ? <Tag color="green">保留</Tag> : <Tag color="orange">并入后停用</Tag>}
    </Space>
  )
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="0"
      data-testid="merge-comparison"
      dataSource={rows}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: '', render: (_, r) => <Typography.Text type="secondary">{r[0]}</Typography.Text> },
        { title: head(a), render: (_, r) => r[1](a) },
        { title: head(b), render: (_, r) => r[1](b) },
      ]}
    />
  )
}

export function MergeMember({
  member,
  onClose,
  onMerged,
}: {
  member: Detail
  onClose: () => void
  onMerged: (merged: Merged) => void
}) {
  const [q, setQ] = useState('')
  const found = useApi<Answer<'/reports/members'>>(q ? `/reports/members${query({ q, pageSize: 8 })}` : null)
  const [otherId, setOtherId] = useState<number | null>(null)
  const other = useApi<Detail>(otherId === null ? null : `/reports/members/${otherId}`)
  const [survivorId, setSurvivorId] = useState(member.profile.id)
  const [checked, setChecked] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const b = other.data?.profile.id === otherId ? other.data : undefined
  const warnings = useMemo(() => (b ? mergeWarnings(member, b) : []), [member, b])

  const pick = (f: Found) => {
    setOtherId(f.id)
    setChecked(false)
    // The record that came first usually holds the history; the operator can swap.
    setSurvivorId(Date.parse(f.createdAt) < Date.parse(member.profile.createdAt) ? f.id : member.profile.id)
  }
  const merge = async ({ reason }: { reason: string }) => {
    if (!b) return
    setSaving(true)
    setError(null)
    try {
      const body: Body<'/members/merge', 'post'> = {
        survivorId,
        mergedId: survivorId === member.profile.id ? b.profile.id : member.profile.id,
        reason,
      }
      onMerged(await apiRequest<Merged>('/members/merge', { method: 'POST', body }))
    } catch (err) {
      const e = asApiError(err, '合并失败，请稍后重试')
      const onFields = fieldErrors(e, ['reason'])
      if (onFields.length) form.setFields(onFields)
      else setError(e.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={`合并会员 · ${member.profile.name ?? member.profile.memberNo}`}
      width={Math.min(860, window.innerWidth)}
      okText="确认合并"
      cancelText="取消"
      okButtonProps={{ disabled: !b || (warnings.length > 0 && !checked), danger: true }}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Input.Search
        placeholder="搜索另一条记录：姓名、手机号或会员号"
        enterButton="搜索"
        allowClear
        onSearch={(v) => setQ(v.trim())}
        data-testid="merge-search"
      />
      {q && (
        <List<Found>
          size="small"
          loading={found.loading}
          style={{ marginTop: 8 }}
          locale={{ emptyText: <Empty description="没有找到会员" image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          dataSource={(found.data?.items ?? []).filter((f) => f.id !== member.profile.id)}
          renderItem={(f) => (
            <List.Item
              data-testid="merge-candidate"
              actions={[
                <Button
                  key="pick"
                  size="small"
                  type={f.id === otherId ? 'primary' : 'default'}
                  onClick={() => pick(f)}
                >
                  {f.id === otherId ? '已选择' : '选择'}
                </Button>,
              ]}
            >
              <Space wrap size={4}>
                <span>{f.name ?? f.nickname ?? f.memberNo}</span>
                <Typography.Text type="secondary">
                  {f.memberNo}
                  {f.phone ? ` · ${f.phone}` : ''}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
      {found.error && (
        <Alert
          type="error"
          title={found.error.message}
          action={<Button onClick={found.reload}>重试</Button>}
          style={{ marginTop: 8 }}
        />
      )}
      {otherId !== null &&
        (other.error ? (
          <Alert
            type="error"
            title={other.error.message}
            action={<Button onClick={other.reload}>重试</Button>}
            style={{ marginTop: 12 }}
          />
        ) : !b ? (
          <Skeleton active style={{ marginTop: 12 }} />
        ) : (
          <Space orientation="vertical" size={12} style={{ width: '100%', marginTop: 16 }}>
            <Comparison a={member} b={b} survivorId={survivorId} />
            <Space wrap>
              <span>保留哪一条：</span>
              <Radio.Group
                value={survivorId}
                onChange={(e) => setSurvivorId(e.target.value as number)}
                options={[member, b].map((d) => ({
                  value: d.profile.id,
                  label: `${d.profile.name ?? d.profile.memberNo}（${d.profile.memberNo}）`,
                }))}
              />
            </Space>
            <Typography.Text type="secondary">
              另一条的身份、订单、积分、等级、标签和推荐关系都会转到保留的记录上；合并可以撤销。
            </Typography.Text>
            {warnings.length > 0 && (
              <Alert
                type="warning"
                showIcon
                data-testid="merge-warnings"
                title="请确认这是同一个人"
                description={
                  <Space orientation="vertical" size={4}>
                    {warnings.map((w) => (
                      <span key={w}>{w}</span>
                    ))}
                    <Checkbox checked={checked} onChange={(e) => setChecked(e.target.checked)}>
                      我已核对，确认是同一个人
                    </Checkbox>
                  </Space>
                }
              />
            )}
            <Form form={form} layout="vertical" onFinish={(v) => void merge(v)}>
              <Form.Item
                label="合并原因"
                name="reason"
                rules={[{ required: true, message: '请填写合并原因' }]}
              >
                <Input maxLength={200} placeholder="如 同一顾客在门店和小程序各注册了一次" />
              </Form.Item>
            </Form>
          </Space>
        ))}
    </Modal>
  )
}

type MergeRecord = Answer<'/members/{id}/merges'>[number]

export function MergeHistory({ memberId, onUndone }: { memberId: number; onUndone: () => void }) {
  const merges = useApi<Answer<'/members/{id}/merges'>>(`/members/${memberId}/merges`)
  const { message, modal } = App.useApp()
  const undo = (m: MergeRecord) =>
    modal.confirm({
      title: '撤销这次合并？',
      content: '被合并的会员恢复为独立记录，转过去的身份、订单、积分、标签等都回到原处。',
      okText: '撤销合并',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          await apiRequest(`/members/merges/${m.id}/undo`, { method: 'POST' })
          void message.success('已撤销合并')
          merges.reload()
          onUndone()
        } catch (err) {
          void message.error(asApiError(err).message)
        }
      },
    })
  if (merges.error)
    return (
      <Alert
        type="error"
        title={merges.error.message}
        action={<Button onClick={merges.reload}>重试</Button>}
      />
    )
  return (
    <Table<MergeRecord>
      size="small"
      rowKey="id"
      loading={merges.loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="merge-history"
      dataSource={merges.data ?? merges.previous ?? []}
      locale={{ emptyText: '暂无合并记录' }}
      columns={[
        { title: '时间', dataIndex: 'createdAt', render: formatDateTime },
        {
          title: '保留',
          render: (_, m) => <Link to={`/members/${m.survivorId}`}>#{m.survivorId}</Link>,
        },
        {
          title: '并入',
          render: (_, m) => <Link to={`/members/${m.mergedId}`}>#{m.mergedId}</Link>,
        },
        { title: '原因', dataIndex: 'reason' },
        {
          title: '状态',
          render: (_, m) =>
            m.undoneAt ? <Tag>已撤销 · {formatDate(m.undoneAt)}</Tag> : <Tag color="green">有效</Tag>,
        },
        {
          title: '操作',
          render: (_, m) =>
            !m.undoneAt &&
            may('members.merge') && (
              <Button size="small" danger onClick={() => undo(m)}>
                撤销
              </Button>
            ),
        },
      ]}
    />
  )
}
