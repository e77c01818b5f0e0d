# frozen_string_literal: true

require "spec_helper"
require "jwt"
require "openssl"
require "base64"
require "net/http"

# JWKS provider faults through the Ruby gem (issue #8): a real OIDC issuer on 127.0.0.1
# (spec/support/oidc_server.rb, its own process) goes down, slow, answers 500 or garbage, rotates
# its keys, and takes an unknown-kid storm. Throughout, a valid token whose key is already held
# keeps verifying, and the fetches the issuer sees (or, while it is down, the refreshes the
# provider reports) stay within the core's rules: one background refresh when the keys are due,
# no retry within retry_after_failure (30 s) after a failure, at most one unknown-kid refresh per
# cooldown.
module FaultSpec
  KEYS = vectors("tokens.json")["keys"]
  AUD = "gitlab-ai-gateway"
  TIMEOUT = 1.0 # the OIDC source's HTTP timeout
  TTL = 1.0 # expiry_seconds: held keys are due for a background refresh after this
  DISCOVERY = "/.well-known/openid-configuration"
  JWKS = "/jwks"

  def self.pkey(name) = (@pkeys ||= {})[name] ||= OpenSSL::PKey::RSA.new(KEYS[name])

  def self.jwk(name, kid)
    key = pkey(name)
    b64 = ->(bn) { Base64.urlsafe_encode64(bn.to_s(2), padding: false) }
    { "kty" => "RSA", "n" => b64.call(key.n), "e" => b64.call(key.e), "kid" => kid, "use" => "sig", "alg" => "RS256" }
  end

  def self.token(name, kid, n)
    JWT.encode({ "aud" => AUD, "sub" => "instance-1", "exp" => Time.now.to_i + 3600, "n" => n }, pkey(name), "RS256",
               { kid: kid })
  end

  # Distinct tokens (each a real signature check, not a cache hit), memoised across examples.
  def self.tokens(name, kid, count, start = 0)
    (@tokens ||= {})[[name, kid, count, start]] ||= Array.new(count) { |i| token(name, kid, start + i) }
  end

  def self.storm
    @storm ||= Array.new(1000) { |i| token("a", "unknown-#{i % 50}", i) }
  end

  # The issuer process and its control port.
  class Issuer
    attr_reader :url

    def initialize(keys)
      script = File.join(__dir__, "support", "oidc_server.rb")
      @io = IO.popen([RbConfig.ruby, script], "r")
      port, @control = @io.gets.split.map(&:to_i)
      @url = "http://127.0.0.1:#{port}"
      set("keys" => keys)
    end

    def post(path, body = {})
      Net::HTTP.start("127.0.0.1", @control) { |h| h.post(path, JSON.generate(body)) }
    end

    def set(state) = post("/state", state)
    def down = post("/down")
    def up = post("/up")

    def hits(path)
      JSON.parse(Net::HTTP.get(URI("http://127.0.0.1:#{@control}/hits"))).fetch(path, 0)
    end

    def fault(name)
      case name
      when "down" then down
      when "slow" then set("mode" => "slow", "delay" => TIMEOUT * 4) # past the source's timeout
      else set("mode" => name)
      end
    end

    def close
      Process.kill("TERM", @io.pid)
      @io.close
    end
  end
end

