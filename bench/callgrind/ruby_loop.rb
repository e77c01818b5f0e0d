# frozen_string_literal: true

# One path of the Ruby gem in a loop on the realistic token, for callgrind (bench/callgrind/per_call.sh).
#   ruby bench/callgrind/ruby_loop.rb verify|hit|issue N
require 'json'
require 'gitlab/cloud_connector'
ROOT = File.expand_path('../..', __dir__)
what = ARGV.fetch(0)
n = Integer(ARGV.fetch(1))
r = JSON.parse(File.read(File.join(ROOT, 'bench/realistic_token.json')))
token = r.fetch('token')
cc = Gitlab::CloudConnector
keys = cc::KeySet.from_jwks(r.fetch('jwks'))
provider = cc::CompositeProvider.new([cc::KeySource.static_jwks('bench', JSON.generate(r.fetch('jwks')))])
aud = 'gitlab-ai-gateway'
provider.verify(token, audience: aud)
keys.verify(token, audience: aud)
vectors = JSON.parse(File.read(File.join(ROOT, 'tests/vectors/tokens.json')))
ring = cc::KeyRing.new([vectors.dig('keys', 'a')])
c = r.fetch('claims')
jwt = cc::JsonWebToken.new(issuer: c['iss'], audience: c['aud'], subject: c['sub'], realm: c['gitlab_realm'],
                           scopes: c['scopes'], ttl: 3600, extra_claims: { gitlab_instance_id: c['gitlab_instance_id'] })
key = ring.current
jwt.encode(key)
case what
when 'verify' then n.times { keys.verify(token, audience: aud) }
when 'hit' then n.times { provider.verify(token, audience: aud) }
when 'issue' then n.times { jwt.encode(key) }
end
