// WeChat Pay v3 cryptography against published test vectors: wechatpay-go's signer test (a fixed RSA
// key signing "source"), its notify handler test (a real signed and encrypted callback with the
// platform certificate that verifies it) and its public-key verifier test, and wechatpay-axios-plugin's
// AES-256-GCM test.
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  authorizationHeader,
  decryptAesGcm,
  encryptAesGcm,
  parseAuthorization,
  PlatformKeys,
  requestPaymentParams,
  signSha256Rsa,
  verifySha256Rsa,
  verifyWechatpaySignature,
} from './wechatpay-crypto'
import { NotificationRefused, openNotification } from './notification'

// wechatpay-go core/auth/signers/sha256withrsa_signer_test.go (its "TESTING KEY" is a PKCS#8 private key).
const testPrivateKey = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----`
const expectedSignature =
  'BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6' +
  'pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOh' +
  'uH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwf' +
  'LpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=='

// wechatpay-go core/auth/verifiers/sha256withrsa_pubkey_verifier_test.go
const testPublicKeyId = 'F5765756002FDD77'
const testPublicKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2VCTd91fnUn73Xy9DLvt
/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXagHQ4vGeZN0yqm++rDsGK+
U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOmDeJf2vg6byms9RUipiq4
SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B834uxl1zNLYQCrkdBzb8oU
xwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGfy8wus7hwKz6clt3Whmmd
a7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtkaSef4FdEEgEXJiw0VAJT
8wIDAQAB
-----END PUBLIC KEY-----`

// wechatpay-go core/notify/notify_test.go
const notifyCertificate = `-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----`
const notifyHeaders = {
  'content-type': 'application/json',
  'wechatpay-nonce': 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz',
  'wechatpay-timestamp': '1624523846',
  'wechatpay-serial': 'D7CE59D1F522D701',
  'wechatpay-signature':
    'tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF' +
    'lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I' +
    'BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4' +
    '06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==',
}
const notifyBody =
  '{' +
  '"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17",' +
  '"create_time":"2021-06-24T16:37:26+08:00",' +
  '"resource_type":"encrypt-resource",' +
  '"event_type":"PAYSCORE.USER_OPEN_SERVICE",' +
  '"summary":"签约成功",' +
  '"resource":{' +
  '"original_type":"payscore",' +
  '"algorithm":"AEAD_AES_256_GCM",' +
  '"ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZt' +
  'tevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR' +
  '7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==",' +
  '"associated_data":"payscore",' +
  '"nonce":"Kj7QIyUiYx1q"}' +
  '}'
const notifyPlaintext =
  '{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c",' +
  '"create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}'
const notifyNow = 1624523846

describe('SHA256-RSA2048 signatures (wechatpay-go signer and verifier vectors)', () => {
  const privateKey = createPrivateKey(testPrivateKey)
  const publicKey = createPublicKey(testPublicKey)

  it('signs "source" to the published signature', () => {
    expect(signSha256Rsa('source', privateKey)).toBe(expectedSignature)
  })

  it('verifies the published signature with the published public key, and nothing else', () => {
    expect(verifySha256Rsa('source', expectedSignature, publicKey)).toBe(true)
    expect(verifySha256Rsa('wrong source', expectedSignature, publicKey)).toBe(false)
    expect(verifySha256Rsa('', expectedSignature, publicKey)).toBe(false)
    expect(verifySha256Rsa('source', '', publicKey)).toBe(false)
    expect(verifySha256Rsa('source', 'invalid base64 signature', publicKey)).toBe(false)
  })

  it('finds the key by the Wechatpay-Serial id, and refuses an unknown serial', () => {
    const keys = new PlatformKeys().addPem(testPublicKey, testPublicKeyId)
    const message = 'source' // signed as `${ts}\n${nonce}\n${body}\n` below
    const ts = '1700000000'
    const signature = signSha256Rsa(`${ts}\nN\n${message}\n`, privateKey)
    const headers = { timestamp: ts, nonce: 'N', signature, serial: testPublicKeyId }
    expect(verifyWechatpaySignature(headers, message, keys, 1700000000)).toEqual({ ok: true })
    expect(
      verifyWechatpaySignature({ ...headers, serial: 'invalid serial number' }, message, keys, 1700000000),
    ).toEqual({
      ok: false,
      reason: 'unknown_serial',
    })
  })
})

