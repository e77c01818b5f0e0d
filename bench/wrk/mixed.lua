-- wrk load proof: rotates valid, tampered, foreign-key and expired tokens on /auth and checks
-- every answer. Each request carries X-Request-Id "<case>-<n>", which serve echoes, so an answer
-- is matched to the token that was sent even with many connections per thread. Results go to
-- the file named by CC_LOAD_RESULT, one "name value" per line.

local cases = {
  { name = "valid",    token = os.getenv("CC_VALID"),    status = 200, subject = "load-valid" },
  { name = "tampered", token = os.getenv("CC_TAMPERED"), status = 401, code = os.getenv("CC_TAMPERED_CODE") },
  { name = "foreign",  token = os.getenv("CC_FOREIGN"),  status = 401, code = os.getenv("CC_FOREIGN_CODE") },
  { name = "expired",  token = os.getenv("CC_EXPIRED"),  status = 401, code = "token_expired" },
}
local by_name = {}
for _, c in ipairs(cases) do
  assert(c.token, "CC_" .. c.name:upper() .. " is not set")
  by_name[c.name] = c
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Counters are flat globals ("sent_valid", ...): done() reads them with thread:get, which copies
-- plain values between Lua states.
local function bump(name)
  _G[name] = _G[name] + 1
end

function init(args)
  n = 0
  valid_not_2xx, unmatched = 0, 0
  for _, c in ipairs(cases) do
    _G["sent_" .. c.name], _G["right_" .. c.name], _G["wrong_" .. c.name] = 0, 0, 0
  end
  first_wrong = ""
end

function request()
  n = n + 1
  local c = cases[(n % #cases) + 1]
  bump("sent_" .. c.name)
  return wrk.format("GET", "/auth", {
    ["Authorization"] = "Bearer " .. c.token,
    ["X-Gitlab-Authentication-Type"] = "oidc",
    ["X-Gitlab-Realm"] = "saas",
    ["X-Gitlab-Instance-Id"] = "load-valid",
    ["X-Gitlab-Unit-Primitive"] = "duo_chat",
    ["X-Request-Id"] = c.name .. "-" .. n,
  })
end

function response(status, headers, body)
  local id = headers["x-request-id"] or headers["X-Request-Id"]
  local c = id and by_name[id:match("^(%a+)-")]
  if not c then
    unmatched = unmatched + 1
    return
  end
  local ok
  if c.status == 200 then
    ok = status == 200 and headers["x-gitlab-subject"] == c.subject
    if status < 200 or status > 299 then valid_not_2xx = valid_not_2xx + 1 end
  else
    ok = status == c.status and body:find('"code":"' .. c.code .. '"', 1, true) ~= nil
  end
  if ok then
    bump("right_" .. c.name)
  else
    bump("wrong_" .. c.name)
    if first_wrong == "" then first_wrong = id .. " got " .. status .. " " .. body end
  end
end

function done(summary, latency, requests)
  local total = { unmatched = 0, valid_not_2xx = 0 }
  for _, c in ipairs(cases) do
    total["sent_" .. c.name], total["right_" .. c.name], total["wrong_" .. c.name] = 0, 0, 0
  end
  local first = ""
  for _, t in ipairs(threads) do
    for _, c in ipairs(cases) do
      for _, k in ipairs({ "sent_", "right_", "wrong_" }) do
        total[k .. c.name] = total[k .. c.name] + t:get(k .. c.name)
      end
    end
    total.unmatched = total.unmatched + t:get("unmatched")
    total.valid_not_2xx = total.valid_not_2xx + t:get("valid_not_2xx")
    if first == "" then first = t:get("first_wrong") end
  end
  local out = assert(io.open(os.getenv("CC_LOAD_RESULT"), "w"))
  for k, v in pairs(total) do out:write(k, " ", v, "\n") end
  out:write("requests ", summary.requests, "\n")
  out:write("errors ", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, "\n")
  out:write("first_wrong ", (first:gsub("\n", " ")), "\n")
  out:close()
end
