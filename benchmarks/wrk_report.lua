-- wrk script: optional list of paths to cycle through (file named by the PATHS_FILE environment variable,
-- one path a line) and a one-line JSON summary with p50/p95/p99 latency (microseconds) at the end.
local paths = {}
local counter = 0

local file_name = os.getenv("PATHS_FILE")
if file_name and file_name ~= "" then
  for line in io.lines(file_name) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  index = offset or 0
end

function request()
  if #paths == 0 then
    return wrk.format(nil)
  end
  index = index + 1
  return wrk.format(nil, paths[(index % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(95.0), latency:percentile(99.0), latency.max))
end
