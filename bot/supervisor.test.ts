import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { and, eq, inArray } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { advisorReassignments, botAccounts } from '../shared/db/schema/chat'
import { members } from '../shared/db/schema/members'
import { systemClock, VirtualClock } from '../shared/clock'
import { acquireLeases } from '../shared/chat/accounts'
import { onPostgresServer, testDatabase } from '../test/support/db'
import { silentLogger, testConfig } from '../test/support/config'
import { Supervisor } from './supervisor'
import { buildBot } from './puppets'
import { restartDelayMs } from '../shared/chat/accounts'
import { makeFriends } from '../test/support/chat'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

const waitFor = async (check: () => Promise<boolean>, what = 'condition') => {
  const deadline = Date.now() + 30_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} never held`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const quiet = { tickMs: 0, invitesEveryMs: 0, sending: false } as const

describe('Supervisor', () => {
  it('runs one Wechaty per enabled account, records logins, and survives a puppet error', async () => {
    await database.db.insert(botAccounts).values([
      { name: 'acct-a', displayName: '顾问 A' },
      { name: 'acct-b', displayName: '顾问 B' },
      { name: 'acct-off', displayName: '停用', state: 'disabled' },
      { name: 'acct-bad', displayName: '坏配置', puppet: 'wechaty-puppet-service' },
    ])
    const supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config: testConfig(), clock: systemClock },
      { ...quiet, owner: 'one' },
    )
    await supervisor.start()
    try {
      expect([...supervisor.running.values()].map((r) => r.account.name).sort()).toEqual(['acct-a', 'acct-b'])
      const state = async (name: string) =>
        (await database.db.select().from(botAccounts).where(eq(botAccounts.name, name)))[0]!
      await waitFor(
        async () => (await state('acct-a')).state === 'online' && (await state('acct-b')).state === 'online',
      )
      expect((await state('acct-a')).leaseOwner).toBe('one')
      expect((await state('acct-off')).leaseOwner).toBeNull()

      // A puppet without its token cannot start; it is recorded as the account's error, not thrown.
      const bad = await state('acct-bad')
      expect(bad.lastError).toMatch(/WECHATY_PUPPET_SERVICE_TOKEN/)
      expect(bad).toMatchObject({ state: 'error', failureCount: 1 })
      expect(bad.retryAt!.getTime()).toBeGreaterThan(Date.now())

      // A puppet error is handled by the instance's error handler: the bot keeps running.
      const a = [...supervisor.running.values()].find((r) => r.account.name === 'acct-a')!
      a.bot.puppet.emit('error', { data: 'simulated puppet failure' } as never)
      await waitFor(async () => (await state('acct-a')).lastError !== null)
      expect(a.bot.isLoggedIn).toBe(true)
      expect((await state('acct-a')).state).toBe('online')
    } finally {
      await supervisor.stop()
    }
    expect(supervisor.running.size).toBe(0)
    // Stopping hands the accounts back.
    const leased = await database.db.select().from(botAccounts).where(eq(botAccounts.leaseOwner, 'one'))
    expect(leased).toEqual([])
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })

  it('a lease is taken only when free or expired', async () => {
    const clock = new VirtualClock('2026-03-02T10:00:00+08:00')
    const [x] = await database.db
      .insert(botAccounts)
      .values({ name: 'lease-x', displayName: 'X' })
      .returning()
    const first = await acquireLeases(database.db, { owner: 'p1', now: clock.now(), ttlMs: 30_000 })
    expect(first.map((a) => a.id)).toEqual([x!.id])
    clock.advance(10_000)
    expect(await acquireLeases(database.db, { owner: 'p2', now: clock.now(), ttlMs: 30_000 })).toEqual([])
    clock.advance(25_000)
    const taken = await acquireLeases(database.db, { owner: 'p2', now: clock.now(), ttlMs: 30_000 })
    expect(taken.map((a) => [a.id, a.leaseOwner])).toEqual([[x!.id, 'p2']])
    await database.db.update(botAccounts).set({ state: 'disabled' }).where(eq(botAccounts.id, x!.id))
  })

  it.runIf(onPostgresServer())(
    'two supervisors never run the same account, and one takes over when the other stops',
    async () => {
      const clock = new VirtualClock('2026-03-02T10:00:00+08:00')
      const rows = await database.db
        .insert(botAccounts)
        .values(Array.from({ length: 8 }, (_, i) => ({ name: `pool-${i}`, displayName: `顾问 ${i}` })))
        .returning()
      const ids = rows.map((r) => r.id)
      const deps = { db: database.db, logger: silentLogger(), config: testConfig(), clock }
      const s1 = new Supervisor(deps, { ...quiet, owner: 'proc-1', maxAccounts: 5, leaseTtlMs: 30_000 })
      const s2 = new Supervisor(deps, { ...quiet, owner: 'proc-2', maxAccounts: 5, leaseTtlMs: 30_000 })
      try {
        // Both ask for leases at the same instant, several times over.
        await Promise.all([s1.start(), s2.start()])
        for (let i = 0; i < 5; i++) await Promise.all([s1.tick(), s2.tick()])
        const run1 = [...s1.running.keys()].filter((id) => ids.includes(id))
        const run2 = [...s2.running.keys()].filter((id) => ids.includes(id))
        expect(run1.filter((id) => run2.includes(id))).toEqual([])
        expect([...run1, ...run2].sort()).toEqual([...ids].sort())
        expect(Math.max(run1.length, run2.length)).toBeLessThanOrEqual(5)
        const owners = await database.db.select().from(botAccounts).where(inArray(botAccounts.id, ids))
        for (const o of owners) expect(o.leaseOwner).toBe(run1.includes(o.id) ? 'proc-1' : 'proc-2')

        // proc-1 dies without a word: its accounts stay with it until the lease expires.
        const orphaned = run1
        ;(s1 as unknown as { stopping: boolean }).stopping = true
        clock.advance(10_000)
        await s2.tick()
        expect([...s2.running.keys()].filter((id) => orphaned.includes(id))).toEqual([])
        clock.advance(25_000)
        await s2.tick()
        // Still at most five: the rest wait for another process.
        expect([...s2.running.keys()].filter((id) => ids.includes(id)).length).toBe(5)
        const now2 = [...s2.running.keys()]
        expect(now2.filter((id) => run2.includes(id)).sort()).toEqual([...run2].sort())
      } finally {
        await s1.stop()
        await s2.stop()
      }
    },
  )

  it('backs off 30 s → 30 min between restarts of a failing account', () => {
    const bounds = { minMs: 30_000, maxMs: 30 * 60_000 }
    expect([1, 2, 3, 4, 5, 6, 7, 8, 40].map((n) => restartDelayMs(n, bounds) / 1000)).toEqual([
      30, 60, 120, 240, 480, 960, 1800, 1800, 1800,
    ])
  })

  it('a puppet that rejects, throws or keeps erroring never takes the process down: error state, back-off, retries', async () => {
    const [rejects, throws, chatty] = await database.db
      .insert(botAccounts)
      .values([
        { name: 'fail-rejects', displayName: '启动失败' },
        { name: 'fail-throws', displayName: '构建失败' },
        { name: 'fail-chatty', displayName: '不停报错' },
      ])
      .returning()
    const starts = new Map<string, number>()
    const config = testConfig({ BOT_RETRY_MIN_SECONDS: '0.05', BOT_RETRY_MAX_SECONDS: '0.2' })
    const supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config, clock: systemClock },
      {
        ...quiet,
        owner: 'failing',
        errorBurst: 5,
        buildBot: async (account, cfg) => {
          starts.set(account.name, (starts.get(account.name) ?? 0) + 1)
          if (account.name === 'fail-throws') throw new Error('puppet 构建失败：找不到模块')
          const built = await buildBot(account, cfg)
          if (account.name === 'fail-rejects') {
            built.bot.start = () => Promise.reject(new Error('连接 puppet 服务失败：ECONNREFUSED'))
          }
          return built
        },
      },
    )
    const row = async (id: number) =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, id)))[0]!
    await supervisor.start()
    try {
      // Each failure is recorded with its reason, and the account is tried again after a growing wait.
      await waitFor(async () => {
        const [r, t] = [await row(rejects!.id), await row(throws!.id)]
        return r.failureCount >= 3 && t.failureCount >= 3
      }, 'three failures each')
      expect(await row(rejects!.id)).toMatchObject({
        state: 'error',
        lastError: expect.stringMatching(/ECONNREFUSED/),
      })
      expect(await row(throws!.id)).toMatchObject({
        state: 'error',
        lastError: expect.stringMatching(/构建失败/),
      })
      expect(starts.get('fail-rejects')).toBeGreaterThanOrEqual(3)

      // A puppet that reports error after error (an unreachable login host) is stopped and retried.
      const running = supervisor.running.get(chatty!.id)!
      await waitFor(async () => running.bot.isLoggedIn, 'chatty logged in')
      for (let i = 0; i < 5; i++)
        running.bot.puppet.emit('error', { data: `login host unreachable ${i}` } as never)
      await waitFor(async () => (await row(chatty!.id)).state === 'error', 'chatty in error')
      expect((await row(chatty!.id)).lastError).toMatch(/报错 5 次.*login host unreachable/)
      // …and comes back on its own after the back-off: it logs in again and the error is cleared.
      await waitFor(async () => (await row(chatty!.id)).state === 'online', 'chatty back online')
      expect(await row(chatty!.id)).toMatchObject({ failureCount: 0, lastError: null, retryAt: null })
    } finally {
      await supervisor.stop()
    }
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })
  it('a puppet that errors while neither logged in nor waiting for a scan fails and is retried, however few its errors', async () => {
    await database.db.update(botAccounts).set({ state: 'disabled' })
    const [idle] = await database.db
      .insert(botAccounts)
      .values({ name: 'never-logs-in', displayName: '连不上' })
      .returning()
    let starts = 0
    const config = testConfig({ BOT_RETRY_MIN_SECONDS: '0.2', BOT_RETRY_MAX_SECONDS: '1' })
    const supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config, clock: systemClock },
      {
        ...quiet,
        owner: 'idle',
        buildBot: async (account, cfg) => {
          starts++
          // A started puppet that never shows a QR nor logs in, and reports two errors (not a burst).
          const { bot } = await buildBot({ ...account, puppet: 'wechaty-puppet-mock' }, cfg)
          bot.once('start', () => {
            setTimeout(() => {
              bot.puppet.emit('error', { data: 'no payload, please call load() first.' } as never)
              bot.puppet.emit('error', { data: 'Timeout after 5000 ms' } as never)
            }, 10)
          })
          return { bot }
        },
      },
    )
    const row = async () =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, idle!.id)))[0]!
    await supervisor.start()
    try {
      await waitFor(async () => (await row()).state === 'error', 'idle account in error')
      const failed = await row()
      expect(failed.lastError).toMatch(/未登录也未等待扫码.*no payload/)
      expect(failed.retryAt!.getTime()).toBeGreaterThan(Date.now() - 1000)
      await waitFor(async () => starts >= 3 && (await row()).failureCount >= 2, 'retried')
    } finally {
      await supervisor.stop()
    }
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })

  it('a retry starts the account as it is now: a puppet changed while it waited is used', async () => {
    await database.db.update(botAccounts).set({ state: 'disabled' })
    // A service account without a token fails; an operator switches it to the mock puppet meanwhile.
    const [changed] = await database.db
      .insert(botAccounts)
      .values({ name: 'switched', displayName: '换 puppet', puppet: 'wechaty-puppet-service' })
      .returning()
    const config = testConfig({ BOT_RETRY_MIN_SECONDS: '0.3', BOT_RETRY_MAX_SECONDS: '1' })
    const supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config, clock: systemClock },
      { ...quiet, owner: 'switch' },
    )
    const row = async () =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, changed!.id)))[0]!
    await supervisor.start()
    try {
      expect(await row()).toMatchObject({ state: 'error', lastError: expect.stringMatching(/TOKEN/) })
      await database.db
        .update(botAccounts)
        .set({ puppet: 'wechaty-puppet-mock' })
        .where(eq(botAccounts.id, changed!.id))
      await waitFor(async () => (await row()).state === 'online', 'online on the new puppet')
      expect(supervisor.running.get(changed!.id)!.account.puppet).toBe('wechaty-puppet-mock')
    } finally {
      await supervisor.stop()
    }
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })

  it('wechaty-puppet-wechat4u without a reachable login host starts, keeps its card under DATA_DIR, fails and backs off', async () => {
    await database.db.update(botAccounts).set({ state: 'disabled' })
    const dataDir = mkdtempSync(path.join(tmpdir(), 'w4u-'))
    // wechat4u reaches WeChat through axios, which honours HTTPS_PROXY: a loopback port that refuses
    // keeps every request on this machine.
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as { port: number }
    await new Promise((r) => closed.close(r))
    const saved = { https: process.env.HTTPS_PROXY, http: process.env.HTTP_PROXY, no: process.env.NO_PROXY }
    process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`
    process.env.HTTP_PROXY = `http://127.0.0.1:${port}`
    process.env.NO_PROXY = ''
    const [w4u] = await database.db
      .insert(botAccounts)
      .values({ name: 'web-account', displayName: '网页版', puppet: 'wechaty-puppet-wechat4u' })
      .returning()
    const supervisor = new Supervisor(
      {
        db: database.db,
        logger: silentLogger(),
        config: testConfig({ DATA_DIR: dataDir }),
        clock: systemClock,
      },
      { ...quiet, owner: 'w4u' },
    )
    const row = async () =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, w4u!.id)))[0]!
    await supervisor.start()
    try {
      await waitFor(async () => (await row()).state === 'error', 'wechat4u account in error')
      const failed = await row()
      expect(failed.lastError).toMatch(/ECONNREFUSED 127\.0\.0\.1/)
      expect(failed.lastError).not.toMatch(/no payload/)
      // The first retry waits the full 30 s: one failure, not a storm of restarts.
      expect(failed.failureCount).toBe(1)
      expect(failed.retryAt!.getTime() - Date.now()).toBeGreaterThan(20_000)
      expect(supervisor.running.has(w4u!.id)).toBe(false)
      expect(existsSync(path.join(dataDir, 'wechaty', 'web-account.memory-card.json'))).toBe(true)
      expect(existsSync(path.resolve('web-account.memory-card.json'))).toBe(false)
    } finally {
      await supervisor.stop()
      for (const [k, v] of [
        ['HTTPS_PROXY', saved.https],
        ['HTTP_PROXY', saved.http],
        ['NO_PROXY', saved.no],
      ] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
      rmSync(dataDir, { recursive: true, force: true })
    }
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })

  it('a logout with a ban reason marks the account banned and moves its members to the others', async () => {
    await database.db.update(botAccounts).set({ state: 'disabled' })
    const [a, b] = await database.db
      .insert(botAccounts)
      .values([
        { name: 'ban-a', displayName: '被封' },
        { name: 'ban-b', displayName: '接手' },
      ])
      .returning()
    const friends = (await makeFriends(database, [a!.id], 4)).get(a!.id)!
    const supervisor = new Supervisor(
      { db: database.db, logger: silentLogger(), config: testConfig(), clock: systemClock },
      { ...quiet, owner: 'ban' },
    )
    const row = async (id: number) =>
      (await database.db.select().from(botAccounts).where(eq(botAccounts.id, id)))[0]!
    await supervisor.start()
    try {
      await waitFor(async () => (await row(a!.id)).state === 'online', 'a online')
      // An ordinary logout moves nobody.
      const entry = supervisor.running.get(a!.id)!
      await entry.puppet!.logout('手机端退出')
      await waitFor(async () => (await row(a!.id)).state === 'logged_out', 'a logged out')
      expect(
        await database.db
          .select()
          .from(advisorReassignments)
          .where(eq(advisorReassignments.fromAccountId, a!.id)),
      ).toEqual([])

      entry.mocker!.login(entry.mocker!.createContact({ name: '被封' }))
      await waitFor(async () => (await row(a!.id)).state === 'online', 'a online again')
      await entry.puppet!.logout('该帐号因违规操作已被封禁')
      await waitFor(async () => (await row(a!.id)).state === 'banned', 'a banned')
      expect((await row(a!.id)).lastError).toMatch(/微信下线：.*封禁/)
      const moved = await database.db.select().from(members).where(inArray(members.id, friends))
      expect(moved.map((m) => m.advisorAccountId)).toEqual(friends.map(() => b!.id))
      const records = await database.db
        .select()
        .from(advisorReassignments)
        .where(
          and(eq(advisorReassignments.fromAccountId, a!.id), eq(advisorReassignments.toAccountId, b!.id)),
        )
      expect(records.map((r) => r.memberId).sort()).toEqual([...friends].sort())
      expect(records.every((r) => r.readdPending)).toBe(true)
    } finally {
      await supervisor.stop()
    }
    await database.db.update(botAccounts).set({ state: 'disabled' })
  })
})
