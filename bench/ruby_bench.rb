# frozen_string_literal: true

# One process, one table: the gem against what a Ruby service would use instead.
#
#   GEM_PATH=target/ruby/gem-home:$(gem env gempath) ruby bench/ruby_bench.rb [--quick]
#   (make bench does this after installing the gem)
#
# Every verify row checks the realistic token of issue 18 (bench/realistic_token.json: claims of
# about 900 bytes, 26 scopes, an `aud` list, `kid` among four keys); issuance signs the same claims.
# Rows (median microseconds per operation over several batches):
# - ours, verify uncached: KeySet#verify (the core's full check)
# - ours, cache hit: CompositeProvider#verify of a token it has verified before
# - ruby-jwt JWT.decode with a prepared key (RS256, audience checked)
# - UnitPrimitive.find_by_name and .all, against loading the same YAML directory with Psych
# - authenticate (headers -> user) on a cache hit; JsonWebToken#encode vs ruby-jwt JWT.encode
# - first use in a fresh process: require and the first UnitPrimitive lookup
# Targets (issue 5): verify >= 3x ruby-jwt, cache hit <= 2 us, lookups >= 20x a Psych load.
# With `--json PATH` it also writes its rows for bench/report.py (the one cross-language table).

require 'json'
require 'jwt'
require 'openssl'
require 'psych'
require 'rbconfig'
require 'gitlab/cloud_connector'

ROOT = File.expand_path('..', __dir__)
QUICK = ARGV.include?('--quick')
AUD = 'gitlab-ai-gateway'

def median_us(batch)
  yield
  samples = Array.new(QUICK ? 3 : 7) do
    start = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
    batch.times { yield }
    (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - start) / batch / 1000.0
  end
  samples.sort[samples.size / 2]
end

# Medians of the blocks timed in alternation, a batch of each per round: a machine whose speed
# drifts slows them alike, so their ratios (ours over the raw floor) hold.
def interleaved_us(batch, *blocks)
  blocks.each(&:call)
  samples = blocks.map { [] }
  (QUICK ? 5 : 21).times do
    blocks.each_with_index do |block, i|
      start = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
      batch.times { block.call }
      samples[i] << ((Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - start) / batch / 1000.0)
    end
  end
  samples.map { |s| s.sort[s.size / 2] }
end

vectors = JSON.parse(File.read(File.join(ROOT, 'tests/vectors/tokens.json')))
# The realistic token of issue 18 and its four-key JWKS (bench/make_realistic_token.py).
realistic = JSON.parse(File.read(File.join(ROOT, 'bench/realistic_token.json')))
rsa = OpenSSL::PKey::RSA.new(vectors.dig('keys', 'a'))
jwks = realistic.fetch('jwks')
token = realistic.fetch('token')
claims = realistic.fetch('claims')
kid = JWT.decode(token, nil, false)[1].fetch('kid')
public_key = JWT::JWK.import(jwks.fetch('keys').find { |k| k['kid'] == kid }).public_key
cc = Gitlab::CloudConnector
keys = cc::KeySet.from_jwks(jwks)
provider = cc::CompositeProvider.new([cc::KeySource.static_jwks('bench', JSON.generate(jwks))])
provider.verify(token, audience: AUD)
up = cc::DataModel::UnitPrimitive
up.all
yaml_dir = File.join(ROOT, 'config/unit_primitives')

ring = cc::KeyRing.new([vectors.dig('keys', 'a')])
instance_token = cc::JsonWebToken.new(issuer: claims['iss'], audience: claims['aud'], subject: claims['sub'],
                                      realm: claims['gitlab_realm'], scopes: claims['scopes'], ttl: 3600,
                                      extra_claims: { gitlab_instance_id: claims['gitlab_instance_id'] })
headers = { 'Authorization' => "Bearer #{token}", 'X-Gitlab-Authentication-Type' => 'oidc',
            'X-Gitlab-Instance-Id' => claims['gitlab_instance_id'], 'X-Gitlab-Realm' => claims['gitlab_realm'] }
user, error = cc.authenticate(headers, provider, service_name: AUD)
raise "authenticate failed: #{error}" unless user.authenticated

FIRST_USE = <<~RUBY
  start = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
  require 'gitlab/cloud_connector'
  Gitlab::CloudConnector::DataModel::UnitPrimitive.find_by_name(:duo_chat)
  puts (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - start) / 1000.0
RUBY

def first_use_us
  runs = Array.new(QUICK ? 3 : 7) { Float(IO.popen([RbConfig.ruby, '-e', FIRST_USE], &:read)) }
  runs.sort[runs.size / 2]
end

