// 人员与权限: the administrator adds operators, changes their name, role and (for advisors) the bot
// accounts they serve, disables them, resets a forgotten password and ends a session left open on a
// shared computer. The server decides every rule (password strength, unique user names, the last
// administrator); its refusals appear on the field concerned.
import { useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Grid,
  Input,
  List,
  Modal,
  Popconfirm,
  Result,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { roleDescriptions } from '../../../../shared/auth/labels'
import { apiRequest, asApiError, fieldErrors, useApi, type Answer, type Body } from '../../api'
import { formatDateTime } from '../../format'
import { roleLabels } from '../../labels'

type Operator = Answer<'/operators'>['items'][number]
type Role = Operator['role']
type Account = Answer<'/accounts'>['items'][number]
type Session = Answer<'/operators/{id}/sessions'>['items'][number]
type CreateBody = Body<'/operators', 'post'>
type PatchBody = Body<'/operators/{id}', 'patch'>

const roles = Object.keys(roleDescriptions) as Role[]
const roleColors: Record<Role, string> = {
  admin: 'red',
  operator: 'blue',
  staff: 'green',
  finance: 'gold',
  advisor: 'purple',
}

const roleOptions = roles.map((r) => ({
  value: r,
  label: (
    <Space orientation="vertical" size={0}>
      <span>{roleLabels[r]}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
        {roleDescriptions[r]}
      </Typography.Text>
    </Space>
  ),
  title: roleLabels[r],
}))

export default function OperatorsPage() {
  const list = useApi<Answer<'/operators'>>('/operators')
  const accounts = useApi<Answer<'/accounts'>>('/accounts')
  const [editing, setEditing] = useState<Operator | 'new' | null>(null)
  const [resetting, setResetting] = useState<Operator | null>(null)
  const [sessionsOf, setSessionsOf] = useState<Operator | null>(null)
  const { message } = App.useApp()
  const wide = Grid.useBreakpoint().md !== false
  const items = (list.data ?? list.previous)?.items
  const accountNames = new Map((accounts.data?.items ?? []).map((a) => [a.id, a.displayName]))

  const setDisabled = async (op: Operator, disabled: boolean) => {
    try {
      await apiRequest(`/operators/${op.id}`, { method: 'PATCH', body: { disabled } satisfies PatchBody })
      void message.success(
        disabled ? `已停用 ${op.displayName}，其登录已全部退出` : `已启用 ${op.displayName}`,
      )
      list.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }

  const actionsOf = (op: Operator) => (
    <Space size={0} wrap>
      <Button type="link" onClick={() => setEditing(op)}>
        编辑
      </Button>
      <Button type="link" onClick={() => setResetting(op)}>
        重置密码
      </Button>
      <Button type="link" onClick={() => setSessionsOf(op)}>
        登录会话
      </Button>
      {op.disabled ? (
        <Button type="link" onClick={() => void setDisabled(op, false)}>
          启用
        </Button>
      ) : (
        <Popconfirm
          title={`停用 ${op.displayName}？`}
          description="停用后立即退出其所有登录，且不能再登录"
          okText="停用"
          cancelText="取消"
          onConfirm={() => setDisabled(op, true)}
        >
          <Button type="link" danger>
            停用
          </Button>
        </Popconfirm>
      )}
    </Space>
  )
  const roleTag = (r: Role) => <Tag color={roleColors[r]}>{roleLabels[r]}</Tag>
  const accountsOf = (op: Operator) =>
    op.role !== 'advisor' ? (
      <Typography.Text type="secondary">—</Typography.Text>
    ) : op.accountIds.length ? (
      op.accountIds.map((id) => <Tag key={id}>{accountNames.get(id) ?? `账号 ${id}`}</Tag>)
    ) : (
      <Typography.Text type="warning">未分配</Typography.Text>
    )
  const statusOf = (op: Operator) =>
    op.disabled ? (
      <Tag>已停用</Tag>
    ) : op.mustChangePassword ? (
      <Tag color="orange">待修改初始密码</Tag>
    ) : (
      <Tag color="green">正常</Tag>
    )

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          人员与权限
        </Typography.Title>
      }
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {wide ? '新增人员' : '新增'}
        </Button>
      }
    >
      {list.error && !items ? (
        <Result
          status="error"
          title="人员列表加载失败"
          subTitle={list.error.message}
          extra={
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              重试
            </Button>
          }
        />
      ) : !wide ? (
        <List<Operator>
          loading={list.loading}
          dataSource={items ?? []}
          locale={{ emptyText: <Empty description="还没有其他人员，点击“新增人员”添加" /> }}
          renderItem={(op) => (
            <List.Item data-testid="operator-row" data-username={op.username} style={{ display: 'block' }}>
              <Space wrap size={4}>
                <Typography.Text strong>{op.displayName}</Typography.Text>
                <Typography.Text type="secondary">{op.username}</Typography.Text>
                {roleTag(op.role)}
                {statusOf(op)}
              </Space>
              {op.role === 'advisor' && <div style={{ marginTop: 4 }}>顾问账号：{accountsOf(op)}</div>}
              <div style={{ marginLeft: -15 }}>{actionsOf(op)}</div>
            </List.Item>
          )}
        />
      ) : (
        <Table<Operator>
          rowKey="id"
          loading={list.loading}
          dataSource={items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description="还没有其他人员，点击“新增人员”添加" /> }}
          columns={[
            { title: '用户名', dataIndex: 'username' },
            { title: '姓名', dataIndex: 'displayName' },
            {
              title: '角色',
              dataIndex: 'role',
              render: roleTag,
            },
            { title: '服务的顾问账号', render: (_, op) => accountsOf(op) },
            { title: '状态', render: (_, op) => statusOf(op) },
            { title: '创建时间', dataIndex: 'createdAt', render: formatDateTime },
            { title: '操作', render: (_, op) => actionsOf(op) },
          ]}
        />
      )}
      {editing && (
        <OperatorForm
          operator={editing === 'new' ? null : editing}
          accounts={accounts.data?.items ?? []}
          onClose={() => setEditing(null)}
          onSaved={(op, created) => {
            setEditing(null)
            void message.success(created ? `已添加 ${op.displayName}，首次登录须修改密码` : '已保存')
            list.reload()
          }}
        />
      )}
      {resetting && (
        <ResetPassword
          operator={resetting}
          onClose={() => setResetting(null)}
          onDone={() => {
            void message.success(`已重置 ${resetting.displayName} 的密码，其登录已全部退出`)
            setResetting(null)
            list.reload()
          }}
        />
      )}
      <Drawer
        title={sessionsOf ? `${sessionsOf.displayName} 的登录会话` : ''}
        open={sessionsOf !== null}
        onClose={() => setSessionsOf(null)}
        width={Math.min(480, window.innerWidth)}
        destroyOnHidden
      >
        {sessionsOf && <Sessions operator={sessionsOf} />}
      </Drawer>
    </Card>
  )
}

