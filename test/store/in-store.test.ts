// Purchases at a store's till count like online orders (spend, points, stage); a receipt is recorded
// once; a POS export is imported all or nothing, naming every bad row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { pointsBalance } from '../../shared/points/ledger'
import { members, memberStats } from '../../shared/db/schema/members'
import { orders } from '../../shared/db/schema/orders'
import { storePurchases } from '../../shared/db/schema/stores'
import { importPosPurchases, posTime, yuanToFen } from '../../shared/stores/import'
import { createStore, recordStorePurchase } from '../../shared/stores/purchases'
import { onPostgresServer, testDatabase } from '../support/db'
import { makeMember } from '../support/factories'

let database: Database
const clock = new VirtualClock('2026-11-20T06:00:00Z')
const by = () => ({ recordedBy: 'operator:1', source: 'till' as const, at: clock.now() })

beforeAll(async () => {
  database = await testDatabase({ poolMax: 20 })
})
afterAll(async () => {
  await database.close()
})

const code = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof DomainError) return err.code
    throw err
  }
}

const phoneOf = async (memberId: number) => {
  const { memberIdentities } = await import('../../shared/db/schema/members')
  const [row] = await database.db
    .select()
    .from(memberIdentities)
    .where(eq(memberIdentities.memberId, memberId))
  return row!.value.startsWith('139') ? row!.value : null
}

describe('in-store purchases', () => {
  it('a till purchase is a paid store order: spend, points and stage move; the receipt records once', async () => {
    const store = await createStore(database.db, { name: '静安嘉里店', city: '上海' })
    expect(await code(createStore(database.db, { name: '静安嘉里店', city: '上海' }))).toBe('store_exists')
    const m = await makeMember(database.db)
    const phone = (await phoneOf(m.id))!
    const first = await recordStorePurchase(
      database.db,
      { storeId: store.id, receiptNo: 'POS-0001', member: { phone }, amountFen: 29900 },
      by(),
    )
    expect(first.duplicate).toBe(false)
    const [order] = await database.db.select().from(orders).where(eq(orders.orderNo, first.orderNo))
    expect(order).toMatchObject({ channel: 'store', status: 'paid', payFen: 29900, memberId: m.id })
    expect(await pointsBalance(database.db, m.id, clock.now())).toBeGreaterThan(0)
    const [member] = await database.db.select().from(members).where(eq(members.id, m.id))
    expect(member!.stage).toBe('customer')
    const [stats] = await database.db.select().from(memberStats).where(eq(memberStats.memberId, m.id))
    expect(stats!.spendFen).toBe(29900)

    const again = await recordStorePurchase(
      database.db,
      { storeId: store.id, receiptNo: 'POS-0001', member: { code: m.memberNo }, amountFen: 29900 },
      by(),
    )
    expect(again).toMatchObject({ duplicate: true, orderNo: first.orderNo })
    expect(
      await code(
        recordStorePurchase(
          database.db,
          { storeId: store.id, receiptNo: 'POS-0001', member: { phone }, amountFen: 100 },
          by(),
        ),
      ),
    ).toBe('receipt_already_recorded')
    expect(
      await code(
        recordStorePurchase(
          database.db,
          { storeId: store.id, receiptNo: 'POS-0002', member: { phone: '13000000000' }, amountFen: 100 },
          by(),
        ),
      ),
    ).toBe('member_not_found')
    const held = await database.db.select().from(storePurchases).where(eq(storePurchases.memberId, m.id))
    expect(held).toHaveLength(1)
  })

  it('reads POS amounts and Shanghai times', () => {
    expect(yuanToFen('199')).toBe(19900)
    expect(yuanToFen('1,299.5')).toBe(129950)
    expect(yuanToFen('¥0.07')).toBe(7)
    expect(yuanToFen('12.345')).toBeNull()
    expect(yuanToFen('abc')).toBeNull()
    expect(posTime('2026-11-11 20:30')!.toISOString()).toBe('2026-11-11T12:30:00.000Z')
    expect(posTime('2026/2/30')).toBeNull()
    expect(posTime('2026-11-11T12:30:00Z')!.toISOString()).toBe('2026-11-11T12:30:00.000Z')
  })

  it('a POS export with a bad row records nothing and names the row; a good one records every row once', async () => {
    await createStore(database.db, { name: '徐汇港汇店', city: '上海' })
    const a = await makeMember(database.db)
    const b = await makeMember(database.db)
    const phoneA = (await phoneOf(a.id))!
    const header = '小票号,门店,手机号,会员卡号,金额,消费时间'
    const bad = [
      header,
      `X-1,徐汇港汇店,${phoneA},,128.00,2026-11-18 14:00`,
      `X-2,不存在的店,${phoneA},,10,2026-11-18 14:00`,
      `X-3,徐汇港汇店,,${b.memberNo},十块,2026-11-18 14:00`,
      `X-1,徐汇港汇店,${phoneA},,5,2026-11-18 15:00`,
    ].join('\n')
    const refused = await importPosPurchases(
      database.db,
      { content: Buffer.from(bad), recordedBy: 'operator:1' },
      clock.now(),
    )
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.rejected.map((r) => [r.row, r.field])).toEqual([
      [3, 'store'],
      [4, 'amount'],
      [5, 'receiptNo'],
    ])
    expect(
      await database.db.select().from(storePurchases).where(eq(storePurchases.memberId, a.id)),
    ).toHaveLength(0)

    const good = [
      header,
      `X-1,徐汇港汇店,${phoneA},,128.00,2026-11-18 14:00`,
      `X-3,徐汇港汇店,,${b.memberNo},"1,050.50",2026-11-19 09:15`,
    ].join('\n')
    const done = await importPosPurchases(
      database.db,
      { content: Buffer.from(good), recordedBy: 'operator:1' },
      clock.now(),
    )
    expect(done).toMatchObject({ ok: true, recorded: 2, duplicates: 0, amountFen: 12800 + 105050 })
    const [orderB] = await database.db.select().from(orders).where(eq(orders.memberId, b.id))
    expect(orderB!.paidAt!.toISOString()).toBe('2026-11-19T01:15:00.000Z')
    const repeat = await importPosPurchases(
      database.db,
      { content: Buffer.from(good), recordedBy: 'operator:1' },
      clock.now(),
    )
    expect(repeat).toMatchObject({ ok: true, recorded: 0, duplicates: 2 })
  })
})

describe.runIf(onPostgresServer())('on the PostgreSQL server', () => {
  it('the same receipt recorded ten times at once makes one order', async () => {
    const store = await createStore(database.db, { name: '并发店', city: '杭州' })
    const m = await makeMember(database.db)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        recordStorePurchase(
          database.db,
          { storeId: store.id, receiptNo: 'R-1', member: { code: m.memberNo }, amountFen: 5000 },
          by(),
        ),
      ),
    )
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    expect(await database.db.select().from(orders).where(eq(orders.memberId, m.id))).toHaveLength(1)
  })
})
