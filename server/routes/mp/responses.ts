// Response schemas of mini-program routes whose services return plain objects: the OpenAPI document
// (and so the mini-program's generated types) describes exactly what these routes answer.
import { z } from 'zod'
import { orderViewSchema } from '../../../shared/orders/queries'

export const cartViewSchema = z.object({
  items: z.array(
    z.object({
      skuId: z.number(),
      productId: z.number(),
      title: z.string(),
      spec: z.string(),
      image: z.string().nullable(),
      quantity: z.number(),
      listPriceFen: z.number(),
      unitPriceFen: z.number(),
      available: z.boolean(),
    }),
  ),
  totalFen: z.number(),
})

export const addressSchema = z.object({
  id: z.number(),
  name: z.string(),
  phone: z.string(),
  province: z.string(),
  city: z.string(),
  district: z.string(),
  detail: z.string(),
  isDefault: z.boolean(),
})

export const memberCouponSchema = z.object({
  id: z.number(),
  templateId: z.number(),
  name: z.string(),
  kind: z.string(),
  amountFen: z.number().nullable(),
  percentOff: z.number().nullable(),
  thresholdFen: z.number().nullable(),
  status: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
})

export const quoteSchema = z.object({
  kind: z.enum(['goods', 'membership']),
  lines: z.array(
    z.object({
      skuId: z.number(),
      title: z.string(),
      spec: z.string(),
      quantity: z.number(),
      listPriceFen: z.number(),
      unitPriceFen: z.number(),
      priceSource: z.string(),
    }),
  ),
  itemsFen: z.number(),
  discountFen: z.number(),
  pointsUsed: z.number(),
  pointsDeductFen: z.number(),
  shippingFen: z.number(),
  payFen: z.number(),
})

export const orderPageSchema = z.object({
  items: z.array(orderViewSchema),
  page: z.number(),
  pageSize: z.number(),
})

export const memberTaskSchema = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  points: z.number(),
  limitPer: z.string(),
  limitTimes: z.number(),
  doneInPeriod: z.number(),
  available: z.boolean(),
  selfService: z.boolean(),
  streak: z.number().optional(),
  nextBonus: z.number().optional(),
})

export const rewardCatalogueSchema = z.object({
  balance: z.number(),
  items: z.array(
    z.object({
      id: z.number(),
      code: z.string(),
      name: z.string(),
      kind: z.string(),
      description: z.string().nullable(),
      imageUrl: z.string().nullable(),
      pointsCost: z.number(),
      stock: z.number().nullable(),
      redeemedByMe: z.number(),
      perMemberLimit: z.number().nullable(),
      unavailable: z.string().nullable(),
    }),
  ),
})

export const redemptionRecordSchema = z.object({
  redemption: z.object({
    id: z.number(),
    points: z.number(),
    voucherCode: z.string().nullable(),
    status: z.string(),
    createdAt: z.string(),
  }),
  reward: z.object({ name: z.string(), kind: z.string() }),
})
