-- REST Bearer creates, a unique prompt per request. Environment: EASEL_KEY (Bearer), RUN (a tag unique to this run),
-- LIMIT (optional: stop each thread after LIMIT/threads answers), MODEL/VERSION (default GEM 3.0).
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or ".") .. "/wrk/?.lua"
require "common"

local key = os.getenv("EASEL_KEY")
local run = os.getenv("RUN") or tostring(os.time())
local limit = tonumber(os.getenv("LIMIT") or "0")
local threads_n = tonumber(os.getenv("THREADS") or "2")
local model = os.getenv("MODEL") or "GEM"
local version = os.getenv("VERSION") or "3.0"
local counter = 0
local answered = 0
local per_thread = 0

function init(args)
  per_thread = limit > 0 and math.ceil(limit / threads_n) or 0
end

function request()
  counter = counter + 1
  if per_thread > 0 and counter > per_thread then
    -- Past the cap: keep the connection busy with a cheap request that creates nothing.
    return wrk.format("GET", "/healthz")
  end
  local body = string.format('{"model_name":"%s","model_version":"%s","prompt":"bench %s-%d-%d"}',
                             model, version, run, tid, counter)
  return wrk.format("POST", "/tencent-vod/v1/aigc-image",
                    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

if limit > 0 then
  function response(status, headers, body)
    answered = answered + 1
    if answered >= per_thread then wrk.thread:stop() end
  end
end

function done(summary, latency, requests) result(summary, latency) end
