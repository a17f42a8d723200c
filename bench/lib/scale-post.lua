-- wrk script for bench:scale: like bench/post.lua (a unique msgId and recipient per request,
-- non-200s and failure bodies counted, one WRK_JSON line), but each request goes to the next of
-- several accounts in turn, so the sends spread over several numbers and callback URLs.
--
-- Arguments (after `--`):
--   1  body template path (markers __TO__, __MSG_ID__, __WABA__)
--   2  msgId prefix, unique per invocation
--   3  first recipient of this invocation's block
--   4  Authorization header value
--   5  accounts: "id:wabaNumber,id:wabaNumber,…"

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
  -- The template's markers come in the order wabaNumber, to, msgId (bench/lib/scale-payload.ts).
  part1, rest = split_once(template, '"__WABA__"')
  part2, rest = split_once(rest, '"__TO__"')
  part3, part4 = split_once(rest, '"__MSG_ID__"')
  accounts = {}
  for id, waba in string.gmatch(args[5], "([^:,]+):([^,]+)") do
    table.insert(accounts, { path = "/v1/clevertap/" .. id .. "/messages", waba = '"' .. waba .. '"' })
  end
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
  local account = accounts[(sequence % #accounts) + 1]
  local body = part1 .. account.waba .. part2 .. string.format('"91%.0f"', next_recipient + sequence)
    .. part3 .. '"' .. msg_id_prefix .. sequence .. '"' .. part4
  return wrk.format(nil, account.path, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif not string.find(body, '"status":"success"', 1, true) then
    failure_body = failure_body + 1
  end
end

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
