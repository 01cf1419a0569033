// Input that used to end in a 500 or silently change more than it named: refused with a 400 naming the
// field, or applied exactly as asked.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, memberToken, operatorToken } from './support/factories'
import { makeLevels, makeProduct } from './support/store'
import { makeAccounts, makeFriends } from './support/chat'

let database: Database
let app: TestApp
let admin: string

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  admin = await operatorToken(database.db, 'admin')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

const paths = (res: { body: { error: { fields?: { path: string }[] } } }) =>
  (res.body.error.fields ?? []).map((f) => f.path)

describe('text PostgreSQL cannot store', () => {
  it('a NUL byte in the login name is a 400 naming the field, not a 500', async () => {
    const res = await app.request('POST', '/api/admin/login', {
      body: { username: 'a\u0000b', password: 'x' },
    })
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['body.username'])
  })

  it('a NUL byte in a query string is a 400', async () => {
    const res = await app.request('GET', '/api/admin/products?q=%00', { token: admin })
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['query.q'])
  })

  it('a lone surrogate in a segment export name is a 400, not a URIError', async () => {
    const res = await app.request('POST', '/api/admin/segments/export', {
      token: admin,
      raw: '{"name":"\\ud800x","filter":{"all":[]}}',
    })
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['body.name'])
  })

  it('nesting deeper than any schema is refused', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    const res = await app.request('POST', '/api/admin/categories', { token: admin, raw: `{"name":${deep}}` })
    expect(res.status).toBe(400)
  })
})

describe('links', () => {
  it('an avatar must be an https: link (not javascript:, data: or http:)', async () => {
    const member = await makeMember(database.db)
    const token = await memberToken(database.db, member.id)
    for (const avatarUrl of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'http://a.example/x.png']) {
      const res = await app.request('PATCH', '/api/mp/me', { token, body: { avatarUrl } })
      expect(res.status, avatarUrl).toBe(400)
      expect(paths(res), avatarUrl).toEqual(['body.avatarUrl'])
    }
    const ok = await app.request('PATCH', '/api/mp/me', {
      token,
      body: { avatarUrl: 'https://a.example/x.png' },
    })
    expect(ok.status).toBe(200)
  })
})

describe('integers bounded to their column', () => {
  it('a sort beyond int4 is a 400', async () => {
    const res = await app.request('POST', '/api/admin/categories', {
      token: admin,
      body: { name: '大数分类', sort: 2147483648 },
    })
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['body.sort'])
  })
})

describe('partial updates', () => {
  it('an empty PATCH is a 400, for every kind of record', async () => {
    const { productId } = await makeProduct(database.db)
    for (const path of ['/api/admin/accounts/1', '/api/admin/groups/1', `/api/admin/products/${productId}`]) {
      const res = await app.request('PATCH', path, { token: admin, body: {} })
      expect(res.status, path).toBe(400)
      expect(res.body.error.code, path).toBe('empty_update')
    }
  })

  it('PATCH a SKU with only stock keeps its cost and member prices, and price alone keeps stock', async () => {
    const { v1: level } = await makeLevels(database.db)
    const { skuId } = await makeProduct(database.db, {
      priceFen: 26900,
      stock: 40,
      memberPrices: [{ levelId: level.id, priceFen: 19900 }],
    })
    const a = await app.request('PATCH', `/api/admin/skus/${skuId}`, { token: admin, body: { stock: 5 } })
    expect(a.status).toBe(200)
    const sku = a.body.skus.find((s: { id: number }) => s.id === skuId)
    expect(sku).toMatchObject({
      stock: 5,
      costFen: 7800,
      memberPrices: [{ levelId: level.id, priceFen: 19900 }],
    })
    const b = await app.request('PATCH', `/api/admin/skus/${skuId}`, {
      token: admin,
      body: { priceFen: 16900 },
    })
    expect(b.body.skus.find((s: { id: number }) => s.id === skuId)).toMatchObject({
      priceFen: 16900,
      stock: 5,
    })
  })
})

describe('the account pool', () => {
  it('counts the members assigned to each account', async () => {
    const [a, b] = await makeAccounts(database, 2)
    await makeFriends(database, [a!.id, b!.id], 3)
    const res = await app.request('GET', '/api/admin/accounts', { token: admin })
    const counts = Object.fromEntries(
      res.body.items.map((x: { id: number; members: number }) => [x.id, x.members]),
    ) as Record<number, number>
    expect([counts[a!.id], counts[b!.id]]).toEqual([3, 3])
  })

  it('counts the dead letters of each account, and only its own', async () => {
    const [a, b] = await makeAccounts(database, 2)
    const member = await makeMember(database.db)
    for (const [i, status] of (['dead', 'failed', 'sent'] as const).entries())
      await database.db.execute(sql`
        insert into outbound_messages (account_id, dedupe_key, member_id, kind, text, source, status)
        values (${a!.id}, ${`dl-${a!.id}-${i}`}, ${member.id}, 'direct', '你好', 'manual', ${status})`)
    const res = await app.request('GET', '/api/admin/accounts', { token: admin })
    const dead = Object.fromEntries(
      res.body.items.map((x: { id: number; deadLetters: number }) => [x.id, x.deadLetters]),
    ) as Record<number, number>
    expect([dead[a!.id], dead[b!.id]]).toEqual([2, 0])
  })
})
