// The Redis side of the shared state, as Lua scripts: each runs atomically in Redis, so a check and
// the write it guards cannot be split by another process (https://redis.io/docs/latest/develop/interactive/programmability/eval-intro/).
// Times come from the server's TIME, one clock for every host of the fleet.

/** The server's clock in epoch ms. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/**
 * A record is a hash `{v: sealed value, r: revision}`; revisions come from one counter (KEYS[2]), so a
 * record that expired and was written again never repeats an old revision.
 * KEYS: record, revision counter, lease ('' for none). ARGV: expected ('absent' | 'any' | n), value,
 * ttl ms ('' for none), lease value ('' for none). Returns the new revision, 0 on a conflict, -1 when
 * the lease is not held.
 */
export const SET_RECORD = `
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[4] then return -1 end
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'absent' then
  if exists then return 0 end
elseif ARGV[1] ~= 'any' then
  if not exists or redis.call('HGET', KEYS[1], 'r') ~= ARGV[1] then return 0 end
end
local rev = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', rev)
if ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) else redis.call('PERSIST', KEYS[1]) end
return rev`

/**
 * A lease is a string `owner|token` with an expiry; KEYS[2] counts grants (the fencing token).
 * Granting again to the same owner returns its token (a command resent after a lost reply).
 * KEYS: lease, fence counter. ARGV: owner, ttl ms. Returns the token, or -(ms left + 1) while held.
 */
export const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then
  local owner, token = string.match(current, '^(.*)|(%d+)$')
  if owner == ARGV[1] then return tonumber(token) end
  return -(redis.call('PTTL', KEYS[1]) + 1)
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token`

/** KEYS: lease. ARGV: value, ttl ms. 1 when extended, 0 when not held. */
export const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`

/** KEYS: lease. ARGV: value, wake channel, lease name. Releases and wakes the waiters. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`

/**
 * A gate is a hash: the token bucket (tokens, at), the pause (pausedUntil), and the probe after a
 * pause (probeNeeded, probeUntil). Same arithmetic as core's takeToken. KEYS: gate. ARGV: rate per
 * second ('' for none), burst, probe timeout ms. Returns {ms to wait, 1 if this request is the probe}.
 */
export const ADMIT = `
${NOW}
local g = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'pausedUntil', 'probeNeeded', 'probeUntil')
local paused = tonumber(g[3] or '0')
if now < paused then return {paused - now, 0} end
if g[4] == '1' then
  local until_ = tonumber(g[5] or '0')
  if now < until_ then return {math.min(50, until_ - now), 0} end
  redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[1], 86400000)
  return {0, 1}
end
if ARGV[1] == '' then return {0, 0} end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tokens = tonumber(g[1] or ARGV[2])
local at = tonumber(g[2] or now)
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[1], 86400000)
  return {0, 0}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 86400000)
return {math.ceil((1 - tokens) * 1000 / rate), 0}`

/**
 * KEYS: gate. ARGV: wait ms. Pauses every client until now + wait, then one probe; the bucket starts
 * empty at the end of the pause, so the clients that waited follow the probe at the rate, not at once.
 */
export const THROTTLED = `
${NOW}
local paused = math.max(tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0'), now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'pausedUntil', paused, 'probeNeeded', '1', 'probeUntil', '0', 'tokens', '0', 'at', paused)
redis.call('PEXPIRE', KEYS[1], 86400000)
return paused`

/** KEYS: gate. The probe went through: the others may send. */
export const RECOVERED = `
redis.call('HSET', KEYS[1], 'probeNeeded', '0', 'probeUntil', '0')
return 1`
