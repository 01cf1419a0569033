// Members' shipping addresses. Orders copy the address, so editing or deleting one never changes an order.
import { and, desc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { notFound } from '../errors'
import { memberAddresses } from '../db/schema/orders'

export const addressInputSchema = z.object({
  name: z.string().trim().min(1, '请填写收货人').max(30),
  phone: z.string().regex(/^1[3-9]\d{9}$/, '手机号格式不正确'),
  province: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(20),
  district: z.string().trim().min(1).max(20),
  detail: z.string().trim().min(1, '请填写详细地址').max(120),
  isDefault: z.boolean().default(false),
})
export type AddressInput = z.input<typeof addressInputSchema>

const live = (memberId: number) =>
  and(eq(memberAddresses.memberId, memberId), isNull(memberAddresses.deletedAt))

export async function listAddresses(db: Db, memberId: number) {
  return db
    .select()
    .from(memberAddresses)
    .where(live(memberId))
    .orderBy(desc(memberAddresses.isDefault), desc(memberAddresses.id))
}

export async function saveAddress(db: Db, memberId: number, input: AddressInput, addressId?: number) {
  const a = addressInputSchema.parse(input)
  return db.transaction(async (tx) => {
    const first =
      (await tx.select({ id: memberAddresses.id }).from(memberAddresses).where(live(memberId))).length === 0
    const isDefault = a.isDefault || first
    if (isDefault) await tx.update(memberAddresses).set({ isDefault: false }).where(live(memberId))
    if (addressId === undefined) {
      const [row] = await tx
        .insert(memberAddresses)
        .values({ ...a, isDefault, memberId })
        .returning()
      return row!
    }
    const [row] = await tx
      .update(memberAddresses)
      .set({ ...a, isDefault })
      .where(and(eq(memberAddresses.id, addressId), live(memberId)))
      .returning()
    if (!row) throw notFound('收货地址', 'address_not_found')
    return row
  })
}

export async function deleteAddress(db: Db, memberId: number, addressId: number, at: Date) {
  const [row] = await db
    .update(memberAddresses)
    .set({ deletedAt: at, isDefault: false })
    .where(and(eq(memberAddresses.id, addressId), live(memberId)))
    .returning()
  if (!row) throw notFound('收货地址', 'address_not_found')
}
