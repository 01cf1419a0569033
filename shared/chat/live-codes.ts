// Adding friends at scale. Each account has a contact QR ("add me"), read from its puppet where the
// puppet offers one or uploaded by an operator. A live code (活码) is one permanent code per channel
// (store counter, parcel card, official-account menu…): each time it is opened it shows the QR of the
// account with the most room left, and remembers which account it showed; that account's next new
// friend request is credited to the channel (source tag on the member, channel on the friendship).
import { randomBytes } from 'node:crypto'
import { and, asc, desc, eq, gt, isNotNull, isNull, notInArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { conflict, DomainError, notFound } from '../errors'
import { botAccounts, liveCodeScans, liveCodes, type LiveCode } from '../db/schema/chat'

/** A request this long after the code was shown is still credited to its channel. */
export const SCAN_CREDIT_MS = 30 * 60_000

export async function setContactQr(
  db: Db,
  accountId: number,
  input: { content: string; source: 'puppet' | 'upload'; at: Date },
): Promise<void> {
  const rows = await db
    .update(botAccounts)
    .set({ contactQr: input.content, contactQrSource: input.source, contactQrUpdatedAt: input.at })
    .where(
      and(
        eq(botAccounts.id, accountId),
        // A QR an operator uploaded is not replaced by the puppet's.
        input.source === 'puppet' ? sql`${botAccounts.contactQrSource} is distinct from 'upload'` : undefined,
      ),
    )
    .returning({ id: botAccounts.id })
  if (!rows.length && input.source === 'upload') throw notFound('顾问账号', 'account_not_found')
}

export async function createLiveCode(db: Db, input: { channel: string; name: string }): Promise<LiveCode> {
  try {
    const [row] = await db
      .insert(liveCodes)
      .values({ ...input, code: randomBytes(8).toString('base64url') })
      .returning()
    return row!
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('live_code_channel_taken', '该渠道已有活码')
    throw err
  }
}

export async function updateLiveCode(
  db: Db,
  id: number,
  input: { name?: string; active?: boolean },
): Promise<LiveCode> {
  const [row] = await db.update(liveCodes).set(input).where(eq(liveCodes.id, id)).returning()
  if (!row) throw notFound('活码', 'live_code_not_found')
  return row
}

/** Every live code with how often it was shown and how many new friends it brought. */
export async function listLiveCodes(db: Db) {
  return db
    .select({
      code: liveCodes,
      scans: sql<number>`(select count(*)::int from live_code_scans s where s.live_code_id = live_codes.id)`,
      friends: sql<number>`(select count(*)::int from live_code_scans s where s.live_code_id = live_codes.id and s.consumed_at is not null)`,
    })
    .from(liveCodes)
    .orderBy(asc(liveCodes.id))
}

/**
 * Open a live code: the account with the most room (friend capacity less friends) among those that
 * run and have a contact QR; the showing is recorded. 404 for an unknown or retired code, 409 when no
 * account can take friends now.
 */
export async function resolveLiveCode(db: Db, code: string, at: Date) {
  const [live] = await db.select().from(liveCodes).where(eq(liveCodes.code, code))
  if (!live || !live.active) throw notFound('活码', 'live_code_not_found')
  const [account] = await db
    .select({
      id: botAccounts.id,
      displayName: botAccounts.displayName,
      contactQr: botAccounts.contactQr,
      room: sql<number>`${botAccounts.friendCapacity} - ${botAccounts.friendCount}`,
    })
    .from(botAccounts)
    .where(
      and(
        isNotNull(botAccounts.contactQr),
        notInArray(botAccounts.state, ['banned', 'disabled', 'error', 'logged_out']),
        gt(botAccounts.friendCapacity, botAccounts.friendCount),
      ),
    )
    .orderBy(desc(sql`${botAccounts.friendCapacity} - ${botAccounts.friendCount}`), asc(botAccounts.id))
    .limit(1)
  if (!account) throw new DomainError('no_account_with_room', '暂时没有可添加好友的顾问账号，请稍后再试', 409)
  await db.insert(liveCodeScans).values({ liveCodeId: live.id, accountId: account.id, scannedAt: at })
  return {
    liveCode: live,
    account: { id: account.id, displayName: account.displayName },
    qr: account.contactQr!,
  }
}

/**
 * A new friend request on `accountId`: the earliest showing of a live code on this account, within the
 * credit window and not yet credited, is credited to this member. Returns its channel, or null.
 */
export async function consumeLiveCodeScan(
  db: Db,
  input: { accountId: number; memberId: number; at: Date },
): Promise<{ channel: string; name: string } | null> {
  const since = new Date(input.at.getTime() - SCAN_CREDIT_MS)
  return db.transaction(async (tx) => {
    const [scan] = await tx
      .select({ id: liveCodeScans.id, channel: liveCodes.channel, name: liveCodes.name })
      .from(liveCodeScans)
      .innerJoin(liveCodes, eq(liveCodes.id, liveCodeScans.liveCodeId))
      .where(
        and(
          eq(liveCodeScans.accountId, input.accountId),
          isNull(liveCodeScans.consumedAt),
          gt(liveCodeScans.scannedAt, since),
          sql`${liveCodeScans.scannedAt} <= ${input.at.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(asc(liveCodeScans.scannedAt), asc(liveCodeScans.id))
      .limit(1)
      .for('update', { of: liveCodeScans, skipLocked: true })
    if (!scan) return null
    await tx
      .update(liveCodeScans)
      .set({ consumedAt: input.at, memberId: input.memberId })
      .where(eq(liveCodeScans.id, scan.id))
    return { channel: scan.channel, name: scan.name }
  })
}
