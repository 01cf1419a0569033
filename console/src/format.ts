// How numbers, money and times look in the console: fen as yuan, times in Asia/Shanghai.
const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 })
const yuan = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const dateOnly = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

export const formatCount = (n: number) => integer.format(n)
export const formatFen = (fen: number) => `¥${yuan.format(fen / 100)}`
export const formatPercent = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`)
export const formatDateTime = (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : '—')
export const formatDate = (iso: string | null) => (iso ? dateOnly.format(new Date(iso)) : '—')
