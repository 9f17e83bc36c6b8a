-- wrk script: cycle through a list of request paths (one per line), each thread from its own
-- offset, sending Accept-Encoding: gzip as a browser does. Counts responses outside 200..399.
--   PATHS=/tmp/tiles_z10.txt wrk -t2 -c64 -d10s --latency -s scripts/load/paths.lua http://127.0.0.1:PORT
local paths = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("PATHS")
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(file)) end
  i = ((id or 1) * 7919) % #paths
  bad = 0
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  if status < 200 or status > 399 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("bad") or 0) end
  io.write(string.format("bad_status %d\n", n))
  io.write(string.format("p50_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
