import { describe, expect, it } from 'vitest'
import { decryptSecret, encryptSecret } from './secrets'

const key = 'a'.repeat(64)

describe('puppet secrets at rest', () => {
  it('round-trips, never stores the plaintext, and differs each time', () => {
    const a = encryptSecret(key, 'puppet_token_123')
    const b = encryptSecret(key, 'puppet_token_123')
    expect(a).not.toContain('puppet_token_123')
    expect(a).not.toBe(b)
    expect(decryptSecret(key, a)).toBe('puppet_token_123')
  })
  it('refuses a wrong key or a tampered value', () => {
    const sealed = encryptSecret(key, 'token')
    expect(() => decryptSecret('b'.repeat(64), sealed)).toThrow()
    const parts = sealed.split('.')
    parts[3] = Buffer.from('other').toString('base64url')
    expect(() => decryptSecret(key, parts.join('.'))).toThrow()
  })
  it('asks for SECRET_KEY when it is not configured', () => {
    expect(() => encryptSecret(undefined, 'x')).toThrow(/SECRET_KEY/)
  })
})
