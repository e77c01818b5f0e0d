-- GCRA over every counter a request falls under, in one atomic step (see gcra.rs, whose rule
-- this transcribes). KEYS: the counters. ARGV: per key, the emission interval and the
-- tolerance in microseconds. Redis' own clock judges, so replicas' clocks need not agree.
-- Returns {admitted (1|0), now, tat_1, ..., tat_n}, times in microseconds.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats = {}
local admitted = 1
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tats[i] = tat
  if tat + interval - now > tolerance then admitted = 0 end
end
if admitted == 1 then
  for i, key in ipairs(KEYS) do
    local new = tats[i] + tonumber(ARGV[2 * i - 1])
    -- '%.0f': tostring would print a large number in exponent form and lose digits.
    local ttl = math.max(1, math.ceil((new - now) / 1000))
    redis.call('SET', key, string.format('%.0f', new), 'PX', ttl)
  end
end
local out = {admitted, now}
for i = 1, #tats do out[#out + 1] = tats[i] end
return out
