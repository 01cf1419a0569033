// Puppet tokens kept in the database are encrypted with AES-256-GCM under SECRET_KEY (32 bytes, hex):
// `v1.<iv>.<tag>.<ciphertext>`, each part base64url. A wrong key or a changed byte fails to decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { DomainError } from '../errors'

function keyBytes(secretKeyHex: string | undefined): Buffer {
  if (!secretKeyHex || !/^[0-9a-fA-F]{64}$/.test(secretKeyHex)) {
    throw new DomainError('secret_key_missing', '服务器未配置 SECRET_KEY，无法保存账号密钥', 400)
  }
  return Buffer.from(secretKeyHex, 'hex')
}

export function encryptSecret(secretKeyHex: string | undefined, plaintext: string): string {
  const key = keyBytes(secretKeyHex)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return ['v1', iv, tag, body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
}

export function decryptSecret(secretKeyHex: string | undefined, sealed: string): string {
  const key = keyBytes(secretKeyHex)
  const [version, iv, tag, body] = sealed.split('.')
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not an encrypted secret')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}
