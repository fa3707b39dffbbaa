/**
 * A stream read in one round trip: its positions from the list, then their
 * events from the hash. Reply: the records, in version order (each record
 * carries its own version and position).
 * KEYS: stream list, events hash. ARGV[1]: first list index (version - 1).
 */
export const READ_STREAM_SCRIPT = `
local positions = redis.call('LRANGE', KEYS[1], ARGV[1], -1)
local out = {}
local i = 1
while i <= #positions do
  local j = math.min(i + 999, #positions)
  local records = redis.call('HMGET', KEYS[2], unpack(positions, i, j))
  for k = 1, #records do
    out[#out + 1] = records[k]
  end
  i = j + 1
end
return out
`;
