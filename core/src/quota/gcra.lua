-- GCRA for a batch of requests, judged one after another in one atomic step (see gcra.rs, whose
-- rule this transcribes). KEYS: every request's counters, request after request. ARGV: the
-- number of requests, then per request its number of counters n followed by n pairs (emission
-- interval, tolerance), in microseconds. Redis' own clock judges, so replicas' clocks need not
-- agree. Returns {now, then per request: admitted (1|0), tat_1, ..., tat_n}, times in
-- microseconds.
--
-- A batch's requests often share counters (one instance's, one realm's): each counter is read
-- once, judged in memory request after request, and written once at the end with its last
-- value. Within one script nothing else runs, so this is the same as a GET and a SET per
-- request; Redis' cost per command was most of a decision's.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {now}
local held = {}
local changed = {}
local function tat_of(key)
  local tat = held[key]
  if tat == nil then
    tat = tonumber(redis.call('GET', key)) or now
    if tat < now then tat = now end
    held[key] = tat
  end
  return tat
end
local k = 0
local a = 2
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  local tats = {}
  local admitted = 1
  for i = 1, n do
    local tat = tat_of(KEYS[k + i])
    tats[i] = tat
    if tat + tonumber(ARGV[a + 2 * i - 1]) - now > tonumber(ARGV[a + 2 * i]) then admitted = 0 end
  end
  if admitted == 1 then
    for i = 1, n do
      local key = KEYS[k + i]
      held[key] = tats[i] + tonumber(ARGV[a + 2 * i - 1])
      changed[key] = true
    end
  end
  out[#out + 1] = admitted
  for i = 1, n do out[#out + 1] = tats[i] end
  k = k + n
  a = a + 1 + 2 * n
end
for key in pairs(changed) do
  local tat = held[key]
  -- '%.0f': tostring would print a large number in exponent form and lose digits.
  local ttl = math.max(1, math.ceil((tat - now) / 1000))
  redis.call('SET', key, string.format('%.0f', tat), 'PX', ttl)
end
return out
