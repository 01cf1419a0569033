// Every admin operation, walked with every role, answers as the policy table says: a role the table
// allows is never refused for its role, any other gets a 403; the OpenAPI document states the same
// roles; an advisor reaches only the members of their own bot accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { operatorAccounts, operatorRoles, type OperatorRole } from '../shared/db/schema/auth'
import { createOperator, loginOperator } from '../shared/auth/service'
import type { Database } from '../shared/db/client'
import { systemClock } from '../shared/clock'
import { operationPolicy, operations, policy } from '../server/policy'
import { eq } from 'drizzle-orm'
import { chatTickets, outboundMessages } from '../shared/db/schema/chat'
import { memberIdentities } from '../shared/db/schema/members'
import { recordFeedbackTicket } from '../shared/chat/tickets'
import { enqueueOutbound } from '../shared/chat/outbox'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeAccounts, makeFriends } from './support/chat'

let database: Database
let app: TestApp
const tokens = {} as Record<OperatorRole, string>
let ownMember: number
let otherMember: number

async function signIn(role: OperatorRole): Promise<string> {
  const username = `role-${role}-${Math.random().toString(36).slice(2, 8)}`
  const op = await createOperator(database.db, {
    username,
    displayName: role,
    role,
    password: 'role-pass-123',
  })
  if (role === 'advisor') await database.db.insert(operatorAccounts).values({ operatorId: op.id, accountId })
  return (await loginOperator(database.db, systemClock, { username, password: 'role-pass-123' }, 24)).token
}
let accountId: number
let otherAccountId: number

beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  const [mine, theirs] = await makeAccounts(database, 2)
  accountId = mine!.id
  otherAccountId = theirs!.id
  const friends = await makeFriends(database, [mine!.id, theirs!.id], 1)
  ownMember = friends.get(mine!.id)![0]!
  otherMember = friends.get(theirs!.id)![0]!
  for (const role of operatorRoles) tokens[role] = await signIn(role)
})
afterAll(async () => {
  await app.close()
  await database.close()
})

type Doc = {
  paths: Record<string, Record<string, { security?: { operator?: unknown }[]; 'x-roles'?: string[] }>>
}

