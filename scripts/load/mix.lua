-- wrk script: like paths.lua, but each line may carry a Range after a tab ("PATH<TAB>bytes=A-B"),
-- as the pmtiles library's reads of an archive do. Cycles through the list, each thread from its
-- own offset, with Accept-Encoding: gzip; counts responses outside 200..399 and bytes received.
--   PATHS=/tmp/mix.txt wrk -t1 -c256 -d30s --latency -s scripts/load/mix.lua http://127.0.0.1:PORT
local reqs = {}
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
    if #line > 0 then
      local path, range = line:match("^([^\t]+)\t(.+)$")
      local headers = { ["Accept-Encoding"] = "gzip" }
      if path then
        headers["Range"] = range
      else
        path = line
      end
      reqs[#reqs + 1] = wrk.format("GET", path, headers)
    end
  end
  if #reqs == 0 then error("no paths in " .. tostring(file)) end
  i = ((id or 1) * 7919) % #reqs
  bad = 0
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  if status < 200 or status > 399 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("bad") or 0) end
  io.write(string.format("bad_status %d\n", n))
  io.write(string.format("p50_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("bytes_per_s %.0f\n", summary.bytes / (summary.duration / 1e6)))
end
