// The members operator API through the real app: candidates with their explanation, segments (count,
// pages, CSV, saved, bad filters), tags, the till, merges and the timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { parse } from 'csv-parse/sync'
import { queryRows, type Database, type Db } from '../shared/db/client'
import { VirtualClock } from '../shared/clock'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, operatorToken } from './support/factories'
import { recordMemberEvent } from '../shared/members/events'
import { createDimension, createTag } from '../shared/members/tags'
import { scoreCandidate, defaultCriteria, explainCandidate } from '../shared/segments/candidates'
import { emptyFacts } from '../shared/members/facts'

let database: Database
let db: Db
let app: TestApp
let admin: string
let staff: string
const clock = new VirtualClock('2026-09-10T04:00:00Z')
const DAY = 86_400_000
let categoryIds: number[]
let productIds: number[]
let skuIds: number[]

let seq = 0
async function paidOrder(
  memberId: number,
  daysAgo: number,
  productIdx: number,
  payFen = 29900,
  channel = 'mp',
) {
  const at = new Date(clock.now().getTime() - daysAgo * DAY)
  const orderNo = `API${++seq}${process.pid}`
  const [o] = await queryRows<{ id: number }>(
    db,
    sql`insert into orders (order_no, member_id, status, channel, items_fen, pay_fen, paid_at, created_at)
        values (${orderNo}, ${memberId}, 'paid', ${channel}, ${payFen}, ${payFen}, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz)
        returning id`,
  )
  await db.execute(sql`insert into order_items (order_id, product_id, sku_id, category_id, title, quantity, unit_price_fen)
    values (${o!.id}, ${productIds[productIdx]!}, ${skuIds[productIdx]!}, ${categoryIds[productIdx]!}, '商品', 1, ${payFen})`)
  await recordMemberEvent(db, {
    memberId,
    type: 'order_paid',
    occurredAt: at,
    recordedAt: clock.now(),
    payload: { orderNo, payFen },
    sourceKey: `order_paid:${orderNo}`,
  })
}

