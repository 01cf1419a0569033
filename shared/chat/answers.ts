// What the keyword replies say, read from the database: points, the member card, recent orders.
import { and, asc, desc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { shanghaiDate } from '../clock'
import { pointsBalance } from '../points/ledger'
import { memberTierHeldAt, memberTiers, pointsEntries, tierLevels } from '../db/schema/loyalty'
import { members } from '../db/schema/members'
import { orders, type OrderStatus } from '../db/schema/orders'

export const yuan = (fen: number) => (fen / 100).toFixed(2)

export async function pointsFacts(db: Db, memberId: number, at: Date) {
  const balance = await pointsBalance(db, memberId, at)
  const soon = new Date(at.getTime() + 30 * 24 * 3600_000)
  const [expiring] = await db
    .select({
      points: sql<number>`coalesce(sum(${pointsEntries.remaining}), 0)::int`,
      first: sql<string | null>`min(${pointsEntries.expiresAt})`,
    })
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.memberId, memberId),
        gt(pointsEntries.remaining, 0),
        isNotNull(pointsEntries.expiresAt),
        sql`${pointsEntries.expiresAt} > ${at.toISOString()}::timestamptz`,
        sql`${pointsEntries.expiresAt} <= ${soon.toISOString()}::timestamptz`,
      ),
    )
  return {
    balance,
    expiringSoon: expiring?.points ?? 0,
    expiringOn: expiring?.first ? shanghaiDate(new Date(expiring.first)) : null,
  }
}

export async function cardFacts(db: Db, memberId: number, at: Date) {
  const [member] = await db.select().from(members).where(eq(members.id, memberId))
  const tiers = await db
    .select({ name: tierLevels.name, endsAt: memberTiers.endsAt })
    .from(memberTiers)
    .innerJoin(tierLevels, eq(tierLevels.id, memberTiers.levelId))
    .where(and(eq(memberTiers.memberId, memberId), memberTierHeldAt(at)))
    .orderBy(desc(tierLevels.rank), asc(tierLevels.id))
  return {
    memberNo: member!.memberNo,
    name: member!.name ?? member!.nickname ?? '',
    tiers: tiers.map((t) => (t.endsAt ? `${t.name}（有效期至 ${shanghaiDate(t.endsAt)}）` : t.name)),
    points: await pointsBalance(db, memberId, at),
  }
}

const statusNames: Record<OrderStatus, string> = {
  pending: '待付款',
  paid: '已付款，待发货',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
}

export async function recentOrders(db: Db, memberId: number, limit = 3) {
  const rows = await db
    .select({
      orderNo: orders.orderNo,
      status: orders.status,
      payFen: orders.payFen,
      createdAt: orders.createdAt,
      // Qualified by hand: inside the subquery an unqualified "id" would be the item's own.
      title: sql<
        string | null
      >`(select oi.title from order_items oi where oi.order_id = "orders"."id" order by oi.id limit 1)`,
      items: sql<number>`(select count(*)::int from order_items oi where oi.order_id = "orders"."id")`,
    })
    .from(orders)
    .where(eq(orders.memberId, memberId))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit)
  return rows.map((o) => ({
    ...o,
    statusName: statusNames[o.status],
    line: `${shanghaiDate(o.createdAt)} ${o.title ?? '订单'}${o.items > 1 ? `等${o.items}件` : ''} ¥${yuan(o.payFen)} ${statusNames[o.status]}（${o.orderNo}）`,
  }))
}

/** The member replied 退订: no more proactive messages (checked before every send). */
export async function optOut(db: Db, memberId: number, at: Date): Promise<boolean> {
  const rows = await db
    .update(members)
    .set({ optedOutAt: at, updatedAt: at })
    .where(and(eq(members.id, memberId), isNull(members.optedOutAt)))
    .returning({ id: members.id })
  return rows.length > 0
}