b = QUICK ? 200 : 1000
# Issue 18's ratio: ours and the raw signature check (the floor), alternating in this process.
floor = cc::Native::SignatureFloor.new(token, keys.instance_variable_get(:@native))
raw_us, verify_us = interleaved_us(b / 2, -> { floor.check }, -> { keys.verify(token, audience: AUD) })
# The same for issuance: the raw RS256 signature of one of our tokens, and our encode.
sign_floor = cc::Native::SigningFloor.new(vectors.dig('keys', 'a'), instance_token.encode(ring.current))
raw_sign_us, encode_us = interleaved_us(b / 10, -> { sign_floor.sign }, -> { instance_token.encode(ring.current) })
rows = [
  ['raw aws-lc-rs RS256 verify (SignatureFloor#check, same process)', raw_us],
  ['ours verify, uncached (KeySet#verify)', verify_us],
  ['ours cache hit (CompositeProvider#verify)', median_us(b * 10) { provider.verify(token, audience: AUD) }],
  ['ruby-jwt JWT.decode, prepared key', median_us(b) { JWT.decode(token, public_key, true, algorithm: 'RS256', aud: AUD, verify_aud: true) }],
  ['ours authenticate, cache hit (headers -> user)', median_us(b * 10) { cc.authenticate(headers, provider, service_name: AUD) }],
  ['raw aws-lc-rs RS256 sign (SigningFloor#sign, same process)', raw_sign_us],
  ['ours JsonWebToken#encode', encode_us],
  ['ruby-jwt JWT.encode', median_us(b / 10) { JWT.encode(claims, rsa, 'RS256', { kid: 'bench' }) }],
  ['ours first use (fresh process: require, lookup)', first_use_us],
  ['ours UnitPrimitive.find_by_name(:duo_chat)', median_us(b * 10) { up.find_by_name(:duo_chat) }],
  ['ours UnitPrimitive.all', median_us(b * 10) { up.all }],
  ['Psych load of config/unit_primitives/*.yml', median_us(QUICK ? 5 : 20) do
    Dir.glob(File.join(yaml_dir, '*.yml')).sort.map { |f| Psych.safe_load(File.read(f), permitted_classes: [Time]) }
  end]
]
t = rows.to_h
checks = [
  ['verify >= 3x ruby-jwt', t['ruby-jwt JWT.decode, prepared key'] / t['ours verify, uncached (KeySet#verify)'], 3.0],
  ['cache hit <= 2 us', 2.0 / t['ours cache hit (CompositeProvider#verify)'], 1.0],
  ['find_by_name >= 20x a Psych load', t['Psych load of config/unit_primitives/*.yml'] / t['ours UnitPrimitive.find_by_name(:duo_chat)'], 20.0],
  ['all >= 20x a Psych load', t['Psych load of config/unit_primitives/*.yml'] / t['ours UnitPrimitive.all'], 20.0]
]
puts format('%-52s %10s', 'ruby operation', 'median us')
rows.each { |name, us| puts format('%-52s %10.2f', name, us) }
puts
puts format('%-52s %10s  met', 'target', 'ratio')
checks.each { |name, ratio, need| puts format('%-52s %9.2fx  %s', name, ratio, ratio >= need ? 'yes' : 'NO') }

# (operation, implementation) of each row, for bench/report.py; "ours" marks our own rows.
ROW_KEYS = {
  'raw aws-lc-rs RS256 verify (SignatureFloor#check, same process)' => ['verify', 'raw aws-lc'],
  'ours verify, uncached (KeySet#verify)' => %w[verify ours],
  'ruby-jwt JWT.decode, prepared key' => %w[verify ruby-jwt],
  'ours cache hit (CompositeProvider#verify)' => %w[cache_hit ours],
  'ours authenticate, cache hit (headers -> user)' => %w[authenticate ours],
  'raw aws-lc-rs RS256 sign (SigningFloor#sign, same process)' => ['issue', 'raw aws-lc'],
  'ours JsonWebToken#encode' => %w[issue ours],
  'ruby-jwt JWT.encode' => %w[issue ruby-jwt],
  'ours first use (fresh process: require, lookup)' => %w[catalog_first_use ours],
  'ours UnitPrimitive.find_by_name(:duo_chat)' => %w[catalog_lookup ours],
  'Psych load of config/unit_primitives/*.yml' => ['catalog_lookup', 'Psych load']
}.freeze
if (i = ARGV.index('--json'))
  out = rows.filter_map { |name, us| ROW_KEYS[name] && { op: ROW_KEYS[name][0], impl: ROW_KEYS[name][1], us: us } }
  File.write(ARGV.fetch(i + 1), "#{JSON.pretty_generate(language: 'ruby', rows: out)}\n")
end
