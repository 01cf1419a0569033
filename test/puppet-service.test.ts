// The real wire: an account on wechaty-puppet-service talks gRPC to a local PuppetServer (from
// wechaty-puppet-service itself) that serves the simulated WeChat — the protocol a token provider
// speaks. Login, an inbound message bound to a member, a keyword reply and a paced outbound message
// go over it, and after a logout and a relogin that changes the contact id the member is found again
// by the remark written over the wire.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mock } from 'wechaty-puppet-mock'
import { PuppetServer } from 'wechaty-puppet-service'
import { SimulatedWeChatPuppet } from '../bot/puppets'
import { ServicePuppet } from '../bot/puppet-service'
import { Supervisor, type RunningAccount } from '../bot/supervisor'
import { issueBindCode } from '../shared/chat/binding'
import { enqueueOutbound } from '../shared/chat/outbox'
import { botAccounts, outboundMessages } from '../shared/db/schema/chat'
import { VirtualClock } from '../shared/clock'
import type { Database } from '../shared/db/client'
import { grantPoints } from '../shared/points/ledger'
import { memberEvents, memberIdentities } from '../shared/db/schema/members'
import { silentLogger, testConfig } from './support/config'
import { testDatabase } from './support/db'
import { makeMember } from './support/factories'

const TOKEN = 'insecure_6f0c2b4e-1d7a-4c1e-9a51-3f7b9e2d8c10'
const clock = new VirtualClock('2026-03-02T10:00:00+08:00')
const dataDir = mkdtempSync(path.join(tmpdir(), 'sup-grpc-'))

let database: Database
let server: PuppetServer
let supervisor: Supervisor
let mocker: mock.Mocker
let served: SimulatedWeChatPuppet
let accountId: number
let user: mock.ContactMock

/** Waits for a condition (never a fixed sleep); the virtual clock moves on so paced sends fall due. */
async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T): Promise<T> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    clock.advance(2_000)
    await new Promise((r) => setTimeout(r, 10))
  }
}

