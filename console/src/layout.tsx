// The signed-in frame: the section menu on the left, the operator and sign-out at the top.
import { Avatar, Button, Grid, Layout, Menu, Space, Typography } from 'antd'
import { CrownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons'
import { Link, Outlet, useLocation } from 'react-router'
import type { OperatorSession } from './session'
import { sectionOf, visibleGroups } from './navigation'
import { roleLabels } from './labels'

export function ConsoleLayout({
  operator,
  onSignOut,
}: {
  operator: OperatorSession['operator'] | undefined
  onSignOut: () => void
}) {
  const location = useLocation()
  // On a phone (below 768 px) the header keeps only icons and the page its full width.
  const wide = Grid.useBreakpoint().md !== false
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
          items={visibleGroups(operator?.actions).map((group) => ({
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
            padding: wide ? '0 24px' : '0 12px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          {wide ? (
            <Typography.Text type="secondary">私域超级用户运营系统 · 运营后台</Typography.Text>
          ) : (
            <span />
          )}
          <Space size={wide ? 'middle' : 'small'}>
            <Space size={8}>
              {wide && <Avatar size="small" icon={<UserOutlined />} />}
              <span data-testid="operator-name" style={{ whiteSpace: 'nowrap' }}>
                {operator?.displayName}
              </span>
              {wide && (
                <Typography.Text type="secondary">{roleLabels[operator?.role ?? ''] ?? ''}</Typography.Text>
              )}
            </Space>
            <Link to="/password">
              <Button icon={<KeyOutlined />} aria-label="修改密码" title="修改密码">
                {wide && '修改密码'}
              </Button>
            </Link>
            <Button icon={<LogoutOutlined />} onClick={onSignOut} aria-label="退出登录" title="退出登录">
              {wide && '退出登录'}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: wide ? 24 : 8, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
