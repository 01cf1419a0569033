// The official account's message push, as WeChat speaks it: the SHA-1 signatures of the URL check and
// of each push, the safe mode's AES-256-CBC envelope (key = base64 of the 43-character EncodingAESKey,
// IV = its first 16 bytes, PKCS#7 padded to 32-byte blocks, plaintext = 16 random bytes · 4-byte length
// · message · appid), and the XML of pushes and passive replies. Pure: no database, no clock of its own.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser'
import { z } from 'zod'

/** Why a push is refused; the route turns each into its HTTP status. */
export type OaPushProblem =
  'bad_signature' | 'stale_timestamp' | 'bad_xml' | 'bad_ciphertext' | 'wrong_appid' | 'unsupported_message'

export class OaPushError extends Error {
  constructor(
    readonly problem: OaPushProblem,
    message: string,
  ) {
    super(message)
    this.name = 'OaPushError'
  }
}

const BLOCK = 32

/** SHA-1 of the sorted, concatenated parts: `signature` (token, timestamp, nonce) and `msg_signature` (+ Encrypt). */
export function oaSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
}

/** Constant-time comparison of a signature WeChat sent with the one we compute. */
export function signatureMatches(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(given.toLowerCase()), Buffer.from(expected))
}

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey))
    throw new Error('EncodingAESKey must be 43 characters of base64')
  return Buffer.from(`${encodingAesKey}=`, 'base64')
}

/** Encrypt a message for the official account `appid`. `random` (16 bytes) is only fixed by tests. */
export function encryptOaMessage(key: Buffer, appid: string, message: string, random?: Buffer): string {
  const text = Buffer.from(message, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(text.length)
  const plain = Buffer.concat([random ?? randomBytes(16), length, text, Buffer.from(appid, 'utf8')])
  const pad = BLOCK - (plain.length % BLOCK)
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64')
}

/** Decrypt a safe-mode `Encrypt` field; the appid inside must be ours. */
export function decryptOaMessage(key: Buffer, appid: string, encrypted: string): string {
  const data = Buffer.from(encrypted, 'base64')
  if (data.length === 0 || data.length % 16 !== 0) throw new OaPushError('bad_ciphertext', '密文长度不正确')
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
    decipher.setAutoPadding(false)
    plain = Buffer.concat([decipher.update(data), decipher.final()])
  } catch {
    throw new OaPushError('bad_ciphertext', '密文无法解密')
  }
  const pad = plain[plain.length - 1]!
  if (
    pad < 1 ||
    pad > BLOCK ||
    pad > plain.length ||
    !plain.subarray(plain.length - pad).every((b) => b === pad)
  )
    throw new OaPushError('bad_ciphertext', '密文填充不正确')
  const body = plain.subarray(16, plain.length - pad)
  if (body.length < 4) throw new OaPushError('bad_ciphertext', '密文内容不完整')
  const length = body.readUInt32BE(0)
  if (4 + length > body.length) throw new OaPushError('bad_ciphertext', '密文长度字段不正确')
  const from = body.subarray(4 + length).toString('utf8')
  if (from !== appid) throw new OaPushError('wrong_appid', '消息不属于本公众号（AppID 不一致）')
  return body.subarray(4, 4 + length).toString('utf8')
}

const parser = new XMLParser({
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
})
const builder = new XMLBuilder({ cdataPropName: '#cdata' })

/** The fields of a push's `<xml>` root, every value as its text (MsgId exceeds 2^53: never a number). */
export function parseOaXml(text: string): Record<string, string> {
  if (!text.trim() || /<!DOCTYPE|<!ENTITY/i.test(text) || XMLValidator.validate(text) !== true)
    throw new OaPushError('bad_xml', '消息不是合法的 XML')
  const root = (parser.parse(text) as { xml?: unknown }).xml
  if (!root || typeof root !== 'object') throw new OaPushError('bad_xml', '消息缺少 <xml> 根元素')
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (typeof value === 'string') fields[name] = value
    // Nested elements (ScanCodeInfo, SendPicsInfo…) are not read by this system.
  }
  return fields
}

/** A passive reply or an envelope: every text value in CDATA, numbers as they are. */
export function buildOaXml(fields: Record<string, string | number>): string {
  const root: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields))
    root[name] = typeof value === 'number' ? value : { '#cdata': value }
  return builder.build({ xml: root }) as string
}

const text = z.string().min(1)
const base = {
  ToUserName: text,
  FromUserName: text,
  CreateTime: z.string().regex(/^\d{1,12}$/),
}

const textPushSchema = z.object({
  ...base,
  MsgType: z.literal('text'),
  Content: z.string(),
  MsgId: z.string().regex(/^\d+$/),
})
const eventPushSchema = z.object({
  ...base,
  MsgType: z.literal('event'),
  Event: z.string().min(1),
  EventKey: z.string().optional(),
  Ticket: z.string().optional(),
  UnionId: z.string().optional(),
})
const otherPushSchema = z.object({ ...base, MsgType: z.string().min(1), MsgId: z.string().optional() })

