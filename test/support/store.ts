// Store test data through the product's own services: a catalogue, members with an address and a
// session, and the app wired to the local WeChat server.
import { eq } from 'drizzle-orm'
import { createProduct } from '../../shared/catalog/admin'
import { categories } from '../../shared/db/schema/catalog'
import type { Clock } from '../../shared/clock'
import type { Database, Db } from '../../shared/db/client'
import { tierLadders, tierLevels } from '../../shared/db/schema/loyalty'
import { saveAddress } from '../../shared/orders/addresses'
import { startTestApp, type TestApp } from './app'
import { testConfig, silentLogger } from './config'
import { makeMember, memberToken } from './factories'
import type { FakeWechat } from './fake-wechat'
import type { Logger } from '../../shared/logger'

let seq = 0

export async function makeCategory(db: Db, name = '护肤') {
  const [c] = await db
    .insert(categories)
    .values({ name: `${name}${++seq}` })
    .returning()
  return c!
}

/** A product with one SKU (list price, stock, optional member prices by level id). */
export async function makeProduct(
  db: Db,
  input: {
    priceFen?: number
    stock?: number
    memberPrices?: { levelId: number; priceFen: number }[]
    categoryId?: number
    title?: string
  } = {},
) {
  const categoryId = input.categoryId ?? (await makeCategory(db)).id
  const p = await createProduct(db, {
    categoryId,
    title: input.title ?? `玻尿酸保湿精华 ${++seq}`,
    images: ['/static/p.jpg'],
    skus: [
      {
        spec: '30ml',
        priceFen: input.priceFen ?? 26900,
        costFen: 7800,
        stock: input.stock ?? 100,
        memberPrices: input.memberPrices ?? [],
      },
    ],
  })
  return { productId: p.id, skuId: p.skus[0]!.id, categoryId }
}

/** A paid ladder with one level (annual fee) and a spend ladder level, for member prices and memberships. */
export async function makeLevels(db: Db) {
  const code = `t${++seq}${Date.now() % 100000}`
  const [paid] = await db
    .insert(tierLadders)
    .values({ code: `vip${code}`, name: '付费会员', kind: 'vertical', basis: 'paid' })
    .returning()
  const [v1] = await db
    .insert(tierLevels)
    .values({
      ladderId: paid!.id,
      code: 'V1',
      name: 'V1 会员',
      rank: 1,
      annualFeeFen: 9900,
      pointsMultiplierPct: 200,
    })
    .returning()
  return { ladderId: paid!.id, v1: v1! }
}

/** A member who logged in from the mini-program, with a default address and a session token. */
export async function makeShopper(db: Db) {
  const member = await makeMember(db)
  const address = await saveAddress(db, member.id, {
    name: '王丽',
    phone: '13812345678',
    province: '上海市',
    city: '上海市',
    district: '静安区',
    detail: '南京西路 1266 号',
  })
  return { member, addressId: address.id, token: await memberToken(db, member.id) }
}

export interface StoreApp extends TestApp {
  wechat: FakeWechat
}

/** The app on this database, configured against the local WeChat server (its notify URL included). */
export async function startStoreApp(
  database: Database,
  wechat: FakeWechat,
  options: { clock?: Clock; logger?: Logger; env?: Record<string, string> } = {},
): Promise<StoreApp> {
  // The notify URL needs the app's port, known only once it listens: start, then point the config at it.
  const env = {
    ...wechat.env(),
    ...(database.kind === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL! } : {}),
    ...options.env,
  }
  const config = testConfig(env)
  const app = await startTestApp(database, {
    config,
    logger: options.logger ?? silentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
  })
  config.WECHATPAY_NOTIFY_URL = `${app.url}/pay/notify`
  return Object.assign(app, { wechat })
}

export const notifyUrl = (app: TestApp) => `${app.url}/pay/notify`
export const refundNotifyUrl = (app: TestApp) => `${app.url}/pay/refund-notify`

export async function orderRow(db: Db, orderNo: string) {
  const { orders } = await import('../../shared/db/schema/orders')
  const [o] = await db.select().from(orders).where(eq(orders.orderNo, orderNo))
  return o!
}
