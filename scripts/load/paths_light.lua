-- wrk script: cycle through a list of request paths (one per line) as paths.lua does, but with
-- every request formatted once at start-up and no Lua per response (wrk counts the statuses
-- outside 200..399 itself: "Non-2xx or 3xx responses"), so the client spends its core on the
-- sockets rather than in Lua. Sends Accept-Encoding: gzip as a browser does.
--   PATHS=/tmp/tiles.txt wrk -t1 -c64 -d10s --latency -s scripts/load/paths_light.lua http://127.0.0.1:PORT
local requests = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Accept-Encoding"] = "gzip"
  local file = os.getenv("PATHS")
  for line in io.lines(file) do
    if #line > 0 then requests[#requests + 1] = wrk.format("GET", line) end
  end
  if #requests == 0 then error("no paths in " .. tostring(file)) end
  i = ((id or 1) * 7919) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency, requests)
  io.write(string.format("bad_status %d\n", summary.errors.status))
  io.write(string.format("p50_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
