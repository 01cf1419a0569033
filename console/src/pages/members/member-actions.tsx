// What an operator changes on a member's page: the profile, points (with a reason), a tier level
// (granted, changed or taken away, with a reason), and the merges this member took part in (undo).
import {
  App,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import type { Dayjs } from 'dayjs'
import { Link } from 'react-router'
import { api, unwrap } from '../../api/client'
import { errorMessage, QueryView } from '../../api/query'
import type { Answer } from '../../api/types'
import { FormModal, requestId } from '../../components/form-modal'
import { formatDateTime } from '../../format'
import { genderLabels } from '../../labels'
import { useAccess } from '../../me'

type Profile = Answer<'/api/admin/reports/members/{id}'>['profile']

interface ProfileValues {
  name?: string
  nickname?: string
  gender?: 'unknown' | 'male' | 'female'
  birthday?: string
  city?: string
  occupation?: string
}

const blankToUndefined = (v: ProfileValues) =>
  Object.fromEntries(
    Object.entries(v).filter(([, x]) => x !== undefined && x !== null && String(x).trim() !== ''),
  ) as ProfileValues

export function ProfileModal({
  profile,
  open,
  onClose,
}: {
  profile: Profile
  open: boolean
  onClose: () => void
}) {
  const client = useQueryClient()
  const { message } = App.useApp()
  return (
    <FormModal<ProfileValues>
      title="编辑资料"
      open={open}
      onClose={onClose}
      testId="profile-modal"
      initialValues={{
        name: profile.name ?? undefined,
        nickname: profile.nickname ?? undefined,
        gender: profile.gender,
        birthday: profile.birthday ?? undefined,
        city: profile.city ?? undefined,
        occupation: profile.occupation ?? undefined,
      }}
      onSubmit={async (values) => {
        await unwrap(
          api.PATCH('/api/admin/members/{id}', {
            params: { path: { id: profile.id } },
            body: blankToUndefined(values),
          }),
        )
        message.success('资料已保存')
        await client.invalidateQueries({ queryKey: ['member', profile.id] })
      }}
    >
      <Form.Item label="姓名" name="name">
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item label="昵称" name="nickname">
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item label="性别" name="gender">
        <Select options={Object.entries(genderLabels).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item label="生日" name="birthday" extra="格式 YYYY-MM-DD">
        <Input placeholder="1990-05-01" />
      </Form.Item>
      <Form.Item label="城市" name="city">
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item label="职业" name="occupation">
        <Input maxLength={50} />
      </Form.Item>
    </FormModal>
  )
}

export function PointsModal({
  memberId,
  open,
  onClose,
}: {
  memberId: number
  open: boolean
  onClose: () => void
}) {
  const client = useQueryClient()
  const { message } = App.useApp()
  return (
    <FormModal<{ amount: number; reason: string }>
      title="调整积分"
      open={open}
      onClose={onClose}
      testId="points-modal"
      onSubmit={async (values) => {
        await unwrap(
          api.POST('/api/admin/points/adjustments', {
            body: { memberId, amount: values.amount, reason: values.reason ?? '', requestId: requestId() },
          }),
        )
        message.success('积分已调整')
        await client.invalidateQueries({ queryKey: ['member', memberId] })
      }}
    >
      <Form.Item label="调整数量" name="amount" extra="正数发放，负数扣减（不会扣成负数）">
        <InputNumber style={{ width: '100%' }} precision={0} placeholder="例如 200 或 -100" />
      </Form.Item>
      <Form.Item label="原因" name="reason">
        <Input.TextArea rows={2} maxLength={100} placeholder="例如：补偿物流延误" />
      </Form.Item>
    </FormModal>
  )
}

export function useLadders() {
  return useQuery({
    queryKey: ['reports', 'tiers'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/reports/tiers', { signal })),
    staleTime: 60_000,
  })
}

/** Level `null` takes the member out of the ladder. */
const REMOVE = '__remove__'

export function TierModal({
  memberId,
  open,
  onClose,
}: {
  memberId: number
  open: boolean
  onClose: () => void
}) {
  const client = useQueryClient()
  const { message } = App.useApp()
  const ladders = useLadders()
  return (
    <FormModal<{ ladder: string; level: string; reason: string; endsAt?: Dayjs }>
      title="调整等级"
      open={open}
      onClose={onClose}
      testId="tier-modal"
      onSubmit={async (v) => {
        if (!v.ladder) throw new Error('请选择等级体系')
        await unwrap(
          api.PUT('/api/admin/tiers/members/{memberId}/{ladder}', {
            params: { path: { memberId, ladder: v.ladder } },
            body: {
              level: !v.level || v.level === REMOVE ? null : v.level,
              reason: v.reason ?? '',
              ...(v.endsAt ? { endsAt: v.endsAt.toISOString() } : {}),
            },
          }),
        )
        message.success(v.level === REMOVE ? '已移出该等级体系' : '等级已调整')
        await client.invalidateQueries({ queryKey: ['member', memberId] })
        await client.invalidateQueries({ queryKey: ['reports', 'tiers'] })
      }}
    >
      {(form) => (
        <>
          <Form.Item label="等级体系" name="ladder" rules={[{ required: true, message: '请选择等级体系' }]}>
            <Select
              data-testid="tier-ladder"
              options={(ladders.data?.ladders ?? []).map((l) => ({ value: l.code, label: l.name }))}
              onChange={() => form.setFieldValue('level', undefined)}
            />
          </Form.Item>
          <Form.Item noStyle dependencies={['ladder']}>
            {() => {
              const ladder = ladders.data?.ladders.find((l) => l.code === form.getFieldValue('ladder'))
              return (
                <Form.Item label="等级" name="level" rules={[{ required: true, message: '请选择等级' }]}>
                  <Select
                    data-testid="tier-level"
                    options={[
                      ...(ladder?.levels ?? []).map((l) => ({ value: l.code, label: l.name })),
                      { value: REMOVE, label: '移出该体系（撤销等级）' },
                    ]}
                  />
                </Form.Item>
              )
            }}
          </Form.Item>
          <Form.Item label="原因" name="reason">
            <Input.TextArea rows={2} maxLength={200} />
          </Form.Item>
          <Form.Item label="到期时间" name="endsAt" extra="留空为按规则处理">
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </>
      )}
    </FormModal>
  )
}

export function MemberMerges({ memberId }: { memberId: number }) {
  const client = useQueryClient()
  const { message } = App.useApp()
  const { can } = useAccess()
  const merges = useQuery({
    queryKey: ['member', memberId, 'merges'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/members/{id}/merges', { params: { path: { id: memberId } }, signal })),
  })
  const undo = async (mergeId: number) => {
    try {
      await unwrap(api.POST('/api/admin/members/merges/{id}/undo', { params: { path: { id: mergeId } } }))
      message.success('已撤销合并')
      await client.invalidateQueries({ queryKey: ['member'] })
      await client.invalidateQueries({ queryKey: ['members'] })
    } catch (err) {
      message.error(errorMessage(err))
    }
  }
  return (
    <Card title="合并记录" data-testid="member-merges">
      <QueryView query={merges} rows={2}>
        {(rows) => (
          <Table
            size="small"
            rowKey="id"
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 'max-content' }}
            dataSource={rows}
            locale={{ emptyText: '没有合并记录' }}
            columns={[
              { title: '时间', dataIndex: 'createdAt', render: formatDateTime },
              {
                title: '合并',
                render: (_, m) => (
                  <span>
                    会员 <Link to={`/members/${m.mergedId}`}>#{m.mergedId}</Link> 并入{' '}
                    <Link to={`/members/${m.survivorId}`}>#{m.survivorId}</Link>
                  </span>
                ),
              },
              { title: '原因', dataIndex: 'reason' },
              {
                title: '状态',
                render: (_, m) =>
                  m.undoneAt ? (
                    <Tag>已撤销 {formatDateTime(m.undoneAt)}</Tag>
                  ) : can('members.merge') ? (
                    <Popconfirm
                      title="撤销这次合并？"
                      description="被合并会员的身份、订单、积分等将恢复到合并前。"
                      okText="撤销合并"
                      okButtonProps={{ danger: true }}
                      cancelText="取消"
                      onConfirm={() => undo(m.id)}
                    >
                      <Typography.Link data-testid={`undo-merge-${m.id}`}>撤销</Typography.Link>
                    </Popconfirm>
                  ) : (
                    <Tag color="green">生效中</Tag>
                  ),
              },
            ]}
          />
        )}
      </QueryView>
    </Card>
  )
}
