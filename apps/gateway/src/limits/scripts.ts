/** The Lua scripts RedisLimitStore runs: each touches the keys of one subscription (one cluster slot). */

/**
 * Shared by the scripts below. Numbers are written with %.0f: Lua's default tostring keeps only 14
 * significant digits, too few for microsecond timestamps.
 * - clock(arg): the time in µs: `arg`, or Redis' own clock (TIME) when it is negative;
 * - readTats(now): each window's TAT (KEYS[2..]) as it is, raised to now;
 * - seededQuota(): the quota counter (KEYS[1]) after seeding it with its base (ARGV[3], expiring at
 *   ARGV[4] ms; ARGV[5] '1' raises a live counter to the base, otherwise SET NX);
 * - setTat(key, tat): stores a TAT that expires when it falls behind the clock.
 */
const PRELUDE = `
local function fmt(x)
  return string.format('%.0f', x)
end
local function clock(arg)
  local now = tonumber(arg)
  if now < 0 then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  end
  return now
end
local function readTats(now)
  local tats = {}
  for i = 1, #KEYS - 1 do
    local tat = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
    if tat < now then tat = now end
    tats[i] = tat
  end
  return tats
end
local function seededQuota()
  if ARGV[5] == '1' then
    local current = redis.call('GET', KEYS[1])
    if not current or tonumber(current) < tonumber(ARGV[3]) then
      redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
    end
  else
    redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PXAT', ARGV[4])
  end
  return tonumber(redis.call('GET', KEYS[1]))
end
local function setTat(key, tat)
  redis.call('SET', key, fmt(tat), 'PXAT', fmt(math.ceil(tat / 1000)))
end
`;

/**
 * KEYS[1] quota counter, KEYS[2..] one GCRA TAT (µs) per window — one hash tag, one cluster slot.
 * ARGV[1] now (µs), or -1 to use Redis' own clock (TIME), ARGV[2] quota limit (-1 = none), ARGV[3] quota
 * base, ARGV[4] quota expiry (ms), ARGV[5] 1 to raise a live quota counter to the base (else SET NX);
 * then per window i: ARGV[4+2i] emission interval (µs), ARGV[5+2i] capacity (µs).
 * Returns {outcome, quotaUsed, now, tat_1 … tat_n} with each TAT as before this request (raised to now);
 * outcome 0 allowed, 1 rate limited, 2 quota exceeded. Everything is read and checked before anything
 * is written, so a refusal consumes nothing.
 */
export const CONSUME_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local quotaLimit = tonumber(ARGV[2])
local n = #KEYS - 1
local reply = {0, 0, fmt(now)}
local tats = readTats(now)
for i = 1, n do
  reply[i + 3] = fmt(tats[i])
end
if quotaLimit >= 0 then
  reply[2] = seededQuota()
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
  setTat(KEYS[i + 1], tats[i] + tonumber(ARGV[4 + 2 * i]))
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
export const LEASE_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local quotaLimit = tonumber(ARGV[2])
local grant = tonumber(ARGV[6])
local n = #KEYS - 1
local reply = {0, 0, 0, fmt(now)}
local tats = readTats(now)
for i = 1, n do
  reply[i + 4] = fmt(tats[i])
end
if quotaLimit >= 0 then
  reply[3] = seededQuota()
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
  setTat(KEYS[i + 1], nextTat)
  reply[i + 4] = fmt(nextTat)
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
export const RELEASE_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local units = tonumber(ARGV[2])
for i = 2, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local back = tat - units * tonumber(ARGV[2 + i])
  if back <= now then
    redis.call('DEL', KEYS[i])
  else
    setTat(KEYS[i], back)
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
