// The official account's push codec against WeChat's published vectors (test/support/oa-vectors.ts
// says where each comes from): the official 消息加解密 sample and wechatpy's test suite.
import { describe, expect, it } from 'vitest'
import {
  aesKeyOf,
  buildOaXml,
  decryptOaMessage,
  encryptOaMessage,
  OaPushError,
  oaSignature,
  oaTextReply,
  openOaPush,
  parseOaXml,
  sealOaReply,
  verifyOaUrl,
} from './oa-push'
import { officialSample, wechatpy } from '../../test/support/oa-vectors'

const sampleSecrets = {
  token: officialSample.token,
  appid: officialSample.appid,
  aesKey: aesKeyOf(officialSample.encodingAesKey),
}
const sampleAt = new Date(Number(officialSample.timestamp) * 1000)
const problemOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof OaPushError) return err.problem
    throw err
  }
  return null
}

describe('official account push: the published vectors', () => {
  it('computes the official sample msg_signature and decrypts its text message', () => {
    expect(
      oaSignature(
        officialSample.token,
        officialSample.timestamp,
        officialSample.nonce,
        officialSample.encrypt,
      ),
    ).toBe(officialSample.msgSignature)
    const xml = decryptOaMessage(sampleSecrets.aesKey, officialSample.appid, officialSample.encrypt)
    expect(parseOaXml(xml)).toEqual({
      ToUserName: 'gh_10f6c3c3ac5a',
      FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      CreateTime: '1409735668',
      MsgType: 'text',
      Content: 'abcdteT',
      MsgId: '6054768590064713728',
    })
  })

  it('opens the official sample push in safe mode, and refuses it with one byte of the signature changed', () => {
    const body = buildOaXml({ ToUserName: 'gh_10f6c3c3ac5a', Encrypt: officialSample.encrypt })
    const query = {
      timestamp: officialSample.timestamp,
      nonce: officialSample.nonce,
      encrypt_type: 'aes' as const,
      msg_signature: officialSample.msgSignature,
    }
    const opened = openOaPush(sampleSecrets, query, body, sampleAt)
    expect(opened.encrypted).toBe(true)
    expect(opened.push).toMatchObject({ MsgType: 'text', Content: 'abcdteT', MsgId: '6054768590064713728' })
    const forged = { ...query, msg_signature: `6${officialSample.msgSignature.slice(1)}` }
    expect(problemOf(() => openOaPush(sampleSecrets, forged, body, sampleAt))).toBe('bad_signature')
  })

  it('matches wechatpy: the echostr signature, its decryption and the appid inside', () => {
    const echostr = '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=='
    expect(oaSignature(wechatpy.token, '1411443780', '437374425', echostr)).toBe(
      'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
    )
    expect(decryptOaMessage(wechatpy.key, wechatpy.appid, echostr)).toBe('5927782489442352469')
    expect(problemOf(() => decryptOaMessage(wechatpy.key, 'wx0000000000000000', echostr))).toBe('wrong_appid')
  })

  it('matches wechatpy: a reply sealed with the fixed random prefix gives the published Encrypt and MsgSignature', () => {
    expect(encryptOaMessage(wechatpy.key, wechatpy.appid, wechatpy.reply, wechatpy.random)).toBe(
      wechatpy.replyEncrypt,
    )
    const sealed = parseOaXml(
      sealOaReply(
        { token: wechatpy.token, appid: wechatpy.appid, aesKey: wechatpy.key },
        wechatpy.reply,
        wechatpy.timestamp,
        wechatpy.nonce,
        wechatpy.random,
      ),
    )
    expect(sealed).toEqual({
      Encrypt: wechatpy.replyEncrypt,
      MsgSignature: wechatpy.replySignature,
      TimeStamp: wechatpy.timestamp,
      Nonce: wechatpy.nonce,
    })
  })

  it('matches wechatpy: decrypts its inbound message under its msg_signature', () => {
    expect(oaSignature(wechatpy.token, wechatpy.timestamp, wechatpy.nonce, wechatpy.inboundEncrypt)).toBe(
      wechatpy.inboundSignature,
    )
    const fields = parseOaXml(decryptOaMessage(wechatpy.key, wechatpy.appid, wechatpy.inboundEncrypt))
    expect(fields).toMatchObject({ Content: 'test', FromUserName: 'messense' })
  })
})

