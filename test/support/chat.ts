// Test data for the account pool: accounts, members who are friends of them, queued messages, and a
// transport that records what would have reached WeChat.
import { sql } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { botAccounts } from '../../shared/db/schema/chat'
import type { SendTransport } from '../../bot/sender/transport'

export async function makeAccounts(
  database: Database,
  n: number,
  values: Partial<typeof botAccounts.$inferInsert> = {},
) {
  const tag = Math.random().toString(36).slice(2, 8)
  return database.db
    .insert(botAccounts)
    .values(
      Array.from({ length: n }, (_, i) => ({ name: `acct-${tag}-${i}`, displayName: `顾问${i}`, ...values })),
    )
    .returning()
}

/** `perAccount` members per account, each a friend (chat contact `c<memberId>`) of it; returns member ids by account. */
export async function makeFriends(
  database: Database,
  accountIds: number[],
  perAccount: number,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>()
  for (const accountId of accountIds) {
    const rows = (await database.db.execute(sql`
      with m as (
        insert into members (name, source, advisor_account_id)
        select '会员' || g, 'test', ${accountId} from generate_series(1, ${perAccount}) g
        returning id)
      insert into member_identities (member_id, kind, value, verified)
      select id, 'chat_contact', ${accountId} || ':c' || id, true from m
      returning member_id`)) as unknown as { rows: { member_id: number }[] }
    out.set(
      accountId,
      rows.rows.map((r) => Number(r.member_id)),
    )
  }
  return out
}

export interface Delivery {
  accountId: number
  kind: 'contact' | 'room' | 'announce' | 'add' | 'create'
  target: string
  text: string
  at: number
}

/** A transport that records every delivery with the (virtual) time; `fail` may throw instead. */
export function recordingTransport(
  accountId: number,
  log: Delivery[],
  now: () => Date,
  fail?: (d: Delivery) => Error | 'hang' | null,
): SendTransport {
  const deliver = async (d: Omit<Delivery, 'accountId' | 'at'>) => {
    const delivery = { ...d, accountId, at: now().getTime() }
    const f = fail?.(delivery)
    if (f === 'hang') {
      // The process dies while WeChat takes the message: it arrives, nobody hears back.
      log.push(delivery)
      return new Promise<never>(() => {})
    }
    if (f) throw f
    log.push(delivery)
  }
  return {
    sayToContact: (target, text) => deliver({ kind: 'contact', target, text }),
    sayInRoom: (target, text) => deliver({ kind: 'room', target, text }),
    announce: (target, text) => deliver({ kind: 'announce', target, text }),
    addToRoom: (target, contact) => deliver({ kind: 'add', target, text: contact }),
    createRoom: async (contacts, topic) => {
      await deliver({ kind: 'create', target: topic, text: contacts.join(',') })
      return `room-${topic}@chatroom`
    },
  }
}

/** Shanghai calendar day of an instant. */
export const shanghaiDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
