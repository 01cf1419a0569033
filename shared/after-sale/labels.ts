// Chinese names of after-sale kinds and states: one table for the console and the mini-program.
import type { AfterSaleKind, AfterSaleStatus } from '../db/schema/after-sale'

export const afterSaleKindNames: Record<AfterSaleKind, string> = { refund: '仅退款', return: '退货退款' }

export const afterSaleStatusNames: Record<AfterSaleStatus, string> = {
  requested: '待处理',
  approved: '已同意',
  refused: '已拒绝',
  cancelled: '已撤销',
}
