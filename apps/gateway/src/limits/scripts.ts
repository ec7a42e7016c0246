/** The Lua scripts RedisLimitStore runs: each touches the keys of one subscription (one cluster slot). */

/**
 * KEYS[1] quota counter, KEYS[2..] one GCRA TAT (µs) per window — one hash tag, one cluster slot.
 * ARGV[1] now (µs), or -1 to use Redis' own clock (TIME), ARGV[2] quota limit (-1 = none), ARGV[3] quota
 * base, ARGV[4] quota expiry (ms), ARGV[5] 1 to raise a live quota counter to the base (else SET NX);
 * then per window i: ARGV[4+2i] emission interval (µs), ARGV[5+2i] capacity (µs).
 * Returns {outcome, quotaUsed, now, tat_1 … tat_n} with each TAT as before this request (raised to now);
 * outcome 0 allowed, 1 rate limited, 2 quota exceeded. Everything is read and checked before anything
 * is written, so a refusal consumes nothing. Numbers are written with %.0f: Lua's default tostring
 * keeps only 14 significant digits, too few for microsecond timestamps.
 */
export const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local quotaLimit = tonumber(ARGV[2])
local n = #KEYS - 1
local reply = {0, 0, string.format('%.0f', now)}
local tats = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  reply[i + 3] = string.format('%.0f', tat)
end
if quotaLimit >= 0 then
  if ARGV[5] == '1' then
    local current = redis.call('GET', KEYS[1])
    if not current or tonumber(current) < tonumber(ARGV[3]) then
      redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
    end
  else
    redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PXAT', ARGV[4])
  end
  reply[2] = tonumber(redis.call('GET', KEYS[1]))
  if reply[2] >= quotaLimit then
    reply[1] = 2
    return reply
  end
end
for i = 1, n do
  if tats[i] + tonumber(ARGV[4 + 2 * i]) - now > tonumber(ARGV[5 + 2 * i]) then
    reply[1] = 1
    return reply
  end
end
for i = 1, n do
  local nextTat = tats[i] + tonumber(ARGV[4 + 2 * i])
  redis.call('SET', KEYS[i + 1], string.format('%.0f', nextTat), 'PXAT', string.format('%.0f', math.ceil(nextTat / 1000)))
end
if quotaLimit >= 0 then
  reply[2] = redis.call('INCR', KEYS[1])
end
return reply
`;

/**
 * A lease for local-first limits: up to ARGV[6] requests' worth of every window and of the quota, taken
 * at once (as many as all of them allow, all or nothing per unit), for the instance to hand out itself.
 * Same keys and ARGV[1..5] as CONSUME_SCRIPT; per window i: ARGV[5+2i] interval (µs), ARGV[6+2i] capacity.
 * Returns {outcome, granted, quotaUsed, now, tat_1 … tat_n}: on a grant (outcome 0) the TATs and quota
 * count after it, on a refusal (1 rate limited, 2 quota exceeded) the state before, nothing written.
 */
export const LEASE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local quotaLimit = tonumber(ARGV[2])
local grant = tonumber(ARGV[6])
local n = #KEYS - 1
local reply = {0, 0, 0, string.format('%.0f', now)}
local tats = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  reply[i + 4] = string.format('%.0f', tat)
end
if quotaLimit >= 0 then
  if ARGV[5] == '1' then
    local current = redis.call('GET', KEYS[1])
    if not current or tonumber(current) < tonumber(ARGV[3]) then
      redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
    end
  else
    redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PXAT', ARGV[4])
  end
  reply[3] = tonumber(redis.call('GET', KEYS[1]))
  if reply[3] >= quotaLimit then
    reply[1] = 2
    return reply
  end
  if quotaLimit - reply[3] < grant then grant = quotaLimit - reply[3] end
end
for i = 1, n do
  local room = math.floor((tonumber(ARGV[6 + 2 * i]) - (tats[i] - now)) / tonumber(ARGV[5 + 2 * i]))
  if room < grant then grant = room end
end
if grant < 1 then
  reply[1] = 1
  return reply
end
for i = 1, n do
  local nextTat = tats[i] + grant * tonumber(ARGV[5 + 2 * i])
  redis.call('SET', KEYS[i + 1], string.format('%.0f', nextTat), 'PXAT', string.format('%.0f', math.ceil(nextTat / 1000)))
  reply[i + 4] = string.format('%.0f', nextTat)
end
if quotaLimit >= 0 then
  reply[3] = redis.call('INCRBY', KEYS[1], grant)
end
reply[2] = grant
return reply
`;

/**
 * Gives back the unused part of a lease: ARGV[1] now (µs, -1 = TIME), ARGV[2] units, ARGV[3] 1 when
 * KEYS[1] is a quota counter; per window i: ARGV[3+i] interval (µs). A TAT moved back to or before now
 * is an empty window and is deleted; the quota counter never goes below 0.
 */
export const RELEASE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local units = tonumber(ARGV[2])
for i = 2, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local back = tat - units * tonumber(ARGV[2 + i])
  if back <= now then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], string.format('%.0f', back), 'PXAT', string.format('%.0f', math.ceil(back / 1000)))
  end
end
if ARGV[3] == '1' then
  local used = tonumber(redis.call('GET', KEYS[1]) or '-1')
  if used >= 0 then
    local left = used - units
    if left < 0 then left = 0 end
    redis.call('SET', KEYS[1], left, 'KEEPTTL')
  end
end
return 1
`;
