// The brand's groups (社群): tier and interest groups of 500, who is in them, invitations when a member
// qualifies, announcements. Joins and leaves are member events; a full group gets a sibling.
import { createHash } from 'node:crypto'
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { notFound, invalid } from '../errors'
import { recordMemberEvent } from '../members/events'
import { chatGroupMembers, chatGroups } from '../db/schema/chat'
import { levelHeldAt } from '../db/schema/loyalty'
import { checkAndRenderReply } from './reply-templates'
import { enqueueOutbound } from './outbox'

export type ChatGroup = typeof chatGroups.$inferSelect
export type GroupPurpose = ChatGroup['purpose']

/** The group row of a room on an account, created (as a general group) the first time we see it. */
export async function ensureGroup(
  db: Db,
  input: { accountId: number; roomId: string; topic: string; at?: Date },
): Promise<ChatGroup> {
  const [found] = await db
    .select()
    .from(chatGroups)
    .where(and(eq(chatGroups.accountId, input.accountId), eq(chatGroups.roomId, input.roomId)))
  if (found) return found
  await db
    .insert(chatGroups)
    .values({
      accountId: input.accountId,
      roomId: input.roomId,
      topic: input.topic || '未命名群',
      ...(input.at ? { createdAt: input.at } : {}),
    })
    .onConflictDoNothing()
  const [row] = await db
    .select()
    .from(chatGroups)
    .where(and(eq(chatGroups.accountId, input.accountId), eq(chatGroups.roomId, input.roomId)))
  return row!
}

export async function findGroupByRoom(db: Db, accountId: number, roomId: string): Promise<ChatGroup | null> {
  const [row] = await db
    .select()
    .from(chatGroups)
    .where(and(eq(chatGroups.accountId, accountId), eq(chatGroups.roomId, roomId)))
  return row ?? null
}

/** A member joined: present in the group, counted, and a `group_joined` event. False if already in. */
export async function recordGroupJoin(
  db: Db,
  input: {
    group: ChatGroup
    memberId: number
    contactId: string
    at: Date
    inviterContactId?: string | null
  },
): Promise<boolean> {
  const [row] = await db
    .insert(chatGroupMembers)
    .values({
      chatGroupId: input.group.id,
      memberId: input.memberId,
      contactId: input.contactId,
      joinedAt: input.at,
    })
    .onConflictDoNothing()
    .returning({ id: chatGroupMembers.id })
  if (!row) return false
  await db
    .update(chatGroups)
    .set({ memberCount: sql`${chatGroups.memberCount} + 1` })
    .where(eq(chatGroups.id, input.group.id))
  await recordMemberEvent(db, {
    memberId: input.memberId,
    type: 'group_joined',
    occurredAt: input.at,
    sourceKey: `group-join:${row.id}`,
    payload: {
      accountId: input.group.accountId,
      groupId: input.group.id,
      chatGroupId: input.group.id,
      roomId: input.group.roomId,
      topic: input.group.topic,
      purpose: input.group.purpose,
      ...(input.inviterContactId ? { inviterContactId: input.inviterContactId } : {}),
    },
  })
  return true
}

/** A member left (or was removed): no longer present, counted down, and a `group_left` event. */
export async function recordGroupLeave(
  db: Db,
  input: { group: ChatGroup; contactId: string; at: Date; removed: boolean },
): Promise<number | null> {
  const [row] = await db
    .update(chatGroupMembers)
    .set({ leftAt: input.at })
    .where(
      and(
        eq(chatGroupMembers.chatGroupId, input.group.id),
        eq(chatGroupMembers.contactId, input.contactId),
        isNull(chatGroupMembers.leftAt),
      ),
    )
    .returning()
  if (!row) return null
  await db
    .update(chatGroups)
    .set({ memberCount: sql`greatest(${chatGroups.memberCount} - 1, 0)` })
    .where(eq(chatGroups.id, input.group.id))
  await recordMemberEvent(db, {
    memberId: row.memberId,
    type: 'group_left',
    occurredAt: input.at,
    sourceKey: `group-leave:${row.id}`,
    payload: {
      accountId: input.group.accountId,
      chatGroupId: input.group.id,
      topic: input.group.topic,
      removed: input.removed,
    },
  })
  return row.memberId
}

