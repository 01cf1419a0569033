// The console's sections. A new section (campaigns, the bot's account pool, the store, referral) is one
// more entry here: the menu and the routes are both built from this list, filtered by what the
// signed-in operator may do.
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react'
import {
  AlertOutlined,
  ClusterOutlined,
  DashboardOutlined,
  MergeCellsOutlined,
  ShopOutlined,
  StarOutlined,
  TeamOutlined,
} from '@ant-design/icons'
import type { Action } from './access'

export interface Section {
  /** Path under /console/, also the menu key. */
  path: string
  label: string
  icon: ReactNode
  /** What the operator must be allowed to do to see it. */
  action: Action
  page: LazyExoticComponent<ComponentType>
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
        action: 'dashboard.view',
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
        action: 'members.view',
        page: lazy(() => import('./pages/members/member-list-page')),
        children: [{ path: '/members/:id', page: lazy(() => import('./pages/members/member-detail-page')) }],
      },
      {
        path: '/merge',
        label: '会员合并',
        icon: <MergeCellsOutlined />,
        action: 'members.merge',
        page: lazy(() => import('./pages/members/merge-page')),
      },
      {
        path: '/segments',
        label: '会员分群',
        icon: <ClusterOutlined />,
        action: 'segments.view',
        page: lazy(() => import('./pages/segments/segments-page')),
      },
      {
        path: '/candidates',
        label: '超级用户候选',
        icon: <StarOutlined />,
        action: 'candidates.view',
        page: lazy(() => import('./pages/members/candidates-page')),
      },
      {
        path: '/tickets',
        label: '反馈工单',
        icon: <AlertOutlined />,
        action: 'tickets.view',
        page: lazy(() => import('./pages/tickets/tickets-page')),
      },
    ],
  },
  {
    label: '门店',
    sections: [
      {
        path: '/till',
        label: '收银台',
        icon: <ShopOutlined />,
        action: 'till.use',
        page: lazy(() => import('./pages/till/till-page')),
      },
    ],
  },
]

/** The groups and sections an operator allowed to do `can` sees; groups left empty are dropped. */
export function visibleGroups(can: (a: Action) => boolean): SectionGroup[] {
  return sectionGroups
    .map((g) => ({ ...g, sections: g.sections.filter((s) => can(s.action)) }))
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
