// Issuing a coupon template to a saved segment through the operator API: the segment's members each
// get one, a retried batch gives none again, and a body naming both or neither of memberIds and
// segmentId, or an unknown segment, is a 400 on segmentId.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCouponTemplate } from '../../shared/coupons/service'
import { queryRows, type Database } from '../../shared/db/client'
import { createSavedSegment } from '../../shared/segments/saved'
import { startTestApp, type TestApp } from '../support/app'
import { testDatabase } from '../support/db'
import { makeMember, operatorToken } from '../support/factories'

let database: Database
let app: TestApp
let token: string
let templateId: number
let segmentId: number
let women: number[]

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  token = await operatorToken(database.db, 'operator')
  women = [
    (await makeMember(database.db, { gender: 'female' })).id,
    (await makeMember(database.db, { gender: 'female' })).id,
  ]
  await makeMember(database.db, { gender: 'male' })
  templateId = (
    await createCouponTemplate(database.db, { name: '立减 20', kind: 'fixed', amountFen: 2000, validDays: 7 })
  ).id
  segmentId = (
    await createSavedSegment(
      database.db,
      { name: '女性', filter: { match: 'all', conditions: [{ field: 'gender', in: ['female'] }] } },
      null,
      new Date(),
    )
  ).id
})
afterAll(async () => {
  await app.close()
  await database.close()
})

const issue = (body: unknown) =>
  app.request('POST', `/api/admin/coupon-templates/${templateId}/issue`, { token, body })

describe('issue to a segment', () => {
  it("gives each of the segment's members one coupon, once per batch", async () => {
    const first = await issue({ segmentId, batchId: 'batch-women-1' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ members: 2, issued: 2, refused: [] })
    const held = await queryRows<{ member_id: number }>(
      database.db,
      sql`select member_id from member_coupons where template_id = ${templateId} order by member_id`,
    )
    expect(held.map((h) => Number(h.member_id))).toEqual(women)
    const retry = await issue({ segmentId, batchId: 'batch-women-1' })
    expect(retry.body).toMatchObject({ members: 2, issued: 2, refused: [] })
    const count = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from member_coupons where template_id = ${templateId}`,
    )
    expect(count[0]!.n).toBe(2)
    const usage = await app.request('GET', `/api/admin/coupon-templates/${templateId}/usage`, { token })
    expect(usage.body).toMatchObject({ issued: 2, available: 2, used: 0, useRate: 0 })
  })

  it('refuses both or neither of memberIds and segmentId, and an unknown segment, on segmentId', async () => {
    for (const body of [{}, { segmentId, memberIds: [women[0]] }, { segmentId: 999999 }]) {
      const res = await issue(body)
      expect(res.status).toBe(400)
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.segmentId')
    }
  })
})