describe('official account push: plain mode, the URL check and refusals', () => {
  const secrets = { token: 'spamtest', appid: 'wx2c2769f8efd9abc2' }
  const at = new Date('2026-12-01T12:00:00Z')
  const ts = String(at.getTime() / 1000)
  const signed = (timestamp = ts, nonce = '42') => ({
    timestamp,
    nonce,
    signature: oaSignature(secrets.token, timestamp, nonce),
  })
  const follow = buildOaXml({
    ToUserName: 'gh_1',
    FromUserName: 'o_follower',
    CreateTime: Number(ts),
    MsgType: 'event',
    Event: 'subscribe',
    EventKey: 'qrscene_channel:store',
  })

  it('answers the URL check with echostr only under the right signature', () => {
    expect(verifyOaUrl(secrets, { ...signed(), echostr: 'hello-7' })).toBe('hello-7')
    expect(
      problemOf(() => verifyOaUrl(secrets, { ...signed(), signature: 'f'.repeat(40), echostr: 'x' })),
    ).toBe('bad_signature')
  })

  it('opens a plain push and reads its event', () => {
    const { push, encrypted } = openOaPush(secrets, signed(), follow, at)
    expect(encrypted).toBe(false)
    expect(push).toMatchObject({ MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_channel:store' })
  })

  it('refuses a timestamp more than five minutes away, bad XML and a missing field', () => {
    const old = String(Number(ts) - 301)
    expect(problemOf(() => openOaPush(secrets, signed(old), follow, at))).toBe('stale_timestamp')
    expect(problemOf(() => openOaPush(secrets, signed(String(Number(ts) - 299)), follow, at))).toBeNull()
    expect(problemOf(() => openOaPush(secrets, signed(), '<xml><a>1</b></xml>', at))).toBe('bad_xml')
    expect(problemOf(() => openOaPush(secrets, signed(), 'not xml', at))).toBe('bad_xml')
    expect(
      problemOf(() =>
        openOaPush(secrets, signed(), '<!DOCTYPE x [<!ENTITY e "boom">]><xml><a>&e;</a></xml>', at),
      ),
    ).toBe('bad_xml')
    const noSender = buildOaXml({
      ToUserName: 'gh_1',
      CreateTime: 1,
      MsgType: 'text',
      Content: 'x',
      MsgId: '1',
    })
    expect(problemOf(() => openOaPush(secrets, signed(), noSender, at))).toBe('unsupported_message')
  })

  it('refuses a safe-mode push whose ciphertext is not whole blocks', () => {
    const withKey = { ...secrets, aesKey: aesKeyOf(officialSample.encodingAesKey) }
    const encrypt = 'abcd'
    const query = {
      timestamp: ts,
      nonce: '1',
      encrypt_type: 'aes' as const,
      msg_signature: oaSignature(secrets.token, ts, '1', encrypt),
    }
    expect(problemOf(() => openOaPush(withKey, query, buildOaXml({ Encrypt: encrypt }), at))).toBe(
      'bad_ciphertext',
    )
  })

  it('writes a passive text reply back to the sender, CDATA-safe', () => {
    const { push } = openOaPush(secrets, signed(), follow, at)
    const reply = parseOaXml(oaTextReply(push, '欢迎 ]]> 关注', at))
    expect(reply).toEqual({
      ToUserName: 'o_follower',
      FromUserName: 'gh_1',
      CreateTime: ts,
      MsgType: 'text',
      Content: '欢迎 ]]> 关注',
    })
  })

  it('round-trips a message through encryption with a random prefix', () => {
    const key = aesKeyOf(officialSample.encodingAesKey)
    const message = '<xml><Content><![CDATA[你好，世界]]></Content></xml>'
    const a = encryptOaMessage(key, secrets.appid, message)
    expect(a).not.toBe(encryptOaMessage(key, secrets.appid, message))
    expect(decryptOaMessage(key, secrets.appid, a)).toBe(message)
  })
})