describe('roles and the policy table', () => {
  it('maps every admin operation, and the OpenAPI document states its roles', async () => {
    const doc = (await app.request('GET', '/api/openapi.json')).body as Doc
    const secured = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.[0]?.operator)
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, roles: op['x-roles'] })),
    )
    expect(secured.length).toBeGreaterThan(170)
    for (const { key, roles } of secured) {
      const [method, path] = key.split(' ') as [string, string]
      expect(roles, key).toEqual([...operationPolicy(method, path).roles])
    }
    // Nothing in the table that is not an operation (a stale entry would hide a typo).
    expect(Object.keys(operations).sort()).toEqual(secured.map((s) => s.key).sort())
  })

  it('answers every (operation, role) pair as the table says', { timeout: 300_000 }, async () => {
    const doc = (await app.request('GET', '/api/openapi.json')).body as Doc
    const keys = Object.keys(operations).sort(
      (a, b) => Number(a.endsWith('/logout')) - Number(b.endsWith('/logout')),
    )
    const mismatches: string[] = []
    const reached = Object.fromEntries(operatorRoles.map((r) => [r, 0])) as Record<OperatorRole, number>
    for (const key of keys) {
      const [method, path] = key.split(' ') as [string, string]
      expect(doc.paths[path]?.[method.toLowerCase()], key).toBeDefined()
      const rule = operationPolicy(method, path)
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === rule.memberParam ? String(ownMember) : '999999',
      )
      for (const role of operatorRoles) {
        const res = await app.request(method, url, {
          token: tokens[role],
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
        })
        const refused = res.status === 403
        const allowed = (policy[rule.action] as readonly string[]).includes(role)
        if (allowed) reached[role]++
        if (allowed === refused) mismatches.push(`${key} as ${role}: ${res.status} ${res.text.slice(0, 120)}`)
        if (refused) expect(res.body.error.code, key).toBe('forbidden')
      }
    }
    process.stdout.write(
      `roles: admin operations reached per role ${JSON.stringify(reached)} of ${keys.length}\n`,
    )
    expect(mismatches).toEqual([])
    // Store staff: the till (lookup, the stores, recording a purchase), tags, benefit use, their share code, and their own session — nothing else.
    expect(reached.staff).toBeLessThanOrEqual(19)
    // The walk ended with POST /logout for every role.
    for (const role of operatorRoles) tokens[role] = await signIn(role)
  })

  it('keeps an advisor to the members of their own bot accounts', async () => {
    const own = await app.request('GET', `/api/admin/members/${ownMember}`, { token: tokens.advisor })
    expect(own.status).toBe(200)
    const other = await app.request('GET', `/api/admin/members/${otherMember}/timeline`, {
      token: tokens.advisor,
    })
    expect(other.status).toBe(403)
    expect(other.body.error.code).toBe('out_of_scope')
    const list = await app.request('GET', '/api/admin/advisor/members', { token: tokens.advisor })
    expect(list.body.items.map((m: { id: number }) => m.id)).toEqual([ownMember])
    const search = await app.request('GET', '/api/admin/reports/members?q=会员', { token: tokens.advisor })
    expect(search.status).toBe(403)
  })

  it('shows a phone number in full only to roles that may call the member', async () => {
    await database.db
      .insert(memberIdentities)
      .values({ memberId: ownMember, kind: 'phone', value: '13912345678', verified: true })
    const phones = async (role: OperatorRole, path: string) => {
      const r = await app.request('GET', path, { token: tokens[role] })
      expect(r.status).toBe(200)
      return (r.body.identities as { kind: string; value: string }[])
        .filter((i) => i.kind === 'phone')
        .map((i) => i.value)
    }
    for (const path of [`/api/admin/members/${ownMember}`, `/api/admin/reports/members/${ownMember}`]) {
      expect(await phones('operator', path)).toEqual(['13912345678'])
      expect(await phones('advisor', path)).toEqual(['139****5678'])
    }
  })

  it("keeps an advisor to their own accounts' feedback tickets and outbox", async () => {
    const at = new Date()
    const tickets = []
    const messages = []
    for (const [member, account] of [
      [ownMember, accountId],
      [otherMember, otherAccountId],
    ] as const) {
      const { ticket } = await recordFeedbackTicket(database.db, {
        memberId: member,
        accountId: account,
        category: 'complaint',
        text: '发货太慢了',
        matched: '太慢',
        at,
      })
      tickets.push(ticket.id)
      const { message } = await enqueueOutbound(database.db, {
        dedupeKey: `scope-${member}`,
        accountId: account,
        kind: 'direct',
        memberId: member,
        text: '您好',
        source: 'test',
      })
      messages.push(message.id)
    }
    const ticketIds = async (role: OperatorRole) =>
      (await app.request('GET', '/api/admin/tickets', { token: tokens[role] })).body.items.map(
        (t: { id: number }) => t.id,
      )
    expect(await ticketIds('advisor')).toEqual([tickets[0]])
    expect(await ticketIds('operator')).toEqual(expect.arrayContaining(tickets))
    const outbox = await app.request('GET', '/api/admin/outbox', { token: tokens.advisor })
    expect(outbox.body.items.map((m: { id: number }) => m.id)).toEqual([messages[0]])
    const summary = await app.request('GET', '/api/admin/outbox/summary', { token: tokens.advisor })
    expect(new Set(summary.body.items.map((r: { accountId: number }) => r.accountId))).toEqual(
      new Set([accountId]),
    )
    // Another account's ticket or message reads as absent, and stays as it was.
    const resolve = await app.request('POST', `/api/admin/tickets/${tickets[1]}/resolve`, {
      token: tokens.advisor,
      body: { resolution: '已处理' },
    })
    expect(resolve.status).toBe(404)
    const cancel = await app.request('POST', `/api/admin/outbox/${messages[1]}/cancel`, {
      token: tokens.advisor,
    })
    expect(cancel.status).toBe(404)
    const [ticket] = await database.db.select().from(chatTickets).where(eq(chatTickets.id, tickets[1]!))
    expect(ticket!.status).toBe('open')
    const [message] = await database.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, messages[1]!))
    expect(message!.status).toBe('queued')
    const own = await app.request('POST', `/api/admin/tickets/${tickets[0]}/resolve`, {
      token: tokens.advisor,
      body: { resolution: '已致歉并补发' },
    })
    expect(own.status).toBe(200)
  })

  it('tells the console the role and the actions it may offer', async () => {
    const me = await app.request('GET', '/api/admin/me', { token: tokens.staff })
    expect(me.body).toMatchObject({ role: 'staff', mustChangePassword: false })
    expect(me.body.actions).toEqual(expect.arrayContaining(['till.lookup', 'benefits.use', 'members.tag']))
    expect(me.body.actions).not.toContain('orders.refund')
  })
})
