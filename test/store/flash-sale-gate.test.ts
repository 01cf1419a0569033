// A sold-out flash sale is refused from memory: every process hears the sell-out on the change feed and
// answers without touching the database; a unit given back (a cancelled order) opens the sale again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openChangeFeed, parseChange, type ChangeFeed } from '../../shared/db/change-feed'
import type { Database, Db } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { DomainError } from '../../shared/errors'
import { createFlashSale, endFlashSale } from '../../shared/marketing/flash-sale'
import { FlashSaleGate } from '../../shared/marketing/flash-sale-gate'
import { placeOrder } from '../../shared/orders/checkout'
import { cancelOrder } from '../../shared/orders/lifecycle'
import { defaultStoreRules } from '../../shared/orders/pricing'
import { testDatabase } from '../support/db'
import { makeProduct, makeShopper } from '../support/store'

let database: Database
let feeds: ChangeFeed[]
let gates: FlashSaleGate[]
const clock = new VirtualClock('2026-11-11T00:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  // Two feeds stand for two server processes listening to the same database.
  feeds = [await openChangeFeed(database), await openChangeFeed(database)]
  gates = feeds.map((f) => new FlashSaleGate(f))
})
afterAll(async () => {
  for (const g of gates) g.close()
  for (const f of feeds) await f.close()
  await database.close()
})

/** A database that fails on any use: checkout given it must answer without a query. */
const noDatabase = new Proxy({} as Db, {
  get() {
    throw new Error('the database was used')
  },
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

/** Resolves once the gate of every process has heard about the sale. */
const heard = (flashSaleId: number, state: 'sold_out' | 'ended' | null) =>
  Promise.all(
    gates.map(
      (gate, i) =>
        new Promise<void>((resolve) => {
          if (gate.refusal(flashSaleId) === state) return resolve()
          const stop = feeds[i]!.subscribe(() => {
            if (gate.refusal(flashSaleId) !== state) return
            stop()
            resolve()
          })
        }),
    ),
  )

describe('flash-sale gate', () => {
  it('parses the notices', () => {
    expect(parseChange('flash_sale:12:sold_out')).toEqual({
      kind: 'flash_sale',
      flashSaleId: 12,
      state: 'sold_out',
    })
    expect(parseChange('flash_sale:3:selling')).toEqual({
      kind: 'flash_sale',
      flashSaleId: 3,
      state: 'selling',
    })
    expect(parseChange('flash_sale:3:gone')).toEqual({ kind: 'reset' })
  })

  it('every process refuses a sold-out sale without a query, and opens it again when a unit comes back', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 26900, stock: 10 })
    const sale = await createFlashSale(database.db, {
      skuId,
      title: '整点秒杀',
      priceFen: 9900,
      totalStock: 1,
      startsAt: new Date(clock.now().getTime() - 60_000),
      endsAt: new Date(clock.now().getTime() + 3600_000),
    })
    const a = await makeShopper(database.db)
    const b = await makeShopper(database.db)
    const buy = (db: Db, gate: FlashSaleGate, who: typeof a) =>
      code(
        placeOrder({ db, clock, rules: defaultStoreRules, flashSales: gate }, who.member.id, {
          flashSale: { flashSaleId: sale.id, quantity: 1 },
          addressId: who.addressId,
        }),
      )
    expect(gates[0]!.refusal(sale.id)).toBeNull()
    const soldOut = heard(sale.id, 'sold_out')
    const { order } = await placeOrder({ db: database.db, clock, rules: defaultStoreRules }, a.member.id, {
      flashSale: { flashSaleId: sale.id, quantity: 1 },
      addressId: a.addressId,
    })
    await soldOut
    for (const gate of gates) expect(await buy(noDatabase, gate, b)).toBe('flash_sale_sold_out')

    const selling = heard(sale.id, null)
    await cancelOrder(database.db, order.id, 'payment_timeout', clock.now())
    await selling
    expect(await buy(database.db, gates[1]!, b)).toBe('ok')

    await heard(sale.id, 'sold_out')
    const ended = heard(sale.id, 'ended')
    await endFlashSale(database.db, sale.id, clock.now())
    await ended
    expect(await buy(noDatabase, gates[0]!, a)).toBe('flash_sale_ended')
  })

  it('a process that saw the sale sold out in the database remembers it, unless a notice came in between', async () => {
    const { skuId } = await makeProduct(database.db, { priceFen: 26900, stock: 10 })
    const sale = await createFlashSale(database.db, {
      skuId,
      title: '晚到的进程',
      priceFen: 9900,
      totalStock: 1,
      startsAt: new Date(clock.now().getTime() - 60_000),
      endsAt: new Date(clock.now().getTime() + 3600_000),
    })
    const late = new FlashSaleGate(feeds[0]!)
    const mark = late.mark(sale.id)
    const opened = heard(sale.id, 'sold_out')
    const a = await makeShopper(database.db)
    await placeOrder({ db: database.db, clock, rules: defaultStoreRules }, a.member.id, {
      flashSale: { flashSaleId: sale.id, quantity: 1 },
      addressId: a.addressId,
    })
    await opened
    late.sawSoldOut(sale.id, mark) // a notice arrived since the mark: not trusted
    expect(late.refusal(sale.id)).toBe('sold_out') // … but the notice itself closed it
    const fresh = new FlashSaleGate(feeds[1]!)
    fresh.sawSoldOut(sale.id, fresh.mark(sale.id))
    expect(fresh.refusal(sale.id)).toBe('sold_out')
    fresh.sawSoldOut(sale.id + 1000, 'stale')
    expect(fresh.refusal(sale.id + 1000)).toBeNull()
    late.close()
    fresh.close()
  })
})