describe('callback verification and decryption (wechatpay-go notify vector)', () => {
  const keys = new PlatformKeys().addPem(notifyCertificate)
  // The vector's key is 16 bytes, so it decrypts with AES-128-GCM as in wechatpay-go; real APIv3 keys
  // are 32 bytes (AES-256-GCM, the axios-plugin vectors below), which the configuration enforces.
  const apiV3Key = 'testMchAPIv3Key0'

  it('reads the serial from the platform certificate', () => {
    expect(keys.get('D7CE59D1F522D701')).toBeDefined()
    expect(keys.get('F5765756002FDD77')).toBeUndefined()
  })

  it('verifies the published callback and decrypts its resource', () => {
    const opened = openNotification(
      { headers: notifyHeaders, rawBody: notifyBody },
      { keys, apiV3Key, nowSeconds: notifyNow },
    )
    expect(opened.notification.id).toBe('3119dfba-e649-5eec-ab1e-3412bc4d2e17')
    expect(opened.notification.event_type).toBe('PAYSCORE.USER_OPEN_SERVICE')
    expect(opened.notification.summary).toBe('签约成功')
    expect(opened.plaintext).toBe(notifyPlaintext)
    expect(JSON.parse(opened.plaintext).out_contract_code).toBe('21640bdbd08e473e828f3206a2741c6e')
  })

  const refusal = (fn: () => unknown) => {
    try {
      fn()
    } catch (err) {
      if (err instanceof NotificationRefused) return { reason: err.reason, status: err.status }
      throw err
    }
    return null
  }

  it('refuses a body changed after signing, a forged signature, a replay and an unknown serial (401)', () => {
    const open = (headers: Record<string, string>, rawBody = notifyBody, nowSeconds = notifyNow) =>
      refusal(() => openNotification({ headers, rawBody }, { keys, apiV3Key, nowSeconds }))
    expect(open(notifyHeaders, notifyBody.replace('签约成功', '签约失败'))).toEqual({
      reason: 'bad_signature',
      status: 401,
    })
    const forged = signSha256Rsa('anything', createPrivateKey(testPrivateKey)).replace(/^./, 'A')
    expect(open({ ...notifyHeaders, 'wechatpay-signature': forged })).toEqual({
      reason: 'bad_signature',
      status: 401,
    })
    expect(open(notifyHeaders, notifyBody, notifyNow + 301)).toEqual({
      reason: 'stale_timestamp',
      status: 401,
    })
    expect(open({ ...notifyHeaders, 'wechatpay-serial': 'PUB_KEY_ID_0000' })).toEqual({
      reason: 'unknown_serial',
      status: 401,
    })
    const { ['wechatpay-signature']: _dropped, ...unsigned } = notifyHeaders
    expect(open(unsigned)).toEqual({ reason: 'missing_headers', status: 401 })
  })

  it('a genuine callback encrypted with another key is refused as undecryptable (400)', () => {
    expect(
      refusal(() =>
        openNotification(
          { headers: notifyHeaders, rawBody: notifyBody },
          { keys, apiV3Key: 'anotherMchAPIv3K', nowSeconds: notifyNow },
        ),
      ),
    ).toEqual({ reason: 'undecryptable_resource', status: 400 })
  })
})

describe('merchant request signing', () => {
  const privateKey = createPrivateKey(testPrivateKey)
  const publicKey = createPublicKey(testPublicKey)

  it('builds an Authorization header whose signature covers method, path, time, nonce and body', () => {
    const request = {
      method: 'POST',
      url: '/v3/pay/transactions/jsapi',
      body: '{"a":1}',
      timestamp: 1554208460,
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    }
    const header = authorizationHeader(
      { mchid: '1900009191', serialNo: '1DDE55AD98ED71D6', privateKey },
      request,
    )
    const fields = parseAuthorization(header)!
    expect(fields).toMatchObject({
      mchid: '1900009191',
      nonce_str: request.nonce,
      timestamp: '1554208460',
      serial_no: '1DDE55AD98ED71D6',
    })
    const message = `POST\n/v3/pay/transactions/jsapi\n1554208460\n${request.nonce}\n{"a":1}\n`
    expect(verifySha256Rsa(message, fields.signature!, publicKey)).toBe(true)
    expect(verifySha256Rsa(message.replace('{"a":1}', '{"a":2}'), fields.signature!, publicKey)).toBe(false)
  })

  it('signs requestPayment parameters as appId, timeStamp, nonceStr and package', () => {
    const params = requestPaymentParams(
      { appId: 'wx8888888888888888', prepayId: 'wx201410272009395522657a690389285100', privateKey },
      1414561699,
      '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    )
    expect(params).toMatchObject({
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
    })
    const message =
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n'
    expect(verifySha256Rsa(message, params.paySign, publicKey)).toBe(true)
  })
})

describe('AES-256-GCM (wechatpay-axios-plugin vectors)', () => {
  const iv = '0123456789abcdef'
  const key = '0123456789abcdef0123456789abcdef'

  it('encrypts to the published ciphertexts', () => {
    expect(encryptAesGcm(key, '', iv, '')).toBe('GvpmmdtYwexXIPhySs9Tlg==')
    expect(encryptAesGcm(key, 'hello', iv, 'world')).toBe('APoZlYpivU3HjbAiB4CvW1rAFr8J')
  })

  it('decrypts the published ciphertexts, and refuses a tampered one or the wrong associated data', () => {
    expect(
      decryptAesGcm(key, { ciphertext: 'GvpmmdtYwexXIPhySs9Tlg==', nonce: iv, associatedData: '' }),
    ).toBe('')
    expect(
      decryptAesGcm(key, { ciphertext: 'APoZlYpivU3HjbAiB4CvW1rAFr8J', nonce: iv, associatedData: 'world' }),
    ).toBe('hello')
    expect(() =>
      decryptAesGcm(key, { ciphertext: 'APoZlYpivU3HjbAiB4CvW1rAFr8J', nonce: iv, associatedData: 'World' }),
    ).toThrow()
    expect(() =>
      decryptAesGcm(key, { ciphertext: 'BPoZlYpivU3HjbAiB4CvW1rAFr8J', nonce: iv, associatedData: 'world' }),
    ).toThrow()
  })
})
