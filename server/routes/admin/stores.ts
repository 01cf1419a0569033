// Stores and their till purchases: staff record a purchase at the till; operators back-fill a POS export.
import { z } from 'zod'
import { DomainError } from '../../../shared/errors'
import { importPosPurchases } from '../../../shared/stores/import'
import {
  createStore,
  listStorePurchases,
  listStores,
  recordStorePurchase,
  storeInputSchema,
  storePurchaseInputSchema,
} from '../../../shared/stores/purchases'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerAdminStores(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/stores',
    {
      summary: '门店',
      response: z.array(
        z.object({ id: z.number().int(), name: z.string(), city: z.string(), createdAt: z.string() }),
      ),
    },
    () => listStores(deps.db),
  )
  api.post('/stores', { summary: '新建门店', body: storeInputSchema, status: 201 }, ({ body }) =>
    createStore(deps.db, body),
  )

  api.post(
    '/store-purchases',
    {
      summary: '收银台登记门店消费（会员卡号或手机号；同一门店同一小票号只登记一次）',
      description: '计入会员的消费、等级、积分与生命周期阶段，与线上订单相同。',
      body: storePurchaseInputSchema,
      status: 201,
      response: z.object({
        purchaseId: z.number().int(),
        orderNo: z.string(),
        memberId: z.number().int(),
        memberNo: z.string(),
        amountFen: z.number().int(),
        duplicate: z.boolean(),
      }),
    },
    async ({ body }, ctx) => {
      const r = await recordStorePurchase(deps.db, body, {
        recordedBy: `operator:${ctx.state.operator!.id}`,
        source: 'till',
        at: deps.clock.now(),
      })
      return {
        purchaseId: r.purchase.id,
        orderNo: r.orderNo,
        memberId: r.memberId,
        memberNo: r.memberNo,
        amountFen: r.purchase.amountFen,
        duplicate: r.duplicate,
      }
    },
  )

  api.get(
    '/store-purchases',
    {
      summary: '门店消费记录',
      query: z.object({
        storeId: z.coerce.number().int().positive().optional(),
        memberId: z.coerce.number().int().positive().optional(),
      }),
    },
    ({ query }) =>
      listStorePurchases(deps.db, {
        ...(query.storeId ? { storeId: query.storeId } : {}),
        ...(query.memberId ? { memberId: query.memberId } : {}),
      }),
  )

  api.post(
    '/store-purchases/imports',
    {
      summary: '导入 POS 导出的门店消费（CSV）：全部无误才导入，否则列出每一行错误且不导入',
      description:
        '第一行为表头，须含「小票号」「门店」「金额」（元）「消费时间」（北京时间 YYYY-MM-DD HH:mm），以及「会员卡号」或「手机号」。已登记的小票计为重复，不会重复计入。',
      body: z.object({
        fileName: z.string().trim().min(1).max(200),
        contentBase64: z.string().min(1).max(20_000_000),
      }),
      status: 201,
    },
    async ({ body }, ctx) => {
      const result = await importPosPurchases(
        deps.db,
        {
          content: Buffer.from(body.contentBase64, 'base64'),
          recordedBy: `operator:${ctx.state.operator!.id}`,
        },
        deps.clock.now(),
      )
      if (!result.ok)
        throw new DomainError(
          'import_rejected',
          `有 ${new Set(result.rejected.map((r) => r.row)).size} 行数据有误，未导入任何消费`,
          400,
          result.rejected.map((r) => ({ path: `rows.${r.row}.${r.field}`, message: r.reason })),
        )
      return result
    },
  )
}