/** A group of the same kind on the same account that still has room, the oldest first. */
export async function siblingWithRoom(db: Db, group: ChatGroup): Promise<ChatGroup | null> {
  const [row] = await db
    .select()
    .from(chatGroups)
    .where(
      and(
        eq(chatGroups.accountId, group.accountId),
        eq(chatGroups.purpose, group.purpose),
        group.tierLevelId === null
          ? isNull(chatGroups.tierLevelId)
          : eq(chatGroups.tierLevelId, group.tierLevelId),
        group.interest === null ? isNull(chatGroups.interest) : eq(chatGroups.interest, group.interest),
        sql`${chatGroups.memberCount} < ${chatGroups.capacity}`,
      ),
    )
    .orderBy(asc(chatGroups.id))
    .limit(1)
  return row ?? null
}

/** The topic of the n-th group of a kind: "V2 会员群" → "V2 会员群 2群". */
export function siblingTopic(topic: string, n: number): string {
  const base = topic.replace(/\s*\d+群$/, '')
  return `${base} ${n}群`
}

/** Register a group the bot just opened because its sibling was full. */
export async function registerSiblingGroup(db: Db, full: ChatGroup, roomId: string, topic: string, at: Date) {
  const [row] = await db
    .insert(chatGroups)
    .values({
      accountId: full.accountId,
      roomId,
      topic,
      purpose: full.purpose,
      tierLevelId: full.tierLevelId,
      interest: full.interest,
      capacity: full.capacity,
      announcement: full.announcement,
      createdAt: at,
    })
    .returning()
  return row!
}

export async function countSiblings(db: Db, group: ChatGroup): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(chatGroups)
    .where(
      and(
        eq(chatGroups.accountId, group.accountId),
        eq(chatGroups.purpose, group.purpose),
        group.tierLevelId === null
          ? isNull(chatGroups.tierLevelId)
          : eq(chatGroups.tierLevelId, group.tierLevelId),
        group.interest === null ? isNull(chatGroups.interest) : eq(chatGroups.interest, group.interest),
      ),
    )
  return row!.n
}

/**
 * Invitations for members who qualify for a tier group on their advisor account and are in none of
 * that tier's groups: one invite per member and tier level, ever (the dedupe key), paced like sends.
 */
export async function enqueueTierInvites(db: Db, accountId: number, at: Date): Promise<number> {
  const rows = await db.execute(sql`
    insert into outbound_messages (dedupe_key, account_id, member_id, chat_group_id, kind, text, source, not_before)
    select distinct on (mt.member_id, g.tier_level_id)
      'invite:tier:' || g.tier_level_id || ':member:' || mt.member_id, ${accountId}, mt.member_id, g.id, 'invite', g.topic, 'invite', ${at.toISOString()}::timestamptz
    from chat_groups g
    join member_tiers mt on mt.level_id = g.tier_level_id and ${levelHeldAt('mt', sql`${at.toISOString()}::timestamptz`)}
    join members m on m.id = mt.member_id and m.advisor_account_id = ${accountId} and m.merged_into_id is null and m.opted_out_at is null
    where g.account_id = ${accountId} and g.purpose = 'tier' and g.tier_level_id is not null
      and exists (select 1 from member_identities i where i.member_id = mt.member_id and i.kind = 'chat_contact' and i.value like ${`${accountId}:%`})
      and not exists (
        select 1 from chat_group_members gm join chat_groups g2 on g2.id = gm.chat_group_id
        where gm.member_id = mt.member_id and gm.left_at is null and g2.tier_level_id = g.tier_level_id)
    order by mt.member_id, g.tier_level_id, (g.member_count < g.capacity) desc, g.id
    on conflict (dedupe_key) do nothing
    returning id`)
  return (rows as unknown as { rows: unknown[] }).rows.length
}

