// The till code's QR image. The `qrcode` library encodes the text into modules (version, error
// correction, mask); the image is a 1-bit grayscale PNG written here with node:zlib — a few hundred
// bytes, and a fraction of the time of an RGBA render, which matters on the member-card screen.
import { crc32, deflateSync } from 'node:zlib'
import QRCode from 'qrcode'

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0)
  return Buffer.concat([head, data, crc])
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * The QR code of `text` as a PNG about `targetWidth` pixels wide: black modules of a whole number of
 * pixels each, inside a white quiet zone of `margin` modules.
 */
export function qrPng(text: string, options: { targetWidth: number; margin: number }): Buffer {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules
  const { margin } = options
  const scale = Math.max(1, Math.floor(options.targetWidth / (size + 2 * margin)))
  const width = (size + 2 * margin) * scale
  const rowBytes = Math.ceil(width / 8)
  const raw = Buffer.alloc((rowBytes + 1) * width, 0)
  for (let y = 0; y < width; y++) {
    const row = y * (rowBytes + 1) // filter byte 0 (none), then the row's bits
    const my = Math.floor(y / scale) - margin
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - margin
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && data[my * size + mx] === 1
      if (!dark) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7) // 1 = white in 1-bit grayscale
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(width, 4)
  header[8] = 1 // bit depth
  header[9] = 0 // grayscale
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The QR as a data URL (see qrPng). */
export const qrDataUrl = (text: string, targetWidth = 240, margin = 1): string =>
  `data:image/png;base64,${qrPng(text, { targetWidth, margin }).toString('base64')}`
