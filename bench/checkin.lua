-- wrk 4.1 script for bench/checkin.py: POST check-ins, each with its own bearer token.
--
-- usage: wrk -tT -cC -dSAFETY --timeout 10s -s checkin.lua URL -- TOKENS_FILE T REQUESTS [BODY]
--   TOKENS_FILE  one token per line; thread i takes its own disjoint slice of REQUESTS/T
--   T            must equal -t (a thread cannot see how many siblings it has)
--   REQUESTS     responses to collect: each thread stops (wrk.thread:stop()) once it has
--                its share.  Every token of a slice is sent once, in order; a connection
--                that frees up after its thread handed out its last token sends the slice's
--                tokens again from the start (at Hadir those answer 82, "already checked
--                in"): at most C/T - 1 such extra requests per thread.
--   BODY         JSON body (default: a position inside the bench office's geofence)
--
-- Why not hold the spare connections back instead (a long delay())?  wrk connects
-- before it asks delay(), and a gunicorn *sync* worker that accepted a connection
-- blocks reading it: parked connections starve the server (tried: the run hangs).
-- For the same reason use one thread (-t1): a thread that stops while another runs
-- leaves a fresh connection open that holds a worker until wrk exits.
--
-- wrk's own "Requests/sec" divides by the whole -d, and its main thread sleeps -d even
-- when every thread stopped: bench/checkin.py interrupts it (SIGINT) once every thread
-- printed "checkin.lua: thread done" on stderr, and takes the rate from the
-- "checkin.lua: {json}" line that done() prints: responses over the wall time from the
-- first request to the last response (LuaJIT ffi clock_gettime, CLOCK_MONOTONIC).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } checkin_timespec;
int clock_gettime(int clk_id, checkin_timespec *tp);
]]
local function now_ms()
  local ts = ffi.new("checkin_timespec")
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e3 + tonumber(ts.tv_nsec) / 1e6
end

-- main Lua state ---------------------------------------------------------------------
local threads, next_tid = {}, 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

-- thread Lua states (globals are read by done() through thread:get) -------------------
local tokens, body = {}, nil
sent = 0
share, received = 0, 0
t_first, t_last = nil, nil
status_200, status_other, rcode_00, rcode_82, rcode_other = 0, 0, 0, 0, 0
first_bad = nil

function init(args)
  local path, nthreads, total = args[1], tonumber(args[2]), tonumber(args[3])
  body = args[4] or '{"latitude":"-6.2087","longitude":"106.8456","branch_id":"0001"}'
  local all = {}
  for line in io.lines(path) do
    if #line > 0 then all[#all + 1] = line end
  end
  share = math.floor(total / nthreads)
  if tid == nthreads - 1 then share = total - share * (nthreads - 1) end
  -- contiguous, disjoint slices of the token list (cycled when REQUESTS > tokens)
  local first = tid * math.floor(total / nthreads)
  for i = 0, share - 1 do
    tokens[#tokens + 1] = all[(first + i) % #all + 1]
  end
end

function request()
  if tid == 0 and not checked then
    -- wrk 4.1 calls request() once in thread 0's state, after init() and before the
    -- thread starts, only to check the request's syntax; that one is never sent.
    checked = true
    return wrk.format("POST", nil, { ["Authorization"] = "Bearer -" }, "{}")
  end
  if t_first == nil then t_first = now_ms() end
  sent = sent + 1
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. tokens[(sent - 1) % #tokens + 1],
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }, body)
end

function response(status, headers, resp_body)
  received = received + 1
  if status == 200 then status_200 = status_200 + 1 else status_other = status_other + 1 end
  local rcode = string.match(resp_body, '"rcode"%s*:%s*"(%d%d)"')
  if rcode == "00" then
    rcode_00 = rcode_00 + 1
  elseif rcode == "82" then
    rcode_82 = rcode_82 + 1
  else
    rcode_other = rcode_other + 1
    if first_bad == nil then first_bad = tostring(status) .. " " .. string.sub(resp_body, 1, 200) end
  end
  if received == share then
    t_last = now_ms()
    io.stderr:write("checkin.lua: thread done\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last, finished = math.huge, 0, 0
  local sums = { sent = 0, received = 0, status_200 = 0, status_other = 0, rcode_00 = 0, rcode_82 = 0, rcode_other = 0 }
  local bad = nil
  for _, t in ipairs(threads) do
    local a, b = t:get("t_first"), t:get("t_last")
    if a and a < first then first = a end
    if b then
      finished = finished + 1
      if b > last then last = b end
    end
    for k, _ in pairs(sums) do sums[k] = sums[k] + (t:get(k) or 0) end
    bad = bad or t:get("first_bad")
  end
  local wall_ms = (finished == #threads and first < math.huge) and (last - first) or -1
  local function q(s) return '"' .. string.gsub(s or "", '[%c"\\]', " ") .. '"' end
  io.write(string.format(
    'checkin.lua: {"threads": %d, "threads_finished": %d, "responses": %d, "wall_ms": %.3f, ' ..
    '"status_200": %d, "status_other": %d, "rcode_00": %d, "rcode_82": %d, "rcode_other": %d, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
    '"sent": %d, "wrk_requests": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, "first_bad": %s}\n',
    #threads, finished, sums.received, wall_ms,
    sums.status_200, sums.status_other, sums.rcode_00, sums.rcode_82, sums.rcode_other,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, latency.mean / 1e3,
    sums.sent, summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, bad and q(bad) or "null"))
end
