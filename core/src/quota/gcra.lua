-- GCRA for a batch of requests, judged one after another in one atomic step (see gcra.rs, whose
-- rule this transcribes). KEYS: every request's counters, request after request. ARGV: the
-- number of requests, then per request its number of counters n followed by n pairs (emission
-- interval, tolerance), in microseconds. Redis' own clock judges, so replicas' clocks need not
-- agree. Returns {now, then per request: admitted (1|0), tat_1, ..., tat_n}, times in
-- microseconds.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {now}
local k = 0
local a = 2
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  local tats = {}
  local admitted = 1
  for i = 1, n do
    local tat = tonumber(redis.call('GET', KEYS[k + i])) or now
    if tat < now then tat = now end
    tats[i] = tat
    if tat + tonumber(ARGV[a + 2 * i - 1]) - now > tonumber(ARGV[a + 2 * i]) then admitted = 0 end
  end
  if admitted == 1 then
    for i = 1, n do
      local new = tats[i] + tonumber(ARGV[a + 2 * i - 1])
      -- '%.0f': tostring would print a large number in exponent form and lose digits.
      local ttl = math.max(1, math.ceil((new - now) / 1000))
      redis.call('SET', KEYS[k + i], string.format('%.0f', new), 'PX', ttl)
    end
  end
  out[#out + 1] = admitted
  for i = 1, n do out[#out + 1] = tats[i] end
  k = k + n
  a = a + 1 + 2 * n
end
return out
