// WeChat Pay API v3 cryptography with node:crypto: SHA256-RSA2048 request signatures (the Authorization
// header), the mini-program's requestPayment paySign, verification of WeChat's signed responses and
// callbacks against the platform certificate or public key named by Wechatpay-Serial, and the
// AEAD_AES_256_GCM resource encryption of callbacks.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048'

/** Base64 SHA256withRSA (PKCS#1 v1.5) signature of a message. */
export function signSha256Rsa(message: string, privateKey: KeyObject | string): string {
  return createSign('RSA-SHA256').update(message).sign(privateKey, 'base64')
}

export function verifySha256Rsa(message: string, signature: string, publicKey: KeyObject): boolean {
  if (!signature || !/^[A-Za-z0-9+/]+=*$/.test(signature)) return false
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKey, signature, 'base64')
  } catch {
    return false
  }
}

/** A 32-character random string for nonce_str / nonceStr. */
export const newNonce = () => randomBytes(16).toString('hex').toUpperCase()

export interface AesGcmResource {
  ciphertext: string
  nonce: string
  associatedData: string
}

/** AES-GCM by key size, as WeChat's own SDKs do; the APIv3 key itself is always 32 bytes (AES-256). */
function gcmAlgorithm(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  if (key.length === 16) return 'aes-128-gcm'
  if (key.length === 24) return 'aes-192-gcm'
  if (key.length === 32) return 'aes-256-gcm'
  throw new Error('Invalid key length')
}

/** Decrypt a callback resource: base64 ciphertext whose last 16 bytes are the GCM tag. Throws when forged. */
export function decryptAesGcm(apiV3Key: string, resource: AesGcmResource): string {
  const data = Buffer.from(resource.ciphertext, 'base64')
  if (data.length < 16) throw new Error('ciphertext shorter than its authentication tag')
  const key = Buffer.from(apiV3Key, 'utf8')
  const decipher = createDecipheriv(gcmAlgorithm(key), key, Buffer.from(resource.nonce, 'utf8'))
  decipher.setAuthTag(data.subarray(data.length - 16))
  decipher.setAAD(Buffer.from(resource.associatedData ?? '', 'utf8'))
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    'utf8',
  )
}

/** The inverse of decryptAesGcm (WeChat's side; used by the local WeChat server and tests). */
export function encryptAesGcm(
  apiV3Key: string,
  plaintext: string,
  nonce: string,
  associatedData: string,
): string {
  const key = Buffer.from(apiV3Key, 'utf8')
  const cipher = createCipheriv(gcmAlgorithm(key), key, Buffer.from(nonce, 'utf8'))
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64')
}

export interface MerchantCredentials {
  mchid: string
  /** Serial number of the merchant API certificate. */
  serialNo: string
  privateKey: KeyObject
}

/** The Authorization header of a merchant request: signs method, path with query, time, nonce and body. */
export function authorizationHeader(
  merchant: MerchantCredentials,
  request: { method: string; url: string; body: string; timestamp: number; nonce: string },
): string {
  const message = `${request.method.toUpperCase()}\n${request.url}\n${request.timestamp}\n${request.nonce}\n${request.body}\n`
  const signature = signSha256Rsa(message, merchant.privateKey)
  return (
    `${AUTH_SCHEMA} mchid="${merchant.mchid}",nonce_str="${request.nonce}",signature="${signature}",` +
    `timestamp="${request.timestamp}",serial_no="${merchant.serialNo}"`
  )
}

/** Parse an Authorization header back into its fields (the local WeChat server checks merchants with it). */
export function parseAuthorization(header: string): Record<string, string> | null {
  if (!header.startsWith(`${AUTH_SCHEMA} `)) return null
  const fields: Record<string, string> = {}
  for (const m of header.slice(AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) fields[m[1]!] = m[2]!
  return fields
}

export interface RequestPaymentParams {
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA'
  paySign: string
}

/** What the mini-program passes to wx.requestPayment for a JSAPI prepay id. */
export function requestPaymentParams(
  input: { appId: string; prepayId: string; privateKey: KeyObject },
  timestamp: number,
  nonce: string,
): RequestPaymentParams {
  const pkg = `prepay_id=${input.prepayId}`
  return {
    timeStamp: String(timestamp),
    nonceStr: nonce,
    package: pkg,
    signType: 'RSA',
    paySign: signSha256Rsa(`${input.appId}\n${timestamp}\n${nonce}\n${pkg}\n`, input.privateKey),
  }
}

/**
 * WeChat Pay's verification keys by the serial it puts in Wechatpay-Serial: platform certificates
 * (serial = the certificate's serial number) and/or the platform public key (serial = its PUB_KEY_ID).
 */
export class PlatformKeys {
  private readonly keys = new Map<string, KeyObject>()

  add(serial: string, key: KeyObject): this {
    this.keys.set(serial.toUpperCase(), key)
    return this
  }

  /** A PEM holding a CERTIFICATE (serial read from it) or a PUBLIC KEY (serial = publicKeyId). */
  addPem(pem: string, publicKeyId?: string): this {
    if (pem.includes('BEGIN CERTIFICATE')) {
      const cert = new X509Certificate(pem)
      return this.add(publicKeyId ?? cert.serialNumber.replace(/^0+/, ''), cert.publicKey)
    }
    if (!publicKeyId) throw new Error('a platform public key needs its id (Wechatpay-Serial value)')
    return this.add(publicKeyId, createPublicKey(pem))
  }

  get(serial: string): KeyObject | undefined {
    return this.keys.get(serial.toUpperCase()) ?? this.keys.get(serial.toUpperCase().replace(/^0+/, ''))
  }

  get size(): number {
    return this.keys.size
  }
}

export const loadPrivateKey = (pem: string) => createPrivateKey(pem)

export interface SignedMessageHeaders {
  timestamp: string | undefined
  nonce: string | undefined
  signature: string | undefined
  serial: string | undefined
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'unknown_serial' | 'bad_signature' }

/**
 * Check a WeChat-signed response or callback: `timestamp\nnonce\nbody\n` signed with the key named by
 * Wechatpay-Serial, and a timestamp within `maxSkewSeconds` of now (a replayed old message is refused).
 */
export function verifyWechatpaySignature(
  headers: SignedMessageHeaders,
  body: string,
  keys: PlatformKeys,
  nowSeconds: number,
  maxSkewSeconds = 300,
): SignatureCheck {
  const { timestamp, nonce, signature, serial } = headers
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'missing_headers' }
  const ts = Number(timestamp)
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - ts) > maxSkewSeconds) {
    return { ok: false, reason: 'stale_timestamp' }
  }
  const key = keys.get(serial)
  if (!key) return { ok: false, reason: 'unknown_serial' }
  return verifySha256Rsa(`${timestamp}\n${nonce}\n${body}\n`, signature, key)
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' }
}