RSpec.describe "JWKS provider faults (Ruby)" do
  include FaultSpec

  let(:issuer) { FaultSpec::Issuer.new([FaultSpec.jwk("c_not_in_set", "gitlab-1")]) }
  let(:held) { FaultSpec.token("c_not_in_set", "gitlab-1", -1) }

  after { issuer.close }

  def provider(cooldown: 30.0, ttl: 86_400.0)
    source = CC::KeySource.oidc("Gitlab", issuer.url, FaultSpec::TIMEOUT)
    CC::CompositeProvider.new([source], expiry_seconds: ttl, unknown_kid_cooldown_seconds: cooldown)
  end

  # A provider holding the issuer's key: one discovery and one JWKS fetch so far.
  def started(**kw)
    p = provider(**kw)
    expect(p.verify(held, audience: FaultSpec::AUD)["sub"]).to eq("instance-1")
    expect([issuer.hits(FaultSpec::DISCOVERY), issuer.hits(FaultSpec::JWKS), p.refreshes]).to eq([1, 1, 1])
    p
  end

  def verifies?(p, token)
    p.verify(token, audience: FaultSpec::AUD)
    true
  rescue CC::Error
    false
  end

  def wait_for(seconds = 5)
    deadline = Time.now + seconds
    sleep 0.01 until yield || Time.now > deadline
    expect(yield).to be(true)
  end

  %w[down slow status500 garbage].each do |fault|
    it "keeps verifying a held key when the due refresh fails (#{fault}), and does not retry early" do
      tokens = FaultSpec.tokens("c_not_in_set", "gitlab-1", 150)
      more = FaultSpec.tokens("c_not_in_set", "gitlab-1", 150, 150)
      p = started(ttl: FaultSpec::TTL)
      issuer.fault(fault)
      sleep FaultSpec::TTL + 0.1 # the held keys are now due
      slowest = tokens.map do |t|
        began = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        expect(verifies?(p, t)).to be(true)
        Process.clock_gettime(Process::CLOCK_MONOTONIC) - began
      end.max
      # The refresh runs on a core thread without the GVL: verification never waited for it.
      expect(slowest).to be < FaultSpec::TIMEOUT / 2
      wait_for { p.refreshes == 2 }
      expect(more.all? { |t| verifies?(p, t) }).to be(true)
      expect(verifies?(p, held)).to be(true)
      expect(p.refreshes).to eq(2)
      expect(p.jwks["keys"].map { |k| k["kid"] }).to eq(["gitlab-1"])
      next if fault == "down"

      expect(issuer.hits(FaultSpec::DISCOVERY)).to eq(2)
      expect(issuer.hits(FaultSpec::JWKS)).to eq(fault == "slow" ? 2 : 1)
    end
  end

  %w[ok down slow status500 garbage].each do |fault|
    it "an unknown-kid storm of 1000 tokens fetches at most once per cooldown (#{fault})" do
      storm = FaultSpec.storm
      held_tokens = FaultSpec.tokens("c_not_in_set", "gitlab-1", 100)
      p = started
      issuer.fault(fault)
      began = Time.now
      results = Array.new(4) do |w|
        Thread.new do
          (w...storm.size).step(4).map do |i|
            raise "held key stopped verifying" unless verifies?(p, held_tokens[i % 100])

            verifies?(p, storm[i])
          end
        end
      end.flat_map(&:value)
      expect(results.size).to eq(1000)
      expect(results.none?).to be(true)
      expect(Time.now - began).to be < 30 # within one cooldown
      expect(p.refreshes).to be <= 2
      unless fault == "down"
        expect(issuer.hits(FaultSpec::DISCOVERY)).to be <= 2
        expect(issuer.hits(FaultSpec::JWKS)).to be <= 2
      end
      expect(verifies?(p, held)).to be(true)
    end
  end

  it "bounds refreshes by the cooldown setting over time" do
    cooldown = 0.25
    p = started(cooldown: cooldown)
    unknown = FaultSpec.token("a", "unknown", 0)
    began = Time.now
    calls = 0
    while Time.now - began < 1.5
      expect(verifies?(p, unknown)).to be(false)
      expect(verifies?(p, held)).to be(true)
      calls += 1
    end
    elapsed = Time.now - began
    fetches = issuer.hits(FaultSpec::JWKS) - 1
    expect(calls).to be > 100
    expect(fetches).to be_between(2, (elapsed / cooldown).ceil + 1)
    expect(p.refreshes).to eq(fetches + 1)
  end

  it "picks up a rotated key once, keeps the old one until it is retired, then drops it" do
    ttl = 2.0
    old = FaultSpec.tokens("c_not_in_set", "gitlab-1", 50)
    rotated = FaultSpec.tokens("b", "gitlab-2", 300)
    p = started(ttl: ttl)
    expect(verifies?(p, rotated[0])).to be(false) # not published yet: one fetch, no key
    expect(issuer.hits(FaultSpec::JWKS)).to eq(2)
    issuer.set("keys" => [FaultSpec.jwk("c_not_in_set", "gitlab-1"), FaultSpec.jwk("b", "gitlab-2")])
    expect(verifies?(p, rotated[1])).to be(false) # within the cooldown: not fetched again
    expect(old.all? { |t| verifies?(p, t) }).to be(true)
    expect(issuer.hits(FaultSpec::JWKS)).to eq(2)
    sleep ttl + 0.1 # the keys are due: the next request starts a background refresh
    expect(verifies?(p, old[0])).to be(true)
    wait_for { p.refreshes == 3 }
    expect((rotated + old).all? { |t| verifies?(p, t) }).to be(true)
    expect(issuer.hits(FaultSpec::JWKS)).to eq(3)
    issuer.set("keys" => [FaultSpec.jwk("b", "gitlab-2")])
    sleep ttl + 0.1
    expect(verifies?(p, rotated[0])).to be(true)
    wait_for { p.refreshes == 4 }
    # A key the issuer no longer publishes is not kept, and its cached tokens go with it.
    expect(verifies?(p, old[0])).to be(false)
    expect(rotated.first(50).all? { |t| verifies?(p, t) }).to be(true)
  end

  it "comes back after being down, with keys rotated meanwhile" do
    rotated = FaultSpec.token("b", "gitlab-2", 0)
    p = started(cooldown: 0.2)
    issuer.down
    expect(verifies?(p, rotated)).to be(false) # the refresh fails: connection refused
    expect(verifies?(p, held)).to be(true)
    issuer.set("keys" => [FaultSpec.jwk("c_not_in_set", "gitlab-1"), FaultSpec.jwk("b", "gitlab-2")])
    issuer.up
    sleep 0.25 # past the cooldown
    expect(verifies?(p, rotated)).to be(true)
    expect(verifies?(p, held)).to be(true)
    expect(p.ready?).to be(true)
    expect(issuer.hits(FaultSpec::JWKS)).to eq(2)
    expect(p.refreshes).to eq(3)
  end
end
