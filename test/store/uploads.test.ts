// Product photo uploads through the real app: stored under DATA_DIR by content, served back with their
// type; another file type, bytes that are not the declared image, an empty body or more than 5 MB
// are refused naming the file, and store staff may not upload.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../shared/db/client'
import { startTestApp, type TestApp } from '../support/app'
import { testConfig } from '../support/config'
import { testDatabase } from '../support/db'
import { operatorToken } from '../support/factories'

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)])

let database: Database
let app: TestApp
let dataDir: string
let token: string

async function upload(body: Buffer, type: string, as = token) {
  const res = await fetch(`${app.url}/api/admin/uploads/images`, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${as}` },
    body,
  })
  return { status: res.status, body: (await res.json()) as any }
}

beforeAll(async () => {
  database = await testDatabase()
  dataDir = mkdtempSync(path.join(tmpdir(), 'uploads-test-'))
  app = await startTestApp(database, { config: testConfig({ DATA_DIR: dataDir }) })
  token = await operatorToken(database.db, 'operator')
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('image uploads', () => {
  it('stores a PNG and a JPEG by their content and serves them back; the same photo twice is one file', async () => {
    const png = await upload(PNG, 'image/png')
    expect(png.status).toBe(201)
    expect(png.body).toMatchObject({ bytes: PNG.length, contentType: 'image/png' })
    expect(png.body.url).toMatch(/^\/uploads\/[0-9a-f]{32}\.png$/)
    expect((await upload(PNG, 'image/png')).body.url).toBe(png.body.url)
    const jpeg = await upload(JPEG, 'image/jpeg')
    expect(jpeg.body.url).toMatch(/\.jpg$/)
    expect(readdirSync(path.join(dataDir, 'uploads')).sort()).toEqual(
      [path.basename(png.body.url), path.basename(jpeg.body.url)].sort(),
    )
    const served = await fetch(app.url + png.body.url)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true)
    expect((await fetch(`${app.url}/uploads/../../package.json`)).status).toBe(404)
    expect((await fetch(`${app.url}/uploads/${'0'.repeat(32)}.png`)).status).toBe(404)
  })

  it('refuses another type, bytes that are not the image declared, an empty body and more than 5 MB', async () => {
    const before = readdirSync(path.join(dataDir, 'uploads')).length
    const text = await upload(Buffer.from('hello'), 'text/plain')
    expect(text.status).toBe(415)
    expect(text.body.error.fields).toEqual([{ path: 'file', message: '只能上传 JPG、PNG 或 WebP 图片' }])
    const disguised = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png')
    expect(disguised.status).toBe(400)
    expect(disguised.body.error.code).toBe('image_content_mismatch')
    expect((await upload(JPEG, 'image/png')).status).toBe(400)
    expect((await upload(Buffer.alloc(0), 'image/png')).body.error.code).toBe('image_empty')
    const huge = await upload(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), 'image/png')
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('image_too_large')
    expect(readdirSync(path.join(dataDir, 'uploads'))).toHaveLength(before)
  })

  it('is refused to store staff', async () => {
    const staff = await operatorToken(database.db, 'staff')
    expect((await upload(PNG, 'image/png', staff)).status).toBe(403)
  })
})
