// The wxacode client against a local stand-in for api.weixin.qq.com that answers as WeChat does: the
// image for a good request, a JSON errcode otherwise.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import QRCode from 'qrcode'
import { createWxacodeClient, WechatApiError } from './wxacode'

interface Seen {
  method: string
  path: string
  token: string | null
  body: Record<string, unknown>
}

let server: Server
let baseUrl: string
let validToken = 'TOKEN-1'
const published = new Set(['pages/index/index'])
const seen: Seen[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const url = new URL(req.url!, 'http://127.0.0.1')
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
      const token = url.searchParams.get('access_token')
      seen.push({ method: req.method!, path: url.pathname, token, body })
      const fail = (errcode: number, errmsg: string) => {
        // WeChat answers errors with HTTP 200 and a JSON body.
        res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' })
        res.end(JSON.stringify({ errcode, errmsg }))
      }
      if (req.method !== 'POST' || url.pathname !== '/wxa/getwxacodeunlimit') return fail(-1, 'system error')
      if (token !== validToken)
        return fail(40001, 'invalid credential, access_token is invalid or not latest')
      const scene = String(body.scene ?? '')
      if (scene.length > 32) return fail(40169, 'invalid length for scene')
      if (body.check_path !== false && body.page && !published.has(String(body.page)))
        return fail(41030, 'invalid page rid: 0')
      const png = await QRCode.toBuffer(`scene=${scene}`, { width: Number(body.width ?? 430) })
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(png)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(() => {
  seen.length = 0
  validToken = 'TOKEN-1'
})

/** A token provider like the store's: a cached token, fetched again when asked to refresh. */
function tokens(initial: string, refreshed: string) {
  const calls: boolean[] = []
  return {
    calls,
    provider: async (options?: { forceRefresh?: boolean }) => {
      calls.push(Boolean(options?.forceRefresh))
      return options?.forceRefresh ? refreshed : initial
    },
  }
}

describe('wxacode.getUnlimited', () => {
  it('posts the real request shape and returns the PNG', async () => {
    const t = tokens('TOKEN-1', 'TOKEN-1')
    const client = createWxacodeClient({ baseUrl, accessToken: t.provider })
    const image = await client.getUnlimited({ scene: 'AB23CD45', page: 'pages/index/index', width: 300 })
    expect(image.contentType).toBe('image/png')
    expect(image.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/wxa/getwxacodeunlimit',
        token: 'TOKEN-1',
        body: {
          scene: 'AB23CD45',
          page: 'pages/index/index',
          check_path: true,
          env_version: 'release',
          width: 300,
        },
      },
    ])
  })

  it('refreshes the access token once when WeChat says it is invalid', async () => {
    validToken = 'TOKEN-2'
    const t = tokens('TOKEN-1', 'TOKEN-2')
    const client = createWxacodeClient({ baseUrl, accessToken: t.provider })
    const image = await client.getUnlimited({
      scene: 'AB23CD45',
      page: 'pages/index/index',
      envVersion: 'trial',
    })
    expect(image.body.length).toBeGreaterThan(100)
    expect(t.calls).toEqual([false, true])
    expect(seen.map((s) => s.token)).toEqual(['TOKEN-1', 'TOKEN-2'])
    expect(seen[1]!.body.env_version).toBe('trial')
  })

  it('gives up after one refresh', async () => {
    validToken = 'TOKEN-3'
    const client = createWxacodeClient({ baseUrl, accessToken: tokens('TOKEN-1', 'TOKEN-2').provider })
    const err = await client.getUnlimited({ scene: 'AB23CD45' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WechatApiError)
    expect(err).toMatchObject({ errcode: 40001, status: 502 })
    expect(seen).toHaveLength(2)
  })

  it('reports WeChat’s errcode with a message operators understand', async () => {
    const client = createWxacodeClient({ baseUrl, accessToken: tokens('TOKEN-1', 'TOKEN-1').provider })
    const err = await client
      .getUnlimited({ scene: 'AB23CD45', page: 'pages/missing/missing' })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'wechat_api_error',
      errcode: 41030,
      message: '生成小程序码失败：页面不存在或未发布',
    })
  })

  it('refuses a scene WeChat would refuse without calling it', async () => {
    const client = createWxacodeClient({ baseUrl, accessToken: tokens('TOKEN-1', 'TOKEN-1').provider })
    await expect(client.getUnlimited({ scene: 'x'.repeat(33) })).rejects.toMatchObject({
      code: 'invalid_scene',
      status: 400,
    })
    await expect(client.getUnlimited({ scene: '推荐码' })).rejects.toMatchObject({ code: 'invalid_scene' })
    await expect(client.getUnlimited({ scene: 'OK', width: 100 })).rejects.toMatchObject({
      code: 'invalid_width',
    })
    expect(seen).toEqual([])
  })

  it('an unreachable server is a clear 502, not a crash', async () => {
    const client = createWxacodeClient({
      baseUrl: 'http://127.0.0.1:9',
      accessToken: tokens('T', 'T').provider,
      timeoutMs: 2000,
    })
    await expect(client.getUnlimited({ scene: 'AB23CD45' })).rejects.toMatchObject({
      status: 502,
      errcode: -1,
    })
  })
})
