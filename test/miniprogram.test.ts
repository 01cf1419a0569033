// The mini-program's integrity without WeChat: the project opens in WeChat DevTools as-is (config,
// every page's four files), every endpoint it calls exists in the server's OpenAPI document, the share
// page the server points to exists, and no source file reaches outside miniprogram/ at run time.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../shared/db/client'
import { MINIPROGRAM_HOME } from '../shared/referral/share-codes'
import { endpoints, fillPath } from '../miniprogram/utils/endpoints'
import { PACKAGE_LIMIT_BYTES, miniprogramSizes } from '../cli/mp-size'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'

const root = path.resolve(__dirname, '../miniprogram')
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(full)
    return full.endsWith('.ts') ? [full] : []
  })
}

describe('mini-program project', () => {
  const app = readJson('app.json') as {
    pages: string[]
    subpackages?: { root: string; pages: string[] }[]
    tabBar?: { list: { pagePath: string }[] }
  }
  const allPages = app.pages.concat(
    (app.subpackages ?? []).flatMap((s) => s.pages.map((p) => `${s.root.replace(/\/$/, '')}/${p}`)),
  )

  it('is a TypeScript mini-program project WeChat DevTools opens as-is', () => {
    const project = readJson('project.config.json')
    expect(project.compileType).toBe('miniprogram')
    expect(project.appid).toBe('touristappid')
    expect(project.setting.useCompilerPlugins).toEqual(['typescript'])
    for (const file of ['app.ts', 'app.wxss', 'sitemap.json', 'tsconfig.json']) {
      expect(existsSync(path.join(root, file)), file).toBe(true)
    }
  })

  it('has the four files of every page listed in app.json, and valid page JSON', () => {
    expect(allPages.length).toBeGreaterThanOrEqual(18)
    for (const page of allPages) {
      for (const ext of ['ts', 'wxml', 'wxss', 'json']) {
        expect(existsSync(path.join(root, `${page}.${ext}`)), `${page}.${ext}`).toBe(true)
      }
      expect(() => readJson(`${page}.json`), `${page}.json`).not.toThrow()
      expect(readFileSync(path.join(root, `${page}.ts`), 'utf8')).toMatch(/\bPage\(/)
    }
    for (const tab of app.tabBar?.list ?? []) expect(app.pages).toContain(tab.pagePath)
  })

  it('opens the page the server puts in share links and mini-program codes', () => {
    expect(app.pages).toContain(MINIPROGRAM_HOME)
  })

  it('navigates only to pages that exist', () => {
    const targets = sourceFiles(root).flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(/url: [`'"]\/((?:pages|packages\/[\w-]+)\/[\w-]+\/[\w-]+)/g),
      ].map((m) => m[1]!),
    )
    expect(targets.length).toBeGreaterThan(10)
    for (const target of targets) expect(allPages, target).toContain(target)
    // Links kept as data (the member card's menu) point at pages too.
    const links = sourceFiles(root).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/url: '\/((?:pages|packages)\/[\w/-]+)'/g)].map((m) => m[1]!),
    )
    for (const link of links) expect(allPages, link).toContain(link)
  })

  it("keeps the main package and each subpackage under WeChat's 2 MB", () => {
    const sizes = miniprogramSizes()
    expect(sizes.main).toBeGreaterThan(20_000)
    expect(sizes.main).toBeLessThan(PACKAGE_LIMIT_BYTES)
    for (const [name, bytes] of Object.entries(sizes.subpackages)) {
      expect(bytes, name).toBeGreaterThan(0)
      expect(bytes, name).toBeLessThan(PACKAGE_LIMIT_BYTES)
    }
  })

  it('asks for the privacy authorization WeChat requires before the phone number', () => {
    expect((app as Record<string, unknown>).__usePrivacyCheck__).toBe(true)
    expect(readFileSync(path.join(root, 'app.ts'), 'utf8')).toContain('watchPrivacyAuthorization()')
  })

  it('imports nothing outside miniprogram/ at run time (WeChat DevTools cannot resolve it)', () => {
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[2]!
        expect(spec.startsWith('.'), `${file}: ${spec} is not a relative import`).toBe(true)
        const resolved = path.resolve(path.dirname(file), spec)
        if (!m[1]) expect(resolved.startsWith(root + path.sep), `${file}: ${spec}`).toBe(true)
      }
    }
  })

  it('calls every endpoint in its list somewhere', () => {
    const code = sourceFiles(root)
      .filter((f) => !f.endsWith('endpoints.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    for (const name of Object.keys(endpoints)) {
      expect(code.includes(`'${name}'`), `endpoint ${name} is never called`).toBe(true)
    }
  })

  it('fills path parameters', () => {
    expect(fillPath(endpoints.payOrder.path, { orderNo: 'D20240501' })).toBe('/api/mp/orders/D20240501/pay')
    expect(() => fillPath(endpoints.product.path)).toThrow()
  })
})

describe('mini-program endpoints against the server', () => {
  let database: Database
  let server: TestApp

  beforeAll(async () => {
    database = await testDatabase()
    server = await startTestApp(database)
  })

  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('exist in the OpenAPI document with the same method and path', async () => {
    const res = await server.request<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
    )
    expect(res.status).toBe(200)
    const available = new Set(
      Object.entries(res.body.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      ),
    )
    const missing = Object.values(endpoints)
      .map((e) => `${e.method} ${e.path}`)
      .filter((key) => !available.has(key))
    expect(missing).toEqual([])
    // Logging in and what a visitor may read take no token; everything else requires the member's.
    const open = [
      'login',
      'demoLogin',
      'categories',
      'products',
      'product',
      'flashSales',
      'groupBuys',
      'joinableGroups',
      'group',
      'memberships',
    ]
    for (const [name, e] of Object.entries(endpoints)) {
      const op = res.body.paths[e.path]![e.method.toLowerCase()] as { security?: unknown[] }
      expect((op.security ?? []).length > 0, name).toBe(!open.includes(name))
    }
  })
})
