// Product photos uploaded by operators, kept on the server's own disk (DATA_DIR/uploads by default) and
// served at /uploads/<name>. A photo is sent as the raw request body with its image type; the server
// checks the type against the file's first bytes and the size, and names the file by its content, so
// uploading the same photo twice keeps one file.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Middleware } from 'koa'
import { DomainError } from '../../shared/errors'
import type { AppState } from '../deps'

export const UPLOAD_PREFIX = '/uploads'
/** Largest photo accepted. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024

const kinds = {
  'image/jpeg': {
    ext: '.jpg',
    magic: (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  'image/png': {
    ext: '.png',
    magic: (b: Buffer) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'image/webp': {
    ext: '.webp',
    magic: (b: Buffer) =>
      b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
} as const
type ImageType = keyof typeof kinds
const byExt = new Map<string, string>(Object.entries(kinds).map(([type, k]) => [k.ext, type]))

export const uploadDir = (dataDir: string) => path.resolve(dataDir, 'uploads')

const refuse = (status: number, code: string, message: string) =>
  new DomainError(code, message, status, [{ path: 'file', message }])

/** Read the request body as one image: 415 for another type, 413 past the limit, 400 when the bytes are not that type. */
export async function readImage(ctx: {
  get(name: string): string
  req: NodeJS.ReadableStream
}): Promise<{ type: ImageType; bytes: Buffer }> {
  const type = ctx.get('content-type').split(';')[0]!.trim().toLowerCase()
  if (!(type in kinds)) throw refuse(415, 'image_type_unsupported', '只能上传 JPG、PNG 或 WebP 图片')
  const declared = Number(ctx.get('content-length') || 0)
  if (declared > MAX_IMAGE_BYTES) throw refuse(413, 'image_too_large', '图片不能超过 5MB')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    size += buf.length
    if (size > MAX_IMAGE_BYTES) throw refuse(413, 'image_too_large', '图片不能超过 5MB')
    chunks.push(buf)
  }
  const bytes = Buffer.concat(chunks)
  if (bytes.length === 0) throw refuse(400, 'image_empty', '请选择要上传的图片')
  if (!kinds[type as ImageType].magic(bytes))
    throw refuse(400, 'image_content_mismatch', '文件内容不是有效的图片')
  return { type: type as ImageType, bytes }
}

/** Keep an image under its content hash; answers the URL it is served at. */
export async function storeImage(dataDir: string, image: { type: ImageType; bytes: Buffer }) {
  const dir = uploadDir(dataDir)
  await mkdir(dir, { recursive: true })
  const name = `${createHash('sha256').update(image.bytes).digest('hex').slice(0, 32)}${kinds[image.type].ext}`
  const file = path.join(dir, name)
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(temp, image.bytes)
  await rename(temp, file)
  return { url: `${UPLOAD_PREFIX}/${name}`, bytes: image.bytes.length, contentType: image.type }
}

const NAME = /^[0-9a-f]{32}\.(jpg|png|webp)$/

/** Serves stored images at /uploads/<name>; names are content hashes, so they are cached for a year. */
export function serveUploads(dataDir: string): Middleware<AppState> {
  const dir = uploadDir(dataDir)
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(`${UPLOAD_PREFIX}/`))
      return next()
    const name = ctx.path.slice(UPLOAD_PREFIX.length + 1)
    const file = path.join(dir, name)
    const size = NAME.test(name)
      ? await stat(file).then(
          (s) => (s.isFile() ? s.size : null),
          () => null,
        )
      : null
    if (size === null) {
      ctx.status = 404
      ctx.body = { error: { code: 'not_found', message: '图片不存在' } }
      return
    }
    ctx.type = byExt.get(path.extname(name))!
    ctx.length = size
    ctx.set('cache-control', 'public, max-age=31536000, immutable')
    ctx.body = createReadStream(file)
  }
}
