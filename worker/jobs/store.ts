import { and, isNull, lte } from 'drizzle-orm'
import { endFlashSale } from '../../shared/marketing/flash-sale'
import { flashSales } from '../../shared/db/schema/marketing'
import { failExpiredGroups } from '../../shared/marketing/group-buy'
import { recordRefund, reconcileRefunds, submitRecordedRefunds } from '../../shared/payments/refunds'
import { expireUnpaidOrders, reconcilePendingPayments } from '../../shared/payments/service'
import { wechatClients, type WechatClients } from '../../shared/wechat/clients'
import type { JobDefinition, JobDeps } from '../scheduler'

const clientsOf = (deps: JobDeps): WechatClients =>
  deps.config
    ? wechatClients({ db: deps.db, config: deps.config, clock: deps.clock })
    : { mp: null, pay: null }

export const storeJobs: JobDefinition[] = [
  {
    name: 'unpaid-orders-expiry',
    schedule: '* * * * *',
    description: '超时未付款的订单：先在微信支付关单，再取消并释放库存、优惠券、积分与拼团名额',
    async run(deps) {
      const r = await expireUnpaidOrders(deps.db, clientsOf(deps).pay, deps.logger, deps.clock.now())
      return `cancelled ${r.cancelled} unpaid orders, found ${r.paid} paid after all`
    },
  },
  {
    name: 'pending-payments-reconcile',
    schedule: '*/5 * * * *',
    description: '对账：向微信支付查询超过 5 分钟仍待付款的订单，补记漏掉的支付结果',
    async run(deps) {
      const { pay } = clientsOf(deps)
      if (!pay) return 'WeChat Pay not configured'
      const r = await reconcilePendingPayments(deps.db, pay, deps.clock.now())
      const refunds = await reconcileRefunds(deps.db, pay, deps.clock.now())
      return `checked ${r.checked} pending orders, applied ${r.applied}; refunds submitted ${refunds.submitted}, settled ${refunds.settled}`
    },
  },
  {
    name: 'group-buy-expiry',
    schedule: '* * * * *',
    description: '拼团到期未成团：标记失败并为已付款成员全额退款',
    async run(deps) {
      const at = deps.clock.now()
      const r = await failExpiredGroups(deps.db, at, async (tx, orderId) => {
        await recordRefund(tx, {
          orderId,
          reason: '拼团未成功，自动退款',
          requestedBy: 'group_buy_failed',
          at,
        })
      })
      const submitted = await submitRecordedRefunds(deps.db, clientsOf(deps).pay, at)
      return `failed ${r.groups} groups, refunds for ${r.orderIds.length} orders, submitted ${submitted}`
    },
  },
  {
    name: 'flash-sales-close',
    schedule: '*/5 * * * *',
    description: '已过结束时间的秒杀：未售出数量退回商品库存',
    async run(deps) {
      const at = deps.clock.now()
      const due = await deps.db
        .select({ id: flashSales.id })
        .from(flashSales)
        .where(and(lte(flashSales.endsAt, at), isNull(flashSales.endedAt)))
      for (const f of due) await endFlashSale(deps.db, f.id, at)
      return `closed ${due.length} flash sales`
    },
  },
]