beforeAll(async () => {
  database = await testDatabase()
  db = database.db
  app = await startTestApp(database, { clock })
  admin = await operatorToken(db, 'admin')
  staff = await operatorToken(db, 'staff')
  categoryIds = (
    await queryRows<{ id: number }>(
      db,
      sql`insert into categories (name) values ('护肤'), ('彩妆'), ('母婴') returning id`,
    )
  ).map((r) => Number(r.id))
  productIds = []
  skuIds = []
  for (const c of categoryIds) {
    const [p] = await queryRows<{ id: number }>(
      db,
      sql`insert into products (category_id, title) values (${c}, '商品') returning id`,
    )
    const [s] = await queryRows<{ id: number }>(
      db,
      sql`insert into skus (product_id, spec, price_fen) values (${p!.id}, '标准', 29900) returning id`,
    )
    productIds.push(Number(p!.id))
    skuIds.push(Number(s!.id))
  }
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('super-user candidates', () => {
  it('explains each criterion in words (pure)', () => {
    const now = new Date('2026-09-10T04:00:00Z')
    const facts = {
      ...emptyFacts(),
      paidOrders: 5,
      orders90d: 5,
      lastPaidAt: new Date(now.getTime() - 6 * DAY - 3600_000),
      shares: 3,
      categories: 3,
      paidTier: null,
    }
    const { score, contributions } = scoreCandidate(facts, defaultCriteria(), now)
    expect(explainCandidate(contributions)).toBe('近90天下单 5 次，最近一次 6 天前；分享 3 次；买过 3 个品类')
    expect(contributions.find((c) => c.code === 'repurchase_frequency')!.points).toBe(35)
    expect(score).toBe(35 + 25 + 15)
    // The same five orders with the last one a year ago earn nothing for frequency.
    const stale = scoreCandidate(
      { ...facts, lastPaidAt: new Date(now.getTime() - 366 * DAY) },
      defaultCriteria(),
      now,
    )
    expect(stale.contributions.find((c) => c.code === 'repurchase_frequency')!.points).toBe(0)
  })

  it('ranks members with each criterion’s points and the explanation, and takes new weights', async () => {
    const fan = await makeMember(db, { name: '热心顾客' })
    const casual = await makeMember(db, { name: '偶尔顾客' })
    for (const [i, d] of [40, 30, 20, 10, 6].entries()) await paidOrder(fan.id, d, i % 3)
    for (let i = 0; i < 3; i++)
      await recordMemberEvent(db, {
        memberId: fan.id,
        type: 'share',
        occurredAt: clock.now(),
        payload: { target: 'product' },
      })
    await recordMemberEvent(db, {
      memberId: fan.id,
      type: 'feedback',
      occurredAt: clock.now(),
      payload: { sentiment: 'suggestion', text: '希望出小样' },
    })
    await paidOrder(casual.id, 200, 0)

    const res = await app.request('GET', '/api/admin/members/candidates?limit=10', { token: admin })
    expect(res.status).toBe(200)
    const top = res.body.items[0]
    expect(top.memberId).toBe(fan.id)
    expect(top.explanation).toBe(
      '近90天下单 5 次，最近一次 6 天前；提过 1 次反馈或建议；分享 3 次；买过 3 个品类',
    )
    expect(top.contributions.map((c: { code: string }) => c.code)).toEqual([
      'repurchase_frequency',
      'gives_feedback',
      'shares_and_recommends',
      'cross_category',
      'paid_membership',
    ])
    // One order 200 days ago meets no criterion: not a candidate at all.
    expect(res.body.items.find((i: { memberId: number }) => i.memberId === casual.id)).toBeUndefined()

    const put = await app.request('PUT', '/api/admin/members/candidates/criteria/shares_and_recommends', {
      token: admin,
      body: { weight: 0 },
    })
    expect(put.status).toBe(200)
    const again = await app.request('GET', '/api/admin/members/candidates?limit=10', { token: admin })
    expect(again.body.items[0].score).toBe(top.score - 25)
    const bad = await app.request('PUT', '/api/admin/members/candidates/criteria/repurchase_frequency', {
      token: admin,
      body: { weight: 30, args: { fullCreditDays: 400 } },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].path).toBe('args.noCreditDays')
    const forbidden = await app.request('PUT', '/api/admin/members/candidates/criteria/gives_feedback', {
      token: staff,
      body: { weight: 5 },
    })
    expect(forbidden.status).toBe(403)
    await app.request('PUT', '/api/admin/members/candidates/criteria/shares_and_recommends', {
      token: admin,
      body: { weight: 25 },
    })
  })
})

describe('segments over HTTP', () => {
  it('answers a bad filter with a 400 naming the field', async () => {
    const res = await app.request('POST', '/api/admin/segments/count', {
      token: admin,
      body: { filter: { conditions: [{ field: 'lastOrder', withinDays: -3 }] } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(
      'body.filter.conditions.0.withinDays',
    )
    const unknown = await app.request('POST', '/api/admin/segments/count', {
      token: admin,
      body: { filter: { conditions: [{ field: 'shoeSize', in: [38] }] } },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.fields[0].path).toMatch(/^body\.filter\.conditions\.0/)
  })

  it('counts, pages and exports a segment as CSV', async () => {
    const city = `测试城${process.pid}`
    const ids: number[] = []
    for (let i = 0; i < 7; i++) ids.push((await makeMember(db, { name: `导出${i}`, city })).id)
    for (const id of ids.slice(0, 5)) await paidOrder(id, 3, 1, 12345)
    const filter = {
      conditions: [
        { field: 'city', in: [city] },
        { field: 'lastOrder', withinDays: 30 },
      ],
    }

    const count = await app.request('POST', '/api/admin/segments/count', { token: admin, body: { filter } })
    expect(count.body).toEqual({ members: 5 })
    const first = await app.request('POST', '/api/admin/segments/members', {
      token: admin,
      body: { filter, limit: 3, withTotal: true },
    })
    expect(first.body.total).toBe(5)
    expect(first.body.items).toHaveLength(3)
    const second = await app.request('POST', '/api/admin/segments/members', {
      token: admin,
      body: { filter, limit: 3, afterId: first.body.nextAfterId },
    })
    expect(second.body.nextAfterId).toBeNull()
    expect([...first.body.items, ...second.body.items].map((m: { id: number }) => m.id)).toEqual(
      ids.slice(0, 5),
    )

    const csv = await app.request('POST', '/api/admin/segments/export', {
      token: admin,
      body: { filter, name: '近月购买' },
    })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(decodeURIComponent(csv.headers.get('content-disposition')!)).toContain('近月购买-2026-09-10.csv')
    // A byte-order mark first, so Excel reads the Chinese as UTF-8.
    const raw = await fetch(`${app.url}/api/admin/segments/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter }),
    })
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parse(csv.text.replace(/^\uFEFF/, '')) as string[][]
    expect(rows[0]).toEqual([
      '会员号',
      '姓名',
      '昵称',
      '性别',
      '城市',
      '阶段',
      '复购类型',
      '购买次数',
      '累计消费（元）',
      '最近购买（北京时间）',
      '最近互动（北京时间）',
    ])
    expect(rows).toHaveLength(6)
    expect(rows[1]![1]).toBe('导出0')
    expect(rows[1]![8]).toBe('123.45')
    expect(rows[1]![9]).toBe('2026-09-07 12:00')
    const staffExport = await app.request('POST', '/api/admin/segments/export', {
      token: staff,
      body: { filter },
    })
    expect(staffExport.status).toBe(403)
  })

  it('saves segments by name for campaigns, and lists the ready-made ones with their sizes', async () => {
    const created = await app.request('POST', '/api/admin/segments', {
      token: admin,
      body: { name: '正在投诉', filter: { conditions: [{ field: 'complaint', withinDays: 7 }] } },
    })
    expect(created.status).toBe(201)
    const dup = await app.request('POST', '/api/admin/segments', {
      token: admin,
      body: { name: '正在投诉', filter: { conditions: [] } },
    })
    expect(dup.status).toBe(409)
    const m = await makeMember(db)
    await recordMemberEvent(db, {
      memberId: m.id,
      type: 'feedback',
      occurredAt: clock.now(),
      payload: { sentiment: 'complaint', text: '包装破损' },
    })
    const members = await app.request('GET', `/api/admin/segments/${created.body.id}/members`, {
      token: admin,
    })
    expect(members.body.items.map((i: { id: number }) => i.id)).toEqual([m.id])

    const ready = await app.request('GET', '/api/admin/segments/ready-made', { token: admin })
    expect(ready.status).toBe(200)
    const codes = ready.body.map((s: { code: string }) => s.code)
    expect(codes).toEqual(
      expect.arrayContaining([
        'very_active',
        'high_potential',
        'bought_last_month',
        'unseen_six_months',
        'birthday_soon',
        'complaining_now',
      ]),
    )
    expect(ready.body.find((s: { code: string }) => s.code === 'complaining_now').members).toBe(1)
  })
})

describe('tags, the till, merges and the timeline', () => {
  it('tags a member, replacing the value of a single-valued dimension; staff may tag', async () => {
    const m = await makeMember(db)
    const skin = await createDimension(db, { code: `skin_${process.pid}`, name: '肤质', multiple: false })
    const dry = await createTag(db, { dimensionId: skin.id, name: '干性' })
    const oily = await createTag(db, { dimensionId: skin.id, name: '油性' })
    const a = await app.request('POST', `/api/admin/members/${m.id}/tags`, {
      token: staff,
      body: { tagId: dry.id },
    })
    expect(a.status).toBe(200)
    expect(a.body.tags[0]).toMatchObject({ tag: '干性', taggedBy: 'staff' })
    const b = await app.request('POST', `/api/admin/members/${m.id}/tags`, {
      token: admin,
      body: { tagId: oily.id },
    })
    expect(b.body.replaced).toEqual([dry.id])
    expect(b.body.tags.map((t: { tag: string }) => t.tag)).toEqual(['油性'])
    const missing = await app.request('POST', `/api/admin/members/${m.id}/tags`, {
      token: admin,
      body: { tagId: 999999 },
    })
    expect(missing.status).toBe(404)
  })

  it('finds a member at the till by card code or phone, with visits, spend, tier, stage and a pitch', async () => {
    const m = await makeMember(db, { name: '门店常客' })
    await paidOrder(m.id, 40, 0, 50000, 'store')
    await paidOrder(m.id, 20, 1, 60000, 'store')
    await paidOrder(m.id, 5, 2, 30000, 'mp')
    const [ladder] = await queryRows<{ id: number }>(
      db,
      sql`insert into tier_ladders (code, name, kind, basis) values (${`paid${process.pid}`}, '付费会员', 'vertical', 'paid') returning id`,
    )
    await db.execute(
      sql`insert into tier_levels (ladder_id, code, name, rank, annual_fee_fen) values (${ladder!.id}, 'V1', 'V1 会员', 1, 9900)`,
    )
    const [row] = await queryRows<{ member_no: string; phone: string }>(
      db,
      sql`select m.member_no, i.value as phone from members m join member_identities i on i.member_id = m.id and i.kind = 'phone' where m.id = ${m.id}`,
    )
    const byCode = await app.request('GET', `/api/admin/till/lookup?code=${row!.member_no}`, { token: staff })
    expect(byCode.status).toBe(200)
    expect(byCode.body).toMatchObject({
      memberId: m.id,
      visits: 2,
      paidOrders: 3,
      totalSpendFen: 140000,
      stage: 'repurchaser',
      stageName: '复购客户',
    })
    expect(byCode.body.pitch[0]).toContain('邀请开通V1 会员')
    const byPhone = await app.request('GET', `/api/admin/till/lookup?phone=${row!.phone}`, { token: staff })
    expect(byPhone.body.memberId).toBe(m.id)
    const none = await app.request('GET', '/api/admin/till/lookup?phone=13000000000', { token: staff })
    expect(none.status).toBe(404)
    const empty = await app.request('GET', '/api/admin/till/lookup', { token: staff })
    expect(empty.status).toBe(400)
    expect(empty.body.error.fields[0].path).toBe('query.code')
  })

  it('merges two members and undoes it over HTTP; staff cannot merge', async () => {
    const a = await makeMember(db, { name: '晏涛' })
    const b = await makeMember(db, { nickname: '三寿' })
    const forbidden = await app.request('POST', '/api/admin/members/merge', {
      token: staff,
      body: { survivorId: a.id, mergedId: b.id, reason: '同一手机号' },
    })
    expect(forbidden.status).toBe(403)
    const merged = await app.request('POST', '/api/admin/members/merge', {
      token: admin,
      body: { survivorId: a.id, mergedId: b.id, reason: '同一手机号' },
    })
    expect(merged.status).toBe(201)
    expect(merged.body.repointed['member_identities.member_id']).toBe(2)
    const gone = await app.request('GET', `/api/admin/members/${b.id}`, { token: admin })
    expect(gone.status).toBe(409)
    const detail = await app.request('GET', `/api/admin/members/${a.id}`, { token: admin })
    expect(detail.body.identities).toHaveLength(4)
    expect(detail.body.profile.nickname).toBe('三寿')
    const undo = await app.request('POST', `/api/admin/members/merges/${merged.body.mergeId}/undo`, {
      token: admin,
    })
    expect(undo.status).toBe(200)
    const back = await app.request('GET', `/api/admin/members/${b.id}`, { token: admin })
    expect(back.status).toBe(200)
    const history = await app.request('GET', `/api/admin/members/${a.id}/merges`, { token: admin })
    expect(history.body[0].undoneAt).not.toBeNull()
  })

  it('pages the timeline newest first without gaps or repeats', async () => {
    const m = await makeMember(db)
    for (let i = 0; i < 7; i++) {
      clock.advance(60_000)
      await recordMemberEvent(db, {
        memberId: m.id,
        type: 'chat_message',
        occurredAt: clock.now(),
        payload: { direction: 'in', text: `消息${i}` },
      })
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { body: { items: { summary: string; id: string }[]; nextCursor: string | null } } =
        await app.request(
          'GET',
          `/api/admin/members/${m.id}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          { token: admin },
        )
      seen.push(...res.body.items.map((i) => i.summary))
      cursor = res.body.nextCursor
    } while (cursor)
    const chats = seen.filter((s) => s.startsWith('聊天消息'))
    expect(chats).toEqual(Array.from({ length: 7 }, (_, i) => `聊天消息：消息${6 - i}`))
    expect(new Set(seen).size).toBe(seen.length)
    const bad = await app.request('GET', `/api/admin/members/${m.id}/timeline?cursor=nonsense`, {
      token: admin,
    })
    expect(bad.status).toBe(400)
  })
})
