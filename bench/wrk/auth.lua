-- wrk: every request carries the Cloud Connector headers of one valid token (CC_TOKEN) asking for
-- duo_chat. The same script drives the bare endpoint, so both runs send identical requests.
local token = os.getenv("CC_TOKEN") or error("CC_TOKEN is not set")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["X-Gitlab-Authentication-Type"] = "oidc"
wrk.headers["X-Gitlab-Realm"] = "saas"
wrk.headers["X-Gitlab-Instance-Id"] = "bench-instance"
wrk.headers["X-Gitlab-Unit-Primitive"] = "duo_chat"
