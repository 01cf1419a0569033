// The signed-in frame: the section menu on the left, the operator and sign-out at the top.
import { Avatar, Button, Layout, Menu, Space, Typography } from 'antd'
import { CrownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons'
import { Link, Outlet, useLocation } from 'react-router'
import type { OperatorSession } from './session'
import { sectionGroups, sectionOf } from './navigation'

const roleLabels: Record<string, string> = {
  admin: '管理员',
  operator: '运营',
  staff: '门店导购',
  finance: '财务',
  advisor: '顾问',
}

export function ConsoleLayout({
  operator,
  onSignOut,
}: {
  operator: OperatorSession['operator'] | undefined
  onSignOut: () => void
}) {
  const location = useLocation()
  const current = sectionOf(location.pathname)
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} breakpoint="lg" collapsedWidth={64} theme="dark">
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', gap: 10 }}>
          <CrownOutlined style={{ fontSize: 20, color: '#fb923c' }} />
          <Typography.Text strong style={{ color: '#fff', fontSize: 15, whiteSpace: 'nowrap' }}>
            超级用户运营
          </Typography.Text>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={current ? [current.path] : []}
          items={sectionGroups.map((group) => ({
            type: 'group' as const,
            key: group.label,
            label: group.label,
            children: group.sections.map((s) => ({
              key: s.path,
              icon: s.icon,
              label: <Link to={s.path}>{s.label}</Link>,
            })),
          }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Typography.Text type="secondary">私域超级用户运营系统 · 运营后台</Typography.Text>
          <Space size="middle">
            <Space size={8}>
              <Avatar size="small" icon={<UserOutlined />} />
              <span data-testid="operator-name">{operator?.displayName}</span>
              <Typography.Text type="secondary">{roleLabels[operator?.role ?? ''] ?? ''}</Typography.Text>
            </Space>
            <Link to="/password">
              <Button icon={<KeyOutlined />}>修改密码</Button>
            </Link>
            <Button icon={<LogoutOutlined />} onClick={onSignOut}>
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
