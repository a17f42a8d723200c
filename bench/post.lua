-- wrk script: POSTs a CleverTap template send with a unique msgId and recipient per request,
-- counts non-200 answers and 200s whose body is not {"status":"success"}, and prints one
-- machine-readable line (WRK_JSON {...}) for bench/lib/load-wrk.ts to parse.
--
-- Arguments (after `--` on the wrk command line):
--   1  path of the body template (written by bench/ingest.ts; markers __TO__ and __MSG_ID__)
--   2  msgId prefix, unique per wrk invocation (the gateway de-duplicates (msgId, to))
--   3  first recipient number of this invocation's block (digits after the 91 country code)
--   4  value of the Authorization header

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local function split_once(text, marker)
  local at = string.find(text, marker, 1, true)
  assert(at, "body template lacks " .. marker)
  return string.sub(text, 1, at - 1), string.sub(text, at + #marker)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local template = file:read("*a")
  file:close()
  before_to, after_to = split_once(template, '"__TO__"')
  between, after_msg_id = split_once(after_to, '"__MSG_ID__"')
  -- Each thread numbers its own requests; thread_id keeps msgIds and recipients disjoint.
  msg_id_prefix = args[2] .. "|t" .. thread_id .. "|"
  next_recipient = tonumber(args[3]) + thread_id * 1000000000
  sequence = 0
  non200 = 0
  failure_body = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = args[4]
end

function request()
  sequence = sequence + 1
  local body = before_to .. string.format('"91%.0f"', next_recipient + sequence)
    .. between .. '"' .. msg_id_prefix .. sequence .. '"' .. after_msg_id
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif not string.find(body, '"status":"success"', 1, true) then
    failure_body = failure_body + 1
  end
end

-- Share of requests slower than 1 s (CleverTap counts those as failed), found by bisecting the
-- percentile curve; walking every histogram bucket from Lua would be quadratic.
local function percent_over(latency, limit_us)
  if latency.max <= limit_us then return 0 end
  local low, high = 0, 100
  for _ = 1, 30 do
    local mid = (low + high) / 2
    if latency:percentile(mid) > limit_us then high = mid else low = mid end
  end
  return 100 - high
end

function done(summary, latency, requests)
  local non200_total, failure_body_total = 0, 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    failure_body_total = failure_body_total + thread:get("failure_body")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,'
      .. '"non200":%d,"failureBody":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,'
      .. '"timeouts":%d,"percentOver1s":%.4f}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    non200_total, failure_body_total, e.connect, e.read, e.write, e.timeout,
    percent_over(latency, 1000000)))
end
