// The server's side of the console: `/` sends operators to it, app routes fall back to index.html,
// hashed assets are cached and sent gzipped, nothing outside the build is reachable, and while the
// build is missing a page says it is being prepared. Also: when a build counts as out of date.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { hashInputs, isBuildFresh, MANIFEST_NAME } from '../console/build/input-manifest'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'

const dir = mkdtempSync(path.join(tmpdir(), 'sup-console-'))
const dist = path.join(dir, 'dist')
const script = `console.log(${JSON.stringify('运营后台'.repeat(300))})`
let database: Database
let app: TestApp
let unbuilt: TestApp

beforeAll(async () => {
  mkdirSync(path.join(dist, 'assets'), { recursive: true })
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>')
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), script)
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js.gz'), gzipSync(script))
  writeFileSync(path.join(dist, MANIFEST_NAME), '{}')
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser')
  database = await testDatabase()
  app = await startTestApp(database, { consoleDir: dist })
  unbuilt = await startTestApp(database, { consoleDir: path.join(dir, 'missing') })
})
afterAll(async () => {
  await app.close()
  await unbuilt.close()
  await database.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('serving the console', () => {
  it('redirects / and /console to /console/', async () => {
    for (const from of ['/', '/console']) {
      const res = await fetch(app.url + from, { redirect: 'manual' })
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe('/console/')
    }
  })

  it("answers the app's own routes with index.html, never cached", async () => {
    for (const route of ['/console/', '/console/members/42', '/console/login']) {
      const res = await app.request('GET', route)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.text).toContain('<div id="root">')
    }
  })

  it('sends hashed assets gzipped when the browser accepts it, cached for a year', async () => {
    const gz = await fetch(`${app.url}/console/assets/index-abc123.js`, {
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gz.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await gz.text()).toBe(script) // fetch decompresses
    const plain = await fetch(`${app.url}/console/assets/index-abc123.js`, {
      headers: { 'accept-encoding': 'identity' },
    })
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(Number(plain.headers.get('content-length'))).toBe(Buffer.byteLength(script))
    const head = await fetch(`${app.url}/console/assets/index-abc123.js`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'identity' },
    })
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(script))
  })

  it('answers 404 for a missing asset, dot files and anything outside the build', async () => {
    for (const p of [
      '/console/assets/gone.js',
      `/console/${MANIFEST_NAME}`,
      '/console/..%2fsecret.txt',
      '/console/%2e%2e/secret.txt',
    ]) {
      const res = await app.request('GET', p)
      expect(res.status, p).toBe(404)
      expect(res.text).not.toContain('not for the browser')
    }
    expect((await app.request('GET', '/console/%E0%A4%A')).status).toBe(400)
  })

  it('leaves the API alone', async () => {
    expect((await app.request('GET', '/healthz')).status).toBe(200)
    expect((await app.request('GET', '/api/admin/reports/funnel')).status).toBe(401)
  })

  it('says the console is being prepared while there is no build, and refreshes itself', async () => {
    const res = await unbuilt.request('GET', '/console/')
    expect(res.status).toBe(503)
    expect(res.text).toContain('运营后台正在构建')
    expect(res.text).toContain('http-equiv="refresh"')
  })
})

describe('when the console needs a build', () => {
  it('is fresh only while every recorded input is unchanged', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sup-fresh-'))
    try {
      const out = path.join(root, 'dist')
      mkdirSync(out)
      writeFileSync(path.join(root, 'app.tsx'), 'export const a = 1')
      expect(isBuildFresh(root, out)).toBe(false) // nothing built
      writeFileSync(path.join(out, 'index.html'), '<html>')
      const files = ['app.tsx', 'gone.ts']
      writeFileSync(
        path.join(out, MANIFEST_NAME),
        JSON.stringify({ version: 1, files, hash: hashInputs(root, files) }),
      )
      expect(isBuildFresh(root, out)).toBe(true)
      writeFileSync(path.join(root, 'app.tsx'), 'export const a = 2')
      expect(isBuildFresh(root, out)).toBe(false) // a source changed
      writeFileSync(path.join(root, 'app.tsx'), 'export const a = 1')
      expect(isBuildFresh(root, out)).toBe(true)
      writeFileSync(path.join(root, 'gone.ts'), '')
      expect(isBuildFresh(root, out)).toBe(false) // a file that was missing appeared
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
