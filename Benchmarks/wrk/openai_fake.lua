-- The fake upstream called directly, with the body Easel's openai-compatible provider sends.
package.path = package.path .. ";" .. (os.getenv("BENCH_DIR") or ".") .. "/wrk/?.lua"
require "common"
local counter = 0
function request()
  counter = counter + 1
  local body = string.format('{"model":"bench","n":1,"prompt":"direct %d-%d","response_format":"b64_json","size":"1024x1024"}', tid, counter)
  return wrk.format("POST", "/v1/images/generations", {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests) result(summary, latency) end