function inbox(contact: mock.ContactMock): string[] {
  const heard: string[] = []
  contact.on('message', (m: { text(): string | undefined; talker(): { id: string } }) => {
    if (m.talker().id !== contact.id) heard.push(m.text() ?? '')
  })
  return heard
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const account = async () =>
  (await database.db.select().from(botAccounts).where(eq(botAccounts.id, accountId)))[0]!
const running = (): RunningAccount | undefined => supervisor.running.get(accountId)

beforeAll(async () => {
  database = await testDatabase()
  mocker = new mock.Mocker()
  served = new SimulatedWeChatPuppet({ mocker })
  const port = await freePort()
  server = new PuppetServer({ endpoint: `127.0.0.1:${port}`, puppet: served, token: TOKEN })
  await server.start()
  const [row] = await database.db
    .insert(botAccounts)
    .values({ name: 'grpc-advisor', displayName: '小美 · 专属顾问', firstLoginAt: new Date('2025-01-01Z') })
    .returning()
  accountId = row!.id
  supervisor = new Supervisor(
    {
      db: database.db,
      logger: silentLogger(),
      clock,
      config: testConfig({
        WECHATY_PUPPET: 'wechaty-puppet-service',
        WECHATY_PUPPET_SERVICE_TOKEN: TOKEN,
        WECHATY_PUPPET_SERVICE_ENDPOINT: `127.0.0.1:${port}`,
        DATA_DIR: dataDir,
      }),
    },
    { owner: 'grpc', tickMs: 0, invitesEveryMs: 0, senderPollMs: 20, leaseTtlMs: 365 * 24 * 3600_000 },
  )
  await supervisor.start()
})

afterAll(async () => {
  await supervisor?.stop()
  await server?.stop()
  await database?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('an account on wechaty-puppet-service over gRPC', { timeout: 240_000 }, () => {
  it('logs in, binds, answers, sends paced, and finds the member again by remark after a relogin', async () => {
    expect(running()?.puppet).toBeUndefined() // not the in-process mock: the gRPC client
    user = mocker.createContact({ name: '小美' })
    mocker.login(user)
    await waitFor('online', async () => (await account()).state === 'online')
    // The puppet's files (memory card, payload cache) are kept under DATA_DIR, not in the working
    // directory or the home directory.
    await waitFor('payload cache under DATA_DIR', () =>
      readdirSync(path.join(dataDir, 'wechaty', 'puppet-service')).includes(TOKEN),
    )
    expect(readdirSync(process.cwd()).filter((f) => f.endsWith('.memory-card.json'))).toEqual([])
    const me = mocker.ContactMock.load(user.id)

    // An inbound message with a one-time code binds the contact; the remark is written over the wire.
    const member = await makeMember(database.db, { name: '王丽' })
    await grantPoints(database.db, {
      memberId: member.id,
      amount: 520,
      sourceKey: `grpc:${member.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const { code } = await issueBindCode(database.db, member.id, clock.now())
    const lili = mocker.createContact({ name: '丽丽' })
    const heard = inbox(lili)
    lili.say(`绑定 ${code}`).to(me)
    await waitFor('bound reply', () => heard.some((t) => t.includes('绑定成功')))
    const identity = await waitFor('identity', async () => {
      const [r] = await database.db
        .select()
        .from(memberIdentities)
        .where(eq(memberIdentities.value, `${accountId}:${lili.id}`))
      return r
    })
    expect(identity.memberId).toBe(member.id)
    const remark = await waitFor('remark', () =>
      mocker.contactPayload(lili.id).alias?.includes(member.memberNo),
    )
    expect(remark).toBe(true)

    // A keyword answered from the member's ledger, through the paced outbox.
    lili.say('积分').to(me)
    await waitFor('points reply', () => heard.some((t) => t.includes('520')))
    const chats = await database.db
      .select()
      .from(memberEvents)
      .where(and(eq(memberEvents.memberId, member.id), eq(memberEvents.type, 'chat_message')))
    expect(chats.map((e) => (e.payload as { text: string }).text)).toEqual(expect.arrayContaining(['积分']))

    // A proactive message leaves at the account's pace.
    await enqueueOutbound(database.db, {
      dedupeKey: `grpc-notice:${member.id}`,
      accountId,
      kind: 'direct',
      memberId: member.id,
      text: '春季新品到店啦',
      source: 'notice',
      notBefore: clock.now(),
    })
    await waitFor('notice delivered', () => heard.some((t) => t.includes('春季新品')))
    const notice = await waitFor('notice marked sent', async () => {
      const [r] = await database.db
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.dedupeKey, `grpc-notice:${member.id}`))
      return r?.status === 'sent' ? r : null
    })
    expect(notice).toMatchObject({ status: 'sent', action: 'direct' })

    // WeChat logs the account out; it logs in again and the contact comes back with a new id.
    // The client answers a logout event with a logout call of its own; a relogin (a new QR scan in
    // real life, seconds later) must come after that call reaches the server, or it ends the new session.
    let logoutCalls = 0
    const logout = served.logout.bind(served)
    served.logout = (reason?: string) => {
      logoutCalls++
      return logout(reason)
    }
    await served.logout()
    await waitFor('logged out', async () => (await account()).state === 'logged_out' && logoutCalls >= 2)
    mocker.login(user)
    await waitFor('online again', async () => (await account()).state === 'online')
    const again = mocker.createContact({ name: '丽丽', alias: mocker.contactPayload(lili.id).alias })
    const heardAgain = inbox(again)
    again.say('积分').to(mocker.ContactMock.load(user.id))
    await waitFor('points by remark', () => heardAgain.some((t) => t.includes('520')))
    const [rebound] = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.value, `${accountId}:${again.id}`))
    expect(rebound!.memberId).toBe(member.id)
  })
})

describe('the demo over the real wire (DEMO_PUPPET_SERVICE)', { timeout: 240_000 }, () => {
  it('runs a demo account through wechaty-puppet-service to a local PuppetServer of its simulated WeChat', async () => {
    const [row] = await database.db
      .insert(botAccounts)
      .values({ name: 'demo-wire', displayName: '小林 · 专属顾问', firstLoginAt: new Date('2025-01-01Z') })
      .returning()
    const member = await makeMember(database.db, { name: '赵敏' })
    await database.db
      .insert(memberIdentities)
      .values({ memberId: member.id, kind: 'chat_contact', value: `${row!.id}:demo-zhao`, verified: true })
    const demo = new Supervisor(
      {
        db: database.db,
        logger: silentLogger(),
        clock,
        config: testConfig({ DEMO_PUPPET_SERVICE: 'true', DATA_DIR: dataDir }),
      },
      { owner: 'demo', tickMs: 0, invitesEveryMs: 0, senderPollMs: 20, leaseTtlMs: 365 * 24 * 3600_000 },
    )
    const state = async () =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, row!.id)))[0]!.state
    let endpoint = ''
    await demo.start()
    try {
      const entry = demo.running.get(row!.id)!
      // The account's Wechaty talks to a gRPC client; the simulated WeChat sits behind the server.
      expect(entry.bot.puppet).toBeInstanceOf(ServicePuppet)
      expect(entry.puppet).toBeInstanceOf(SimulatedWeChatPuppet)
      endpoint = (entry.bot.puppet as unknown as { options: { endpoint: string } }).options.endpoint
      expect(endpoint).toMatch(/^127\.0\.0\.1:\d+$/)
      await waitFor('demo account online', async () => (await state()) === 'online')

      // The demo friend (from the member's chat identity) writes; the message is kept on the member.
      const zhao = entry.mocker!.ContactMock.load('demo-zhao')
      const heard = inbox(zhao)
      zhao.say('你好，想问下新品').to(entry.mocker!.ContactMock.load(entry.puppet!.currentUserId))
      await waitFor('inbound kept on the member', async () => {
        const events = await database.db
          .select()
          .from(memberEvents)
          .where(and(eq(memberEvents.memberId, member.id), eq(memberEvents.type, 'chat_message')))
        return events.some((e) => (e.payload as { text: string }).text.includes('想问下新品'))
      })
      // And a paced message reaches the friend over the wire.
      await enqueueOutbound(database.db, {
        dedupeKey: `demo-wire:${member.id}`,
        accountId: row!.id,
        kind: 'direct',
        memberId: member.id,
        text: '赵敏您好，新品到店了',
        source: 'notice',
        notBefore: clock.now(),
      })
      await waitFor('notice heard over the wire', () => heard.some((t) => t.includes('新品到店')))
    } finally {
      await demo.stop()
    }
    // The local puppet server stops with the account.
    const [host, port] = endpoint.split(':')
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), host!, () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
  })
})
