// The load generator's connection setup for `bench:api` (loaded by autocannon in its worker thread):
// every connection walks the same request sequence — each member with their own session — but starts
// at its own place in it, so members and products are interleaved as in real traffic rather than
// requested by all connections in lockstep.
const requests = JSON.parse(process.env.BENCH_API_REQUESTS || '[]')
let connection = 0

module.exports = function setupClient(client) {
  const offset = Math.floor((connection++ * requests.length) / 50) % Math.max(requests.length, 1)
  client.setRequests([...requests.slice(offset), ...requests.slice(0, offset)])
}
