// One server process of `bench:checkout --processes N`: the product's app (read caches on its own change
// feed) on the bench database, its URL printed as one JSON line; it stops when its parent closes stdin.
import { openPostgres } from '../shared/db/client'
import { storeApp } from './store-bench'

const url = process.argv[2]!
const database = await openPostgres(url, { max: 20 })
const app = await storeApp(database, url)
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`)
process.stdin.on('end', () => {
  void app
    .close()
    .then(() => database.close())
    .then(() => process.exit(0))
})
process.stdin.resume()
