// "Holds a level at a moment" has one definition (levelHeldAt); every reader must agree with it. A
// level that starts tomorrow (a renewal bought early, a grant scheduled ahead) is held by nobody today.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/client'
import { chatGroups } from '../db/schema/chat'
import { memberTiers, tierLadders, tierLevels } from '../db/schema/loyalty'
import { heldLevelIds } from '../catalog/browse'
import { bestMultiplierPct } from '../points/earning'
import { listLadders, memberLevels } from './ladders'
import { cardFacts } from '../chat/answers'
import { enqueueTierInvites } from '../chat/groups'
import { testDatabase } from '../../test/support/db'
import { makeAccounts, makeFriends } from '../../test/support/chat'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(() => database.close())

const day = 86_400_000

describe('a level that starts tomorrow', () => {
  it('is held by no reader today and by every reader the day after', async () => {
    const { db } = database
    const now = new Date('2026-06-01T04:00:00Z')
    const [account] = await makeAccounts(database, 1)
    const [memberId] = (await makeFriends(database, [account!.id], 1)).get(account!.id)!
    const [ladder] = await db
      .insert(tierLadders)
      .values({ code: 'held-test', name: '测试等级', kind: 'vertical', basis: 'paid' })
      .returning()
    const [level] = await db
      .insert(tierLevels)
      .values({ ladderId: ladder!.id, code: 'G1', name: '金卡', rank: 1, pointsMultiplierPct: 150 })
      .returning()
    await db.insert(memberTiers).values({
      memberId: memberId!,
      ladderId: ladder!.id,
      levelId: level!.id,
      startsAt: new Date(now.getTime() + day),
      endsAt: new Date(now.getTime() + 30 * day),
      source: 'paid',
    })
    await db.insert(chatGroups).values({
      accountId: account!.id,
      roomId: 'room-g1',
      topic: '金卡群',
      purpose: 'tier',
      tierLevelId: level!.id,
    })

    const readers = async (at: Date) => {
      const ladders = await listLadders(db, at)
      return {
        memberPrices: await heldLevelIds(db, memberId!, at),
        multiplier: await bestMultiplierPct(db, memberId!, at),
        levels: (await memberLevels(db, memberId!, at)).map((l) => l.levelId),
        holders: ladders.find((l) => l.code === 'held-test')!.levels[0]!.holders,
        card: (await cardFacts(db, memberId!, at)).tiers.length,
        invites: await enqueueTierInvites(db, account!.id, at),
      }
    }
    expect(await readers(now)).toEqual({
      memberPrices: [],
      multiplier: 100,
      levels: [],
      holders: 0,
      card: 0,
      invites: 0,
    })
    const later = new Date(now.getTime() + 2 * day)
    expect(await readers(later)).toEqual({
      memberPrices: [level!.id],
      multiplier: 150,
      levels: [level!.id],
      holders: 1,
      card: 1,
      invites: 1,
    })
  })
})
