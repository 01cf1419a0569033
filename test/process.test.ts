// `npm start` as a newcomer runs it: first start seeds, a restart does not, committed data survives a
// SIGKILL, and a wrong setting stops the start with one clear line.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const dataDir = mkdtempSync(path.join(tmpdir(), 'sup-start-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

interface Started {
  child: ChildProcess
  url: string
  output: () => string
}

function start(env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
    env: {
      ...process.env,
      TEST_DATABASE_URL: '',
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    const poll = setInterval(() => {
      const m = /已启动: (http:\/\/\S+)/.exec(out)
      if (m) {
        clearInterval(poll)
        child.removeAllListeners('exit')
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => out })
      }
    }, 50)
  })
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))))

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init)
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any }
}

// Generous limits: a start migrates and seeds a whole demo brand, and CI machines may be busy.
describe('npm start', { timeout: 300_000 }, () => {
  let token = ''

  it('starts on an empty data directory, seeds the demo brand and answers /healthz', async () => {
    const s = await start()
    try {
      expect((await json(`${s.url}/healthz`)).body).toEqual({ status: 'ok', database: 'pglite' })
      expect(s.output()).toMatch(/demo brand seeded/)
      const login = await json(`${s.url}/api/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin12345' }),
      })
      expect(login.status).toBe(200)
      token = login.body.token
    } finally {
      s.child.kill('SIGINT')
      expect(await exited(s.child)).toBe(0)
    }
    expect(s.output()).toMatch(/stopped cleanly/)
  })

  it('does not seed again on the next start, and keeps what was committed before a SIGKILL', async () => {
    const s = await start()
    expect(s.output()).not.toMatch(/demo brand seeded/)
    expect(
      (await json(`${s.url}/api/admin/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200)
    // A second session, committed, then the process is killed without any chance to shut down.
    const login = await json(`${s.url}/api/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin12345' }),
    })
    expect(login.status).toBe(200)
    s.child.kill('SIGKILL')
    await exited(s.child)

    const again = await start()
    try {
      const me = await json(`${again.url}/api/admin/me`, {
        headers: { authorization: `Bearer ${login.body.token}` },
      })
      expect(me.status).toBe(200)
      expect(me.body.username).toBe('admin')
      expect(again.output()).not.toMatch(/demo brand seeded/)
    } finally {
      again.child.kill('SIGTERM')
      expect(await exited(again.child)).toBe(0)
    }
  })

  it('with wechaty-puppet-service and a token nobody knows, stays healthy and shows each account in error', async () => {
    // A token discovery service that knows no token (on this machine, never the real one).
    const discovery = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{}')
    })
    await new Promise<void>((r) => discovery.listen(0, '127.0.0.1', r))
    const { port } = discovery.address() as AddressInfo
    const s = await start({
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_padlocal_0b5e-not-a-real-token',
      WECHATY_PUPPET_SERVICE_DISCOVERY_URL: `http://127.0.0.1:${port}/v0/hosties/`,
      // The 30 s → 30 min back-off, shortened so the test sees several retries.
      BOT_RETRY_MIN_SECONDS: '0.2',
      BOT_RETRY_MAX_SECONDS: '1',
    })
    try {
      const login = await json(`${s.url}/api/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin12345' }),
      })
      const auth = { headers: { authorization: `Bearer ${login.body.token}` } }
      // The initial password has to be changed before anything else answers.
      const changed = await json(`${s.url}/api/admin/me/password`, {
        method: 'POST',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'admin12345', newPassword: 'Quiet-Harbour-2026' }),
      })
      expect(changed.status).toBe(204)
      // Every demo account follows WECHATY_PUPPET, fails, and keeps being retried; the process lives on.
      let accounts: any[] = []
      const deadline = Date.now() + 120_000
      for (;;) {
        expect((await json(`${s.url}/healthz`)).status).toBe(200)
        accounts = (await json(`${s.url}/api/admin/accounts`, auth)).body.items
        if (accounts.length > 0 && accounts.every((a) => a.state === 'error' && a.failureCount >= 3)) break
        if (Date.now() > deadline) throw new Error(`accounts never all in error: ${JSON.stringify(accounts)}`)
        await new Promise<void>((resolve) => s.child.stdout!.once('data', () => resolve()))
      }
      for (const a of accounts) {
        expect(a).toMatchObject({ effectivePuppet: 'wechaty-puppet-service', state: 'error' })
        expect(a.lastError).toMatch(/token 无效/)
        expect(Date.parse(a.retryAt)).toBeGreaterThan(0)
      }
      expect(s.child.exitCode).toBeNull()
      expect((await json(`${s.url}/healthz`)).body).toEqual({ status: 'ok', database: 'pglite' })
    } finally {
      s.child.kill('SIGTERM')
      expect(await exited(s.child)).toBe(0)
      await new Promise((r) => discovery.close(r))
    }
  })

  it('a wrong configuration value stops the start with one line naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr!.on('data', (d) => (err += d))
    expect(await exited(child)).toBe(78)
    expect(err.trim().split('\n')).toEqual([expect.stringMatching(/^configuration error: PORT .*eighty/)])
  })
})
