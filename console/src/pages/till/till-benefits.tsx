// The member's benefits at the till: what their levels grant now, with this period's remaining uses,
// and 核销 for the ones counted per use (a friend's pass asks for the friend's phone). The list is
// read again after every use, so the remaining count is what the database holds.
import { useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Result,
  Space,
  Tag,
  Typography,
} from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { apiRequest, useApi, type Answer, type Body } from '../../api'
import { useTillSubmit } from './till-submit'

type HeldBenefit = Answer<'/benefits/members/{memberId}'>[number]
type BenefitUse = Answer<'/benefits/uses', 'post'>

const periodLabels: Record<string, string> = { year: '本年度', month: '本月', tier_period: '本会员周期' }

const countable = (b: HeldBenefit) => b.kind === 'quota' || b.kind === 'friend_pass'

/** What a benefit that is not used one by one means at the till. */
function standing(b: HeldBenefit): string {
  if (b.kind === 'member_price' && typeof b.args.discountPct === 'number')
    return `结账享 ${b.args.discountPct / 10} 折会员价`
  if (b.kind === 'birthday_gift' && typeof b.args.points === 'number')
    return `生日当天自动发放 ${b.args.points} 积分`
  return '无需核销'
}

export function TillBenefits({ memberId }: { memberId: number }) {
  const benefits = useApi<HeldBenefit[]>(`/benefits/members/${memberId}`)
  const [using, setUsing] = useState<HeldBenefit | null>(null)
  const { message } = App.useApp()
  const items = benefits.data ?? benefits.previous

  return (
    <Card title="可用权益" size="small" data-testid="till-benefits">
      {benefits.error && !items ? (
        <Result
          status="error"
          title="权益加载失败"
          subTitle={benefits.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={benefits.reload}>
              重试
            </Button>
          }
        />
      ) : (
        <List<HeldBenefit>
          loading={benefits.loading && !items}
          dataSource={items ?? []}
          locale={{ emptyText: <Empty description="该会员当前没有可用权益" /> }}
          renderItem={(b) => {
            const period = periodLabels[String(b.args.period)] ?? '本周期'
            const left = b.remaining ?? 0
            return (
              <List.Item
                data-testid="till-benefit"
                data-code={b.code}
                style={{ flexWrap: 'wrap', gap: 8 }}
                actions={
                  countable(b)
                    ? [
                        <Button key="use" type="primary" disabled={left <= 0} onClick={() => setUsing(b)}>
                          {left > 0 ? '核销' : '已用完'}
                        </Button>,
                      ]
                    : undefined
                }
              >
                <List.Item.Meta
                  title={
                    <Space wrap size={4}>
                      <span>{b.name}</span>
                      <Tag>{b.level}</Tag>
                    </Space>
                  }
                  description={
                    <Space orientation="vertical" size={0}>
                      {b.description && <span>{b.description}</span>}
                      {countable(b) ? (
                        <Typography.Text
                          type={left > 0 ? 'success' : 'secondary'}
                          data-testid="benefit-remaining"
                        >
                          {`${period}剩余 ${left} 次（共 ${b.quota ?? 0} 次）`}
                        </Typography.Text>
                      ) : (
                        <span>{standing(b)}</span>
                      )}
                    </Space>
                  }
                />
              </List.Item>
            )
          }}
        />
      )}
      {using && (
        <UseBenefit
          memberId={memberId}
          benefit={using}
          onClose={() => setUsing(null)}
          onUsed={(r) => {
            setUsing(null)
            void message.success(
              r.duplicate
                ? '这次核销已记录过，未重复计次'
                : `已核销「${using.name}」，${periodLabels[String(using.args.period)] ?? '本周期'}剩余 ${r.remaining} 次`,
            )
            benefits.reload()
          }}
          onStale={benefits.reload}
        />
      )}
    </Card>
  )
}

interface UseFields {
  friendPhone?: string
  note?: string
}

function UseBenefit({
  memberId,
  benefit,
  onClose,
  onUsed,
  onStale,
}: {
  memberId: number
  benefit: HeldBenefit
  onClose: () => void
  onUsed: (r: BenefitUse) => void
  /** The list on screen no longer matches the server (e.g. the quota was used up meanwhile). */
  onStale: () => void
}) {
  const [form] = Form.useForm<UseFields>()
  // One key per opened form: a double click or a retry after a lost answer is counted once.
  const requestId = useMemo(() => crypto.randomUUID(), [])
  const { error, saving, run } = useTillSubmit(
    form,
    { friendPhone: 'friendPhone', note: 'note' },
    { friend_not_member: 'friendPhone' },
  )
  const friend = benefit.kind === 'friend_pass'
  const save = (v: UseFields) =>
    run(
      async () => {
        const body: Body<'/benefits/uses', 'post'> = {
          memberId,
          benefitCode: benefit.code,
          requestId,
          ...(friend && v.friendPhone ? { friendPhone: v.friendPhone.trim() } : {}),
          ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        }
        onUsed(await apiRequest<BenefitUse>('/benefits/uses', { method: 'POST', body }))
      },
      (e) => {
        if (e.status === 409) onStale()
      },
    )
  return (
    <Modal
      open
      title={`核销「${benefit.name}」`}
      okText="确认核销"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>
        {`${periodLabels[String(benefit.args.period)] ?? '本周期'}剩余 ${benefit.remaining ?? 0} 次，核销后剩余 ${Math.max(0, (benefit.remaining ?? 0) - 1)} 次。`}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<UseFields> form={form} layout="vertical" onFinish={save} requiredMark={false}>
        {friend && (
          <Form.Item
            label="好友手机号"
            name="friendPhone"
            extra="亲友权益由好友本人使用，好友须已是会员"
            rules={[{ required: true, message: '请填写好友手机号' }]}
          >
            <Input inputMode="numeric" maxLength={11} placeholder="好友的 11 位手机号" />
          </Form.Item>
        )}
        <Form.Item label="备注" name="note">
          <Input maxLength={200} placeholder="选填，如 到店护肤指导" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
