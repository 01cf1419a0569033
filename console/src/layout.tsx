// The signed-in frame: the section menu (on a phone, a drawer behind a button), the operator and
// sign-out at the top. The menu lists only what the operator's role may open.
import { useState } from 'react'
import { Avatar, Button, Drawer, Grid, Layout, Menu, Space, Typography } from 'antd'
import { CrownOutlined, LogoutOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons'
import { Link, Outlet, useLocation } from 'react-router'
import { sectionOf, visibleGroups } from './navigation'
import { useAccess } from './me'

export const roleLabels: Record<string, string> = { admin: '管理员', operator: '运营', staff: '门店导购' }

function SectionMenu({ onNavigate }: { onNavigate?: () => void }) {
  const location = useLocation()
  const { can } = useAccess()
  const current = sectionOf(location.pathname)
  return (
    <Menu
      theme="dark"
      mode="inline"
      data-testid="section-menu"
      selectedKeys={current ? [current.path] : []}
      onClick={onNavigate}
      items={visibleGroups(can).map((group) => ({
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
  )
}

const brand = (
  <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', gap: 10 }}>
    <CrownOutlined style={{ fontSize: 20, color: '#fb923c' }} />
    <Typography.Text strong style={{ color: '#fff', fontSize: 15, whiteSpace: 'nowrap' }}>
      超级用户运营
    </Typography.Text>
  </div>
)

export function ConsoleLayout({ onSignOut }: { onSignOut: () => void }) {
  const { operator } = useAccess()
  const screens = Grid.useBreakpoint()
  const phone = screens.md === false
  const [drawer, setDrawer] = useState(false)
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!phone && (
        <Layout.Sider width={208} breakpoint="lg" collapsedWidth={64} theme="dark">
          {brand}
          <SectionMenu />
        </Layout.Sider>
      )}
      {phone && (
        <Drawer
          placement="left"
          open={drawer}
          onClose={() => setDrawer(false)}
          width={240}
          closable={false}
          styles={{ body: { padding: 0, background: '#001529' } }}
        >
          {brand}
          <SectionMenu onNavigate={() => setDrawer(false)} />
        </Drawer>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff',
            padding: phone ? '0 12px' : '0 24px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            gap: 8,
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          {phone ? (
            <Button icon={<MenuOutlined />} aria-label="菜单" onClick={() => setDrawer(true)} />
          ) : (
            <Typography.Text type="secondary">私域超级用户运营系统 · 运营后台</Typography.Text>
          )}
          <Space size={phone ? 'small' : 'middle'}>
            <Space size={8}>
              <Avatar size="small" icon={<UserOutlined />} />
              <span data-testid="operator-name">{operator?.displayName}</span>
              <Typography.Text type="secondary" data-testid="operator-role">
                {roleLabels[operator?.role ?? ''] ?? ''}
              </Typography.Text>
            </Space>
            <Button icon={<LogoutOutlined />} onClick={onSignOut} aria-label="退出登录">
              {phone ? null : '退出登录'}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
