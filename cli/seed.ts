// `npm run seed -- --members N`: seed N more members with their history, in bulk (benchmarks, demos).
import { parseArgs } from 'node:util'
import { seedDemo } from '../shared/demo/seed'
import { systemClock } from '../shared/clock'
import { configFromEnvironment, rootLogger } from './runtime'
import { openDatabase } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '240' },
    'order-multiplier': { type: 'string', default: '1' },
    batch: { type: 'string', default: '100000' },
  },
})
const total = Number(values.members)
const multiplier = Number(values['order-multiplier'])
const batch = Number(values.batch)
if (!Number.isInteger(total) || total < 1 || total > 20_000_000) {
  console.error('--members must be a whole number from 1 to 20,000,000')
  process.exit(64)
}
if (!(multiplier > 0 && multiplier <= 20)) {
  console.error('--order-multiplier must be a number above 0 and at most 20')
  process.exit(64)
}

const config = configFromEnvironment()
const logger = rootLogger(config)
const database = await openDatabase(config)
await migrate(database)
const started = performance.now()
let orders = 0
for (let done = 0; done < total; done += batch) {
  const n = Math.min(batch, total - done)
  const s = await seedDemo(database, {
    members: n,
    now: systemClock.now(),
    orderMultiplier: multiplier,
    seed: (done / total) * 0.9,
  })
  orders += s.orders
  logger.info({ seeded: done + n, of: total, orders }, 'seeding')
}
await database.close()
console.log(
  JSON.stringify({ members: total, orders, seconds: Math.round((performance.now() - started) / 100) / 10 }),
)