interface OperatorFields {
  username: string
  displayName: string
  role: Role
  password: string
  accountIds: number[]
}

function OperatorForm({
  operator,
  accounts,
  onClose,
  onSaved,
}: {
  operator: Operator | null
  accounts: Account[]
  onClose: () => void
  onSaved: (op: Operator, created: boolean) => void
}) {
  const [form] = Form.useForm<OperatorFields>()
  const role = Form.useWatch('role', form)
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const save = async (values: OperatorFields) => {
    setSaving(true)
    setError(null)
    try {
      const accountIds = values.role === 'advisor' ? (values.accountIds ?? []) : []
      const saved = operator
        ? await apiRequest<Operator>(`/operators/${operator.id}`, {
            method: 'PATCH',
            body: { displayName: values.displayName, role: values.role, accountIds } satisfies PatchBody,
          })
        : await apiRequest<Operator>('/operators', {
            method: 'POST',
            body: {
              username: values.username,
              displayName: values.displayName,
              role: values.role,
              password: values.password,
              accountIds,
            } satisfies CreateBody,
          })
      onSaved(saved, !operator)
    } catch (err) {
      const apiError = asApiError(err, '保存失败，请稍后重试')
      const onFields = fieldErrors(apiError, [
        'username',
        'displayName',
        'role',
        'password',
        'accountIds',
      ] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={operator ? `编辑 ${operator.displayName}` : '新增人员'}
      okText={operator ? '保存' : '添加'}
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {operator && operator.role !== role && role && (
        <Alert
          type="warning"
          showIcon
          title="修改角色后，该人员的登录将全部退出，需重新登录"
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<OperatorFields>
        form={form}
        layout="vertical"
        onFinish={save}
        requiredMark={false}
        initialValues={
          operator
            ? {
                username: operator.username,
                displayName: operator.displayName,
                role: operator.role,
                accountIds: operator.accountIds,
              }
            : { role: 'operator', accountIds: [] }
        }
      >
        <Form.Item
          label="用户名"
          name="username"
          extra={operator ? undefined : '登录时使用，字母、数字和 _ . @ -'}
          rules={[{ required: true, message: '请输入用户名' }]}
        >
          <Input disabled={!!operator} placeholder="如 zhangsan" autoComplete="off" />
        </Form.Item>
        <Form.Item label="姓名" name="displayName" rules={[{ required: true, message: '请输入姓名' }]}>
          <Input placeholder="如 张三" maxLength={50} />
        </Form.Item>
        <Form.Item label="角色" name="role" rules={[{ required: true, message: '请选择角色' }]}>
          <Select options={roleOptions} optionLabelProp="title" data-testid="role-select" />
        </Form.Item>
        {role === 'advisor' && (
          <Form.Item
            label="服务的顾问账号"
            name="accountIds"
            extra="顾问只能查看和服务这些账号下的会员与聊天"
          >
            <Select
              mode="multiple"
              placeholder="选择顾问账号"
              options={accounts.map((a) => ({ value: a.id, label: a.displayName }))}
              notFoundContent="还没有顾问账号"
              data-testid="account-select"
            />
          </Form.Item>
        )}
        {!operator && (
          <Form.Item
            label="初始密码"
            name="password"
            extra="首次登录时须修改"
            rules={[
              { required: true, message: '请输入初始密码' },
              { min: 8, message: '密码至少 8 位' },
            ]}
          >
            <Input.Password placeholder="至少 8 位" autoComplete="new-password" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  )
}

function ResetPassword({
  operator,
  onClose,
  onDone,
}: {
  operator: Operator
  onClose: () => void
  onDone: () => void
}) {
  const [form] = Form.useForm<{ password: string }>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const save = async ({ password }: { password: string }) => {
    setSaving(true)
    setError(null)
    try {
      await apiRequest(`/operators/${operator.id}/password`, {
        method: 'POST',
        body: { password } satisfies Body<'/operators/{id}/password', 'post'>,
      })
      onDone()
    } catch (err) {
      const apiError = asApiError(err, '重置失败，请稍后重试')
      const onFields = fieldErrors(apiError, ['password'] as const)
      if (onFields.length) form.setFields(onFields)
      else setError(apiError.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      open
      title={`重置 ${operator.displayName} 的密码`}
      okText="重置"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        重置后其所有登录立即退出；用新密码登录后须再设置自己的密码。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={save} requiredMark={false}>
        <Form.Item
          label="新的初始密码"
          name="password"
          rules={[
            { required: true, message: '请输入新密码' },
            { min: 8, message: '密码至少 8 位' },
          ]}
        >
          <Input.Password placeholder="至少 8 位" autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

function Sessions({ operator }: { operator: Operator }) {
  const sessions = useApi<Answer<'/operators/{id}/sessions'>>(`/operators/${operator.id}/sessions`)
  const { message } = App.useApp()
  const end = async (s: Session) => {
    try {
      await apiRequest(`/operators/${operator.id}/sessions/${s.id}`, { method: 'DELETE' })
      void message.success('已结束该会话')
      sessions.reload()
    } catch (err) {
      void message.error(asApiError(err).message)
    }
  }
  if (sessions.error)
    return (
      <Result
        status="error"
        title="会话加载失败"
        subTitle={sessions.error.message}
        extra={<Button onClick={sessions.reload}>重试</Button>}
      />
    )
  return (
    <List<Session>
      loading={sessions.loading}
      dataSource={(sessions.data ?? sessions.previous)?.items ?? []}
      locale={{ emptyText: '没有登录中的会话' }}
      renderItem={(s) => (
        <List.Item
          actions={[
            <Popconfirm
              key="end"
              title="结束这个会话？"
              okText="结束"
              cancelText="取消"
              onConfirm={() => end(s)}
            >
              <Button type="link" danger>
                结束
              </Button>
            </Popconfirm>,
          ]}
        >
          <List.Item.Meta
            title={`登录于 ${formatDateTime(s.createdAt)}`}
            description={
              <Space orientation="vertical" size={0}>
                <span>IP：{s.ip ?? '未知'}</span>
                <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320 }}>
                  {s.userAgent ?? '未知设备'}
                </Typography.Text>
                <span>有效期至 {formatDateTime(s.expiresAt)}</span>
              </Space>
            }
          />
        </List.Item>
      )}
    />
  )
}
