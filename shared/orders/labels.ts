// Chinese names of the store's order and refund states: the mini-program API and the console read this one table.
import type { OrderStatus } from '../db/schema/orders'
import type { RefundStatus } from '../db/schema/payments'

export const orderStatusNames: Record<OrderStatus, string> = {
  pending: '待付款',
  paid: '待发货',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
}

export const refundStatusNames: Record<RefundStatus, string> = {
  processing: '退款中',
  success: '已退款',
  closed: '已关闭',
  abnormal: '退款异常',
}

export const productStatusNames = { on_sale: '在售', off_sale: '已下架' } as const
