import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { botAccounts } from '../shared/chat/schema'
import { systemClock } from '../shared/clock'
import { testDatabase } from '../test/support/db'
import { silentLogger, testConfig } from '../test/support/config'
import { Supervisor } from './supervisor'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
  await database.db.insert(botAccounts).values([
    { name: 'acct-a', displayName: '顾问 A' },
    { name: 'acct-b', displayName: '顾问 B' },
    { name: 'acct-off', displayName: '停用', state: 'disabled' },
    { name: 'acct-bad', displayName: '坏配置', puppet: 'wechaty-puppet-service' },
  ])
})
afterAll(async () => {
  await database.close()
})

const waitFor = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise((r) => setImmediate(r))
  }
  throw new Error('condition never held')
}

describe('Supervisor', () => {
  it('runs one Wechaty per enabled account, records logins, and survives a puppet error', async () => {
    const supervisor = new Supervisor({
      db: database.db,
      logger: silentLogger(),
      config: testConfig(),
      clock: systemClock,
    })
    await supervisor.start()
    try {
      expect([...supervisor.running.values()].map((r) => r.account.name).sort()).toEqual(['acct-a', 'acct-b'])
      const state = async (name: string) =>
        (await database.db.select().from(botAccounts).where(eq(botAccounts.name, name)))[0]!
      await waitFor(
        async () => (await state('acct-a')).state === 'online' && (await state('acct-b')).state === 'online',
      )

      // A puppet without its token cannot start; it is recorded, not thrown.
      expect((await state('acct-bad')).lastError).toMatch(/WECHATY_PUPPET_SERVICE_TOKEN/)

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
  })
})
