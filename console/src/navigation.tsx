// The console's sections. A new section (campaigns, the bot's account pool, the store, referral) is one
// more entry here: the menu and the routes are both built from this list.
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react'
import {
  ApartmentOutlined,
  CrownOutlined,
  CommentOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  FileTextOutlined,
  GiftOutlined,
  MessageOutlined,
  NotificationOutlined,
  RiseOutlined,
  RollbackOutlined,
  ThunderboltOutlined,
  UsergroupAddOutlined,
  SafetyCertificateOutlined,
  SafetyOutlined,
  ShopOutlined,
  ShoppingOutlined,
  TeamOutlined,
  WalletOutlined,
  WechatOutlined,
} from '@ant-design/icons'

export interface Section {
  /** Path under /console/, also the menu key. */
  path: string
  label: string
  icon: ReactNode
  page: LazyExoticComponent<ComponentType>
  /** The policy action (server/policy.ts) a role needs to see this section; absent: every role. */
  action?: string
  /** Pages reached from this section without a menu entry of their own (e.g. one member). */
  children?: { path: string; page: LazyExoticComponent<ComponentType> }[]
}

export interface SectionGroup {
  label: string
  sections: Section[]
}

export const sectionGroups: SectionGroup[] = [
  {
    label: '数据',
    sections: [
      {
        path: '/',
        label: '数据看板',
        icon: <DashboardOutlined />,
        action: 'reports.read',
        page: lazy(() => import('./pages/dashboard/dashboard-page')),
      },
    ],
  },
  {
    label: '会员',
    sections: [
      {
        path: '/members',
        label: '会员列表',
        icon: <TeamOutlined />,
        action: 'members.search',
        page: lazy(() => import('./pages/members/member-list-page')),
        children: [{ path: '/members/:id', page: lazy(() => import('./pages/members/member-detail-page')) }],
      },
      {
        path: '/candidates',
        label: '超级用户候选',
        icon: <CrownOutlined />,
        action: 'members.search',
        page: lazy(() => import('./pages/candidates/candidates-page')),
      },
      {
        path: '/segments',
        label: '会员分群',
        icon: <ApartmentOutlined />,
        action: 'segments.use',
        page: lazy(() => import('./pages/segments/segments-page')),
      },
      {
        path: '/till',
        label: '收银台',
        icon: <ShopOutlined />,
        action: 'till.lookup',
        page: lazy(() => import('./pages/till/till-page')),
      },
      {
        path: '/workbench',
        label: '聊天工作台',
        icon: <MessageOutlined />,
        action: 'chat.serve',
        page: lazy(() => import('./pages/workbench/workbench-page')),
      },
      {
        path: '/tickets',
        label: '反馈工单',
        icon: <CustomerServiceOutlined />,
        action: 'chat.serve',
        page: lazy(() => import('./pages/tickets/tickets-page')),
      },
    ],
  },
  {
    label: '个人号与社群',
    sections: [
      {
        path: '/accounts',
        label: '账号池',
        icon: <WechatOutlined />,
        action: 'chat.read',
        page: lazy(() => import('./pages/accounts/accounts-page')),
      },
      {
        path: '/groups',
        label: '社群',
        icon: <CommentOutlined />,
        action: 'chat.read',
        page: lazy(() => import('./pages/groups/groups-page')),
      },
    ],
  },
  {
    label: '运营',
    sections: [
      {
        path: '/campaigns',
        label: '关怀活动',
        icon: <NotificationOutlined />,
        action: 'campaigns.read',
        page: lazy(() => import('./pages/campaigns/campaigns-page')),
        children: [
          { path: '/campaigns/new', page: lazy(() => import('./pages/campaigns/campaign-page')) },
          { path: '/campaigns/:id', page: lazy(() => import('./pages/campaigns/campaign-page')) },
        ],
      },
    ],
  },
  {
    label: '会员计划',
    sections: [
      {
        path: '/tiers',
        label: '等级体系',
        icon: <RiseOutlined />,
        action: 'loyalty.read',
        page: lazy(() => import('./pages/programme/tiers-page')),
      },
      {
        path: '/benefits',
        label: '权益与限次',
        icon: <SafetyOutlined />,
        action: 'loyalty.read',
        page: lazy(() => import('./pages/programme/benefits-page')),
      },
      {
        path: '/rewards',
        label: '积分商城',
        icon: <GiftOutlined />,
        action: 'loyalty.read',
        page: lazy(() => import('./pages/programme/rewards-page')),
      },
      {
        path: '/points',
        label: '积分管理',
        icon: <WalletOutlined />,
        action: 'points.adjust',
        page: lazy(() => import('./pages/programme/points-page')),
      },
    ],
  },
  {
    label: '商城',
    sections: [
      {
        path: '/products',
        label: '商品管理',
        icon: <ShoppingOutlined />,
        action: 'catalog.read',
        page: lazy(() => import('./pages/store/products-page')),
      },
      {
        path: '/orders',
        label: '订单管理',
        icon: <FileTextOutlined />,
        action: 'orders.read',
        page: lazy(() => import('./pages/store/orders-page')),
      },
      {
        path: '/after-sales',
        label: '售后申请',
        icon: <RollbackOutlined />,
        action: 'orders.read',
        page: lazy(() => import('./pages/store/after-sales-page')),
      },
      {
        path: '/coupons',
        label: '优惠券',
        icon: <GiftOutlined />,
        action: 'marketing.read',
        page: lazy(() => import('./pages/store/coupons-page')),
      },
      {
        path: '/flash-sales',
        label: '秒杀',
        icon: <ThunderboltOutlined />,
        action: 'marketing.read',
        page: lazy(() => import('./pages/store/flash-sales-page')),
      },
      {
        path: '/group-buys',
        label: '拼团',
        icon: <UsergroupAddOutlined />,
        action: 'marketing.read',
        page: lazy(() => import('./pages/store/group-buys-page')),
      },
    ],
  },
  {
    label: '设置',
    sections: [
      {
        path: '/operators',
        label: '人员与权限',
        icon: <SafetyCertificateOutlined />,
        action: 'operators.manage',
        page: lazy(() => import('./pages/operators/operators-page')),
      },
      {
        path: '/chat-rules',
        label: '话术与关键词',
        icon: <MessageOutlined />,
        action: 'settings.read',
        page: lazy(() => import('./pages/chat-rules/chat-rules-page')),
      },
    ],
  },
]

/**
 * The section groups a role may see. A session saved before the server sent actions shows every
 * section; the server still refuses what the role may not do.
 */
export function visibleGroups(actions: readonly string[] | undefined): SectionGroup[] {
  return sectionGroups
    .map((g) => ({
      ...g,
      sections: g.sections.filter((s) => !s.action || !actions || actions.includes(s.action)),
    }))
    .filter((g) => g.sections.length > 0)
}

/** The section a location belongs to, for highlighting the menu. */
export function sectionOf(pathname: string): Section | undefined {
  const all = sectionGroups.flatMap((g) => g.sections)
  return (
    all.filter((s) => s.path !== '/' && (pathname === s.path || pathname.startsWith(`${s.path}/`)))[0] ??
    all.find((s) => s.path === pathname)
  )
}
