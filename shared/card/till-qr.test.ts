import { describe, expect, it } from 'vitest'
import { PNG } from 'pngjs'
import QRCode from 'qrcode'
import { qrDataUrl, qrPng } from './till-qr'

const dark = (png: PNG, x: number, y: number) => png.data[(y * png.width + x) * 4]! < 128

describe('till code QR image', () => {
  it('draws the same modules, pixel for pixel, as the qrcode library’s own renderer', async () => {
    for (const text of ['SUC1.M10000001.1795361903.abcdefghijabcdefghijab', 'SUC1.M1.1795361903.x']) {
      const ours = PNG.sync.read(qrPng(text, { targetWidth: 240, margin: 1 }))
      const size = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size
      const scale = Math.floor(240 / (size + 2))
      expect(ours.width).toBe((size + 2) * scale)
      const theirs = PNG.sync.read(
        await QRCode.toBuffer(text, { errorCorrectionLevel: 'M', margin: 1, scale, type: 'png' }),
      )
      expect([theirs.width, theirs.height]).toEqual([ours.width, ours.height])
      let differing = 0
      for (let y = 0; y < ours.height; y++)
        for (let x = 0; x < ours.width; x++) if (dark(ours, x, y) !== dark(theirs, x, y)) differing++
      expect(differing).toBe(0)
      // The quiet zone is white and the finder pattern's corner is black.
      expect(dark(ours, 0, 0)).toBe(false)
      expect(dark(ours, scale, scale)).toBe(true)
    }
  })

  it('is a PNG data URL', () => {
    const url = qrDataUrl('SUC1.M10000001.1795361903.abcdefghijabcdefghijab')
    expect(url).toMatch(/^data:image\/png;base64,/)
    expect(PNG.sync.read(Buffer.from(url.split(',')[1]!, 'base64')).width).toBeGreaterThan(200)
  })
})
