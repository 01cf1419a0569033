// What the signed-in operator may do. Today the role from /api/admin/me decides, by the table below;
// when the server answers a list of allowed actions, `allowedActions` takes it instead and nothing
// else in the console changes.
export type Action =
  | 'dashboard.view'
  | 'members.view'
  | 'members.edit'
  | 'members.merge'
  | 'members.phone'
  | 'points.adjust'
  | 'tiers.grant'
  | 'segments.view'
  | 'segments.edit'
  | 'segments.export'
  | 'candidates.view'
  | 'till.use'
  | 'tickets.view'
  | 'tickets.resolve'
  | 'coupons.issue'
  | 'operators.manage'

const everything: Action[] = [
  'dashboard.view',
  'members.view',
  'members.edit',
  'members.merge',
  'members.phone',
  'points.adjust',
  'tiers.grant',
  'segments.view',
  'segments.edit',
  'segments.export',
  'candidates.view',
  'till.use',
  'tickets.view',
  'tickets.resolve',
  'coupons.issue',
]

/** The server's own role rules (operatorsOnly, managers), as the console sees them. */
export const roleActions: Record<string, Action[]> = {
  admin: [...everything, 'operators.manage'],
  operator: everything,
  staff: ['members.view', 'till.use'],
}

export interface Me {
  role: string
  /** From the policy table, once the server sends one. */
  actions?: string[]
}

export function allowedActions(me: Me | undefined): Set<string> {
  if (!me) return new Set()
  return new Set(me.actions ?? roleActions[me.role] ?? [])
}