/** The pushes this system acts on (text, events); any other kind is acknowledged and stored as it is. */
export type OaPush =
  | z.infer<typeof textPushSchema>
  | z.infer<typeof eventPushSchema>
  | (z.infer<typeof otherPushSchema> & { MsgType: Exclude<string, 'text' | 'event'> })

export function toOaPush(fields: Record<string, string>): OaPush {
  const schema =
    fields.MsgType === 'text'
      ? textPushSchema
      : fields.MsgType === 'event'
        ? eventPushSchema
        : otherPushSchema
  const parsed = schema.safeParse(fields)
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || '(root)'
    throw new OaPushError('unsupported_message', `消息字段不正确：${field}`)
  }
  return parsed.data as OaPush
}

/** Query parameters WeChat adds to every GET and POST it sends to the server URL. */
export const oaPushQuerySchema = z.object({
  signature: z.string().optional(),
  timestamp: z.string().regex(/^\d{1,12}$/, '必须是秒级时间戳'),
  nonce: z.string().min(1).max(64),
  echostr: z.string().optional(),
  openid: z.string().optional(),
  encrypt_type: z.enum(['raw', 'aes']).optional(),
  msg_signature: z.string().optional(),
})
export type OaPushQuery = z.infer<typeof oaPushQuerySchema>

export interface OaPushSecrets {
  token: string
  appid: string
  /** The 32-byte key of the EncodingAESKey; needed in safe mode only. */
  aesKey?: Buffer
}

/** How far a push's timestamp may be from now: WeChat's three retries all fall well within it. */
export const MAX_CLOCK_SKEW_S = 300

function assertFresh(timestamp: string, now: Date): void {
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S)
    throw new OaPushError('stale_timestamp', '时间戳已过期，疑似重放的请求')
}

/** The URL check of 服务器配置: the signature over (token, timestamp, nonce); answer echostr as it is. */
export function verifyOaUrl(secrets: OaPushSecrets, query: OaPushQuery): string {
  if (!signatureMatches(query.signature, oaSignature(secrets.token, query.timestamp, query.nonce)))
    throw new OaPushError('bad_signature', '签名不正确')
  if (query.echostr === undefined) throw new OaPushError('unsupported_message', '缺少 echostr')
  return query.echostr
}

export interface OpenedPush {
  push: OaPush
  /** The decrypted (or plain) XML fields, as received. */
  fields: Record<string, string>
  encrypted: boolean
}

/**
 * Check and open a POSTed push. Plain mode: `signature` over (token, timestamp, nonce). Safe mode
 * (`encrypt_type=aes`): `msg_signature` over (token, timestamp, nonce, Encrypt), then decrypt and check
 * the appid. Either way the timestamp must be within MAX_CLOCK_SKEW_S of `now`.
 */
export function openOaPush(secrets: OaPushSecrets, query: OaPushQuery, body: string, now: Date): OpenedPush {
  const envelope = parseOaXml(body)
  if (query.encrypt_type === 'aes') {
    if (!secrets.aesKey) throw new OaPushError('unsupported_message', '未配置 EncodingAESKey，无法解密')
    const encrypt = envelope.Encrypt
    if (!encrypt) throw new OaPushError('bad_xml', '安全模式的消息缺少 Encrypt')
    const expected = oaSignature(secrets.token, query.timestamp, query.nonce, encrypt)
    if (!signatureMatches(query.msg_signature, expected)) throw new OaPushError('bad_signature', '签名不正确')
    assertFresh(query.timestamp, now)
    const fields = parseOaXml(decryptOaMessage(secrets.aesKey, secrets.appid, encrypt))
    return { push: toOaPush(fields), fields, encrypted: true }
  }
  if (!signatureMatches(query.signature, oaSignature(secrets.token, query.timestamp, query.nonce)))
    throw new OaPushError('bad_signature', '签名不正确')
  assertFresh(query.timestamp, now)
  return { push: toOaPush(envelope), fields: envelope, encrypted: false }
}

/** A passive text reply to the sender of `push`. */
export function oaTextReply(push: OaPush, content: string, now: Date): string {
  return buildOaXml({
    ToUserName: push.FromUserName,
    FromUserName: push.ToUserName,
    CreateTime: Math.floor(now.getTime() / 1000),
    MsgType: 'text',
    Content: content,
  })
}

/** The safe-mode envelope of a reply: Encrypt, MsgSignature, TimeStamp, Nonce. */
export function sealOaReply(
  secrets: Required<OaPushSecrets>,
  reply: string,
  timestamp: string,
  nonce: string,
  random?: Buffer,
): string {
  const encrypt = encryptOaMessage(secrets.aesKey, secrets.appid, reply, random)
  return buildOaXml({
    Encrypt: encrypt,
    MsgSignature: oaSignature(secrets.token, timestamp, nonce, encrypt),
    TimeStamp: Number(timestamp),
    Nonce: nonce,
  })
}
