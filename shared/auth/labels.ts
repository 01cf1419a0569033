// What operators read for the roles of the operator API. Plain data with a type-only import: the
// policy table, the role list in the API and the console all read this one table.
import type { OperatorRole } from '../db/schema/auth'

export const roleNames: Record<OperatorRole, string> = {
  admin: '管理员',
  operator: '运营',
  staff: '门店店员',
  finance: '财务',
  advisor: '顾问',
}

/** What each role is for, shown where an administrator chooses one. */
export const roleDescriptions: Record<OperatorRole, string> = {
  admin: '全部功能，包括人员与权限、系统设置',
  operator: '会员、活动、聊天、内容与报表',
  staff: '门店收银台：查会员、打标签、记录到店消费与权益核销、邀请入会',
  finance: '退款、提现审核与对账',
  advisor: '只能查看和服务分配给自己的顾问账号下的会员与聊天',
}
