/**
 * Trims one stream towards `maxLen` without removing an entry some consumer
 * group still needs. Redis 7.0 has no ACKED trim mode, so the safe bound is
 * computed from the groups: for each group, its oldest pending entry (read,
 * not acknowledged) or else the entry after its last-delivered id (it has not
 * read further). MINID trims below the lowest of those and below the length
 * bound; `~` lets Redis drop whole nodes only (cheap, approximate: never more
 * than asked). One key, so it runs on a Cluster. Returns entries removed.
 *
 * KEYS[1] stream; ARGV[1] maxLen; ARGV[2] most entries looked at in one run.
 */
export const TRIM_SCRIPT = `
local key = KEYS[1]
local maxlen = tonumber(ARGV[1])
local len = redis.call('XLEN', key)
if len <= maxlen then return 0 end
local excess = math.min(len - maxlen, tonumber(ARGV[2]))
local upto = redis.call('XRANGE', key, '-', '+', 'COUNT', excess + 1)
local bound = upto[#upto][1]
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local need
  if tonumber(info['pending']) > 0 then
    need = redis.call('XPENDING', key, info['name'])[2]
  else
    local ms, seq = parse(info['last-delivered-id'])
    need = string.format('%.0f-%.0f', ms, seq + 1)
  end
  if less(need, bound) then bound = need end
end
redis.call('XTRIM', key, 'MINID', '~', bound)
return len - redis.call('XLEN', key)
`;
