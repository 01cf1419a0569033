// `npm start` as a newcomer runs it: first start seeds, a restart does not, committed data survives a
// SIGKILL, and a wrong setting stops the start with one clear line.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
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

/** A loopback port nobody listens on: connections to it are refused. */
async function closedLoopbackPort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
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

  // The one long test of the suite: the promise is "healthy after two minutes", so it watches
  // the process for two minutes with the real back-off (30 s, 1 min, 2 min …).
  it(
    'with wechaty-puppet-service and a token nobody knows, and accounts whose wechat4u cannot reach its login host, stays healthy for two minutes with each account in error and retried',
    { timeout: 420_000 },
    async () => {
      // A token discovery service that knows no token (on this machine, never the real one).
      const discovery = createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end('{}')
      })
      await new Promise<void>((r) => discovery.listen(0, '127.0.0.1', r))
      const { port } = discovery.address() as AddressInfo
      // wechat4u reaches WeChat through axios, which honours HTTPS_PROXY: a loopback port nobody
      // listens on refuses every request, so nothing leaves the machine and the login host is unreachable.
      const refusing = await closedLoopbackPort()
      const s = await start({
        WECHATY_PUPPET: 'wechaty-puppet-service',
        WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_padlocal_0b5e-not-a-real-token',
        WECHATY_PUPPET_SERVICE_DISCOVERY_URL: `http://127.0.0.1:${port}/v0/hosties/`,
        HTTPS_PROXY: `http://127.0.0.1:${refusing}`,
        HTTP_PROXY: `http://127.0.0.1:${refusing}`,
        NO_PROXY: '',
        BOT_RETRY_MIN_SECONDS: '',
        BOT_RETRY_MAX_SECONDS: '',
      })
      const startedAt = Date.now()
      try {
        const login = await json(`${s.url}/api/admin/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'admin12345' }),
        })
        const auth = { authorization: `Bearer ${login.body.token}` }
        const send = (method: string, url: string, body: unknown) =>
          json(`${s.url}${url}`, {
            method,
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        // The initial password has to be changed before anything else answers.
        const changed = await send('POST', '/api/admin/me/password', {
          currentPassword: 'admin12345',
          newPassword: 'Quiet-Harbour-2026',
        })
        expect(changed.status).toBe(204)
        const listed = (await json(`${s.url}/api/admin/accounts`, { headers: auth })).body.items as any[]
        expect(listed.length).toBeGreaterThan(1)
        // An operator adds a web-protocol account, and moves a demo account from the service to wechat4u:
        // the next retry must use the new puppet.
        const added = await send('POST', '/api/admin/accounts', {
          name: 'web-counter',
          displayName: '门店网页版',
          puppet: 'wechaty-puppet-wechat4u',
        })
        expect(added.status).toBe(201)
        const moved = listed[0]!
        expect(
          (await send('PATCH', `/api/admin/accounts/${moved.id}`, { puppet: 'wechaty-puppet-wechat4u' }))
            .status,
        ).toBe(200)
        const onWechat4u = new Set([added.body.id, moved.id])

        // Two minutes of a health check every second: each one answers 200, promptly.
        let checks = 0
        while (Date.now() - startedAt < 120_000) {
          const health = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(5_000) })
          expect(health.status).toBe(200)
          checks++
          await new Promise((r) => setTimeout(r, 1_000))
        }
        expect(checks).toBeGreaterThanOrEqual(60)
        expect(s.child.exitCode).toBeNull()

        // Every account is in error with its reason and a retry ahead (polled: a retry may be under way).
        let accounts: any[] = []
        const settled = (a: any) => a.state === 'error' && Date.parse(a.retryAt) > Date.now()
        const deadline = Date.now() + 60_000
        for (;;) {
          accounts = (await json(`${s.url}/api/admin/accounts`, { headers: auth })).body.items
          if (accounts.length === listed.length + 1 && accounts.every(settled)) break
          if (Date.now() > deadline) throw new Error(`accounts not all in error: ${JSON.stringify(accounts)}`)
          await new Promise((r) => setTimeout(r, 1_000))
        }
        for (const a of accounts) {
          if (onWechat4u.has(a.id)) {
            expect(a).toMatchObject({ effectivePuppet: 'wechaty-puppet-wechat4u', state: 'error' })
            expect(a.lastError).toMatch(
              new RegExp(`未登录也未等待扫码.*ECONNREFUSED 127\\.0\\.0\\.1:${refusing}`),
            )
            // Backed off (30 s, then 1 min, …), not restarted in a storm.
            expect(a.failureCount).toBeGreaterThanOrEqual(1)
            expect(a.failureCount).toBeLessThanOrEqual(4)
          } else {
            expect(a).toMatchObject({ effectivePuppet: 'wechaty-puppet-service', state: 'error' })
            expect(a.lastError).toMatch(/token 无效/)
            expect(a.failureCount).toBeGreaterThanOrEqual(2)
            expect(a.failureCount).toBeLessThanOrEqual(4)
          }
        }
        // wechat4u's login session is kept under DATA_DIR, never in the working directory.
        expect(existsSync(path.join(dataDir, 'wechaty', 'web-counter.memory-card.json'))).toBe(true)
        expect(readdirSync(process.cwd()).filter((f) => f.endsWith('.memory-card.json'))).toEqual([])
        expect((await json(`${s.url}/healthz`)).body).toEqual({ status: 'ok', database: 'pglite' })
      } finally {
        s.child.kill('SIGTERM')
        expect(await exited(s.child)).toBe(0)
        await new Promise((r) => discovery.close(r))
      }
    },
  )

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
