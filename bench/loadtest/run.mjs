// Open-loop driver for bench/checkin.py (loadtest 8.2.1, see bench/LOADTOOLS.md).
//
// A timer issues one POST every 1000/RPS ms whether or not earlier ones have been
// answered (loadtest opens another connection when all are busy), so a slow server
// shows up as latency instead of a lower arrival rate.  Every request carries the
// next bearer token of TOKENS_FILE, each exactly once; the run ends when every
// token's response has arrived.  Latency runs from the moment the timer issued the
// request (whole milliseconds: loadtest truncates).
//
// usage: node run.mjs URL RPS TOKENS_FILE [BODY_JSON]   -> one JSON line on stdout
import { readFileSync } from 'node:fs'
import { loadTest } from 'loadtest'

const [url, rpsArg, tokensFile, bodyArg] = process.argv.slice(2)
if (!url || !rpsArg || !tokensFile) {
  console.error('usage: node run.mjs URL RPS TOKENS_FILE [BODY_JSON]')
  process.exit(2)
}
const rps = Number(rpsArg)
const tokens = readFileSync(tokensFile, 'utf8').trim().split('\n')
const payload = bodyArg ?? '{"latitude":"-6.2087","longitude":"106.8456","branch_id":"0001"}'
const payloadLength = Buffer.byteLength(payload)

let next = 0
// loadtest 8.2.1 calls requestGenerator(options, params, request, callback); params is a per-request copy.
function requestGenerator(options, params, request, callback) {
  params.method = 'POST'
  params.headers['Authorization'] = 'Bearer ' + tokens[next++ % tokens.length]
  params.headers['Content-Type'] = 'application/json'
  params.headers['Accept'] = 'application/json'
  params.headers['Content-Length'] = payloadLength
  const req = request(params, callback)
  req.write(payload)
  return req
}

const statuses = {}
const rcodes = {}
const latencies = []
let failures = 0
function statusCallback(error, result) {
  if (!result) {            // connection error: no response at all
    failures += 1
    return
  }
  latencies.push(result.requestElapsed)
  statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1
  let rcode = '-'
  try { rcode = JSON.parse(result.body).rcode ?? '-' } catch { rcode = 'not-json' }
  rcodes[rcode] = (rcodes[rcode] ?? 0) + 1
}

const started = process.hrtime.bigint()
const result = await loadTest({
  url,
  method: 'POST',
  requestsPerSecond: rps,
  maxRequests: tokens.length,
  maxSeconds: Math.ceil(tokens.length / rps) * 3 + 10,   // safety bound only
  timeout: 10000,
  quiet: true,
  requestGenerator,
  statusCallback,
})
const wallS = Number(process.hrtime.bigint() - started) / 1e9

function percentile(sorted, p) {
  if (!sorted.length) return null
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}
latencies.sort((a, b) => a - b)
console.log(JSON.stringify({
  tool: 'loadtest 8.2.1',
  target_rps: rps,
  requests: result.totalRequests,
  errors: result.totalErrors,
  connection_failures: failures,
  error_codes: result.errorCodes,
  statuses,
  rcodes,
  elapsed_s: result.totalTimeSeconds,
  wall_s: wallS,
  effective_rps: result.effectiveRps,
  max_clients: result.clients,
  p50_ms: percentile(latencies, 50),
  p90_ms: percentile(latencies, 90),
  p99_ms: percentile(latencies, 99),
  max_ms: latencies.length ? latencies[latencies.length - 1] : null,
  loadtest_percentiles_ms: result.percentiles,
}))
