/**
 * The whole append as one Lua script, so the version check, the position
 * assignment and the writes are one atomic step on the server — across any
 * number of connections and processes.
 *
 * KEYS: stream list, events hash, head counter.
 * ARGV[1]: expected version ('any' | 'no-stream' | 'stream-exists' | '<n>').
 * ARGV[2..]: encoded events (`<timestamp>|<json>`), in order; each is stored
 * as `<version>|<position>|<timestamp>|<json>` under its position.
 * Reply: {1, nextVersion, lastPosition} or, on conflict, {0, actualVersion}.
 *
 * Nothing is written before the check passes, and the first write is the
 * INCRBY: Redis refuses a script for OOM (or missing replicas) only at its first
 * write, never half-way, so a batch is applied whole or not at all. Positions
 * therefore stay dense (1, 2, 3, … with no gaps), which is what lets readers
 * page the log by position with HMGET.
 */
export const APPEND_SCRIPT = `
local actual = redis.call('LLEN', KEYS[1])
local expected = ARGV[1]
local ok
if expected == 'any' then
  ok = true
elseif expected == 'no-stream' then
  ok = actual == 0
elseif expected == 'stream-exists' then
  ok = actual > 0
else
  ok = actual == tonumber(expected)
end
if not ok then
  return {0, actual}
end
local n = #ARGV - 1
if n == 0 then
  return {1, actual, tonumber(redis.call('GET', KEYS[3]) or '0')}
end
local last = redis.call('INCRBY', KEYS[3], n)
local first = last - n
local positions = {}
for i = 1, n do
  local position = first + i
  redis.call('HSET', KEYS[2], position, string.format('%d|%d|', actual + i, position) .. ARGV[i + 1])
  positions[#positions + 1] = position
  -- unpack() has a stack limit; push in chunks.
  if #positions == 1000 then
    redis.call('RPUSH', KEYS[1], unpack(positions))
    positions = {}
  end
end
if #positions > 0 then
  redis.call('RPUSH', KEYS[1], unpack(positions))
end
return {1, actual + n, last}
`;
