// The dashboard's period: calendar days in Asia/Shanghai, both ends included.
import { DatePicker } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'

export interface PeriodValue {
  from: string
  to: string
}

const day = (d: Dayjs) => d.format('YYYY-MM-DD')

/** Today's calendar date in Asia/Shanghai, wherever the browser is. */
const shanghaiToday = () =>
  dayjs(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()))

export function lastDays(n: number): PeriodValue {
  const today = shanghaiToday()
  return { from: day(today.subtract(n - 1, 'day')), to: day(today) }
}

export function PeriodPicker({
  value,
  onChange,
}: {
  value: PeriodValue
  onChange: (v: PeriodValue) => void
}) {
  const today = shanghaiToday()
  return (
    <DatePicker.RangePicker
      allowClear={false}
      value={[dayjs(value.from), dayjs(value.to)]}
      disabledDate={(d) => d.isAfter(today, 'day')}
      presets={[
        { label: '近 7 天', value: [today.subtract(6, 'day'), today] },
        { label: '近 30 天', value: [today.subtract(29, 'day'), today] },
        { label: '近 90 天', value: [today.subtract(89, 'day'), today] },
        { label: '本月', value: [today.startOf('month'), today] },
        { label: '近一年', value: [today.subtract(1, 'year').add(1, 'day'), today] },
      ]}
      onChange={(range) => {
        if (range?.[0] && range[1]) onChange({ from: day(range[0]), to: day(range[1]) })
      }}
    />
  )
}