/**
 * Groups as operators watch them: each with its tier level's name, the invitations waiting in its
 * account's outbox and the announcements not posted yet, the oldest of a kind first (so "… 2群"
 * follows the group it continues).
 */
export async function groupOverview(db: Db, filter: { accountId?: number; purpose?: GroupPurpose } = {}) {
  return db
    .select({
      group: chatGroups,
      accountName: sql<string>`(select a.display_name from bot_accounts a where a.id = chat_groups.account_id)`,
      tierName: sql<string | null>`(select l.name from tier_levels l where l.id = chat_groups.tier_level_id)`,
      invitesWaiting: sql<number>`(select count(*)::int from outbound_messages o where o.chat_group_id = chat_groups.id and o.kind = 'invite' and o.status in ('queued', 'claimed', 'sending'))`,
      announcementsWaiting: sql<number>`(select count(*)::int from outbound_messages o where o.chat_group_id = chat_groups.id and o.source = 'announcement' and o.status in ('queued', 'claimed', 'sending'))`,
    })
    .from(chatGroups)
    .where(
      and(
        filter.accountId ? eq(chatGroups.accountId, filter.accountId) : undefined,
        filter.purpose ? eq(chatGroups.purpose, filter.purpose) : undefined,
      ),
    )
    .orderBy(
      asc(chatGroups.purpose),
      asc(chatGroups.tierLevelId),
      asc(chatGroups.interest),
      asc(chatGroups.id),
    )
}

export async function getGroup(db: Db, id: number): Promise<ChatGroup> {
  const [row] = await db.select().from(chatGroups).where(eq(chatGroups.id, id))
  if (!row) throw notFound('群', 'group_not_found')
  return row
}

export async function updateGroup(
  db: Db,
  id: number,
  values: {
    purpose?: GroupPurpose
    tierLevelId?: number | null
    interest?: string | null
    capacity?: number
  },
): Promise<ChatGroup> {
  if (values.purpose === 'tier' && values.tierLevelId === null)
    throw invalid('tierLevelId', '会员等级群需要指定等级')
  const [row] = await db.update(chatGroups).set(values).where(eq(chatGroups.id, id)).returning()
  if (!row) throw notFound('群', 'group_not_found')
  return row
}

/**
 * An announcement: a template over the group's variables ({{topic}}), kept on the group as posted and
 * posted by the account at its pace.
 */
export async function announce(db: Db, groupId: number, template: string, at: Date) {
  const group = await getGroup(db, groupId)
  const text = checkAndRenderReply(
    'announcement',
    { path: 'body.text', source: template },
    { topic: group.topic },
  )
  await db.update(chatGroups).set({ announcement: text }).where(eq(chatGroups.id, groupId))
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16)
  return enqueueOutbound(db, {
    dedupeKey: `announce:${groupId}:${digest}:${at.toISOString().slice(0, 10)}`,
    accountId: group.accountId,
    kind: 'group',
    chatGroupId: groupId,
    text,
    source: 'announcement',
    notBefore: at,
  })
}

/** Invite members into a group (the account adds them when its pace allows). */
export async function inviteToGroup(db: Db, groupId: number, memberIds: number[], at: Date) {
  const group = await getGroup(db, groupId)
  let queued = 0
  for (const memberId of memberIds) {
    const { created } = await enqueueOutbound(db, {
      dedupeKey: `invite:group:${groupId}:member:${memberId}`,
      accountId: group.accountId,
      kind: 'invite',
      memberId,
      chatGroupId: groupId,
      text: group.topic,
      source: 'invite',
      notBefore: at,
    })
    if (created) queued++
  }
  return { queued }
}
