# frozen_string_literal: true

require "spec_helper"
require "jwt"
require "openssl"
require "base64"

# Providers and authenticate for Ruby services: the same results as the core and the Python
# package on tests/vectors/tokens.json's `authenticate` section.
AUTH_VECTORS = vectors("tokens.json")

RSpec.describe "Gitlab::CloudConnector.authenticate" do
  let(:auth) { AUTH_VECTORS["authenticate"] }
  let(:keys) { AUTH_VECTORS["keys"] }

  def provider(service)
    CC::CompositeProvider.new([CC::KeySource.local(keys["a"], keys["b"], service)])
  end

  AUTH_VECTORS["authenticate"]["cases"].each do |c|
    it "authenticate case #{c["id"]}" do
      user, error = CC.authenticate(c["headers"], provider(auth["service_name"]), bypass_auth: c["bypass_auth"],
                                                                                  service_name: auth["service_name"])
      want = c["expected"]
      expect(error).to eq(want["error"])
      expect(user.authenticated).to eq(want["authenticated"])
      expect(user.is_debug).to eq(want["is_debug"])
      expect(user.global_user_id).to eq(want["global_user_id"])
      case want["claims"]
      when nil then expect(user.claims).to be_nil
      when "empty"
        expect(user.claims.to_h.slice(:gitlab_realm, :scopes, :subject, :issuer, :duo_seat_count, :gitlab_instance_uid))
          .to eq(gitlab_realm: "", scopes: [], subject: "", issuer: "", duo_seat_count: "", gitlab_instance_uid: "")
      else
        want["claims"].each { |field, value| expect(user.claims.public_send(field)).to eq(value), field }
      end
    end
  end

  it "verifies through the composite, caches, and reports typed errors" do
    p = provider("gitlab-ai-gateway")
    expect(p.jwks["keys"].map { |k| k["kid"] }).to eq(%w[gitlab-ai-gateway_signing_key gitlab-ai-gateway_validation_key])
    expect(p.ready?).to be(true)
    pkey = OpenSSL::PKey::RSA.new(keys["a"])
    now = Time.now.to_i
    token = JWT.encode({ "aud" => "gitlab-ai-gateway", "exp" => now + 60, "sub" => "s" }, pkey, "RS256",
                       { kid: "gitlab-ai-gateway_signing_key" })
    2.times { expect(p.verify(token, audience: "gitlab-ai-gateway")["sub"]).to eq("s") }
    expect(p.cached_tokens).to eq(1)
    expect { p.verify(token, audience: "other") }.to raise_error(CC::AudienceMismatchError)
    static = CC::CompositeProvider.new([CC::KeySource.static_jwks("static", p.jwks)])
    expect(static.verify(token, audience: "gitlab-ai-gateway")["sub"]).to eq("s")
    expect { CC::KeySource.static_jwks("bad", "{") }.to raise_error(CC::Error)
    expect { CC::KeySource.oidc("x", "https://example.invalid", 0) }.to raise_error(CC::InvalidArgumentError)
    expect { CC::CompositeProvider.new([Object.new]) }.to raise_error(CC::InvalidArgumentError)
    expect { CC.authenticate({}, Object.new) }.to raise_error(CC::InvalidArgumentError)
    empty = CC::CompositeProvider.new([])
    expect { empty.verify(token, audience: "gitlab-ai-gateway") }.to raise_error(CC::ProviderUnavailableError)
  end

  it "answers can? and unit_primitives by the core's rule" do
    claims = CC::UserClaims.new(gitlab_realm: "saas", scopes: %w[duo_chat not_a_unit_primitive analyze_ci_job_failure ask_issue],
                                subject: "s", issuer: "gitlab.com", duo_seat_count: "", gitlab_instance_id: "",
                                gitlab_instance_uid: "", extra: nil)
    user = CC::CloudConnectorUser.new(authenticated: true, is_debug: false, global_user_id: nil, claims: claims)
    expect(user.can?(:duo_chat)).to be(true)
    expect(user.can?("ask_issue")).to be(true)
    expect(user.can?("explain_vulnerability")).to be(false)
    expect(user.can?("")).to be(false)
    expect(user.can?(:duo_chat, disallowed_issuers: ["gitlab.com"])).to be(false)
    expect(user.unit_primitives).to eq(%w[duo_chat analyze_ci_job_failure ask_issue]) # an alias counts
    debug = CC::CloudConnectorUser.new(authenticated: false, is_debug: true, global_user_id: nil, claims: nil)
    expect(debug.can?(:anything)).to be(true)
    expect(debug.unit_primitives).to eq([])
    anonymous = CC::CloudConnectorUser.new(authenticated: false, is_debug: false, global_user_id: nil, claims: nil)
    expect(anonymous.can(:duo_chat)).to be(false)
  end

  it "hands each caller its own claims on a cache hit, whatever the previous caller did to theirs" do
    p = provider("gitlab-ai-gateway")
    pkey = OpenSSL::PKey::RSA.new(keys["a"])
    token = JWT.encode({ "aud" => "gitlab-ai-gateway", "exp" => Time.now.to_i + 60, "sub" => "s", "scopes" => ["duo_chat"],
                         "extra" => { "tier" => ["a"] } }, pkey, "RS256", { kid: "gitlab-ai-gateway_signing_key" })
    first = p.verify(token, audience: "gitlab-ai-gateway")
    expect(first).not_to be_frozen
    expect(first["sub"]).to be_frozen
    first["scopes"] << "injected"
    first["extra"]["tier"] << "b"
    first["sub"] = "changed"
    GC.start
    GC.compact if GC.respond_to?(:compact)
    second = p.verify(token, audience: :"gitlab-ai-gateway")
    expect(second).to eq("aud" => "gitlab-ai-gateway", "exp" => first["exp"], "sub" => "s", "scopes" => ["duo_chat"],
                         "extra" => { "tier" => ["a"] })
    expect(second).not_to equal(first)
    expect(p.cached_tokens).to eq(1)
    expect(p.verify(token, audience: %w[other gitlab-ai-gateway])["sub"]).to eq("s")
    expect { p.verify(token, audience: [1]) }.to raise_error(CC::AudienceMismatchError)
  end

  it "refuses another payload under a cached token's signature, and keeps claim types and order on a hit" do
    p = provider("gitlab-ai-gateway")
    pkey = OpenSSL::PKey::RSA.new(keys["a"])
    claims = { "aud" => "gitlab-ai-gateway", "exp" => Time.now.to_i + 60, "sub" => "s", "n" => 1.5, "on" => true,
               "none" => nil, "scopes" => %w[duo_chat b], "nested" => { "list" => [1, { "x" => "y" }] } }
    token = JWT.encode(claims, pkey, "RS256", { kid: "gitlab-ai-gateway_signing_key" })
    header, _payload, signature = token.split(".")
    forged = [header, Base64.urlsafe_encode64(JSON.generate(claims.merge("sub" => "admin")), padding: false),
              signature].join(".")
    2.times do
      expect(p.verify(token, audience: "gitlab-ai-gateway")).to eq(claims)
      expect { p.verify(forged, audience: "gitlab-ai-gateway") }.to raise_error(CC::InvalidSignatureError)
    end
    expect(p.cached_tokens).to eq(1)
    hit = p.verify(token, audience: "gitlab-ai-gateway")
    expect(hit.keys).to eq(claims.keys.sort) # the core's order (today's)
    expect(hit.keys).to all(be_frozen)
    expect([hit, hit["scopes"], hit["nested"], hit["nested"]["list"], hit["nested"]["list"][1]]).to all(satisfy { |v| !v.frozen? })
    hit["nested"]["list"][1]["x"] = "changed"
    expect(p.verify(token, audience: "gitlab-ai-gateway")["nested"]).to eq("list" => [1, { "x" => "y" }])
    set = CC::KeySet.from_jwks(p.jwks)
    expect(set.verify(token, audience: "gitlab-ai-gateway")).to eq(claims)
    expect { set.verify(forged, audience: "gitlab-ai-gateway") }.to raise_error(CC::InvalidSignatureError)
    uncached = CC::CompositeProvider.new([CC::KeySource.local(keys["a"], keys["b"], "gitlab-ai-gateway")], token_cache_size: 0)
    2.times do
      got = uncached.verify(token, audience: "gitlab-ai-gateway")
      expect(got).to eq(claims)
      expect([got, got["scopes"], got["nested"]]).to all(satisfy { |v| !v.frozen? })
      expect { uncached.verify(forged, audience: "gitlab-ai-gateway") }.to raise_error(CC::InvalidSignatureError)
    end
    expect(uncached.cached_tokens).to eq(0)
  end

  it "KeySet#verify takes an audience as a String, a Symbol or an Array, with or without options" do
    ring = CC::KeyRing.new([keys["a"]])
    set = ring.key_set
    token = CC::JsonWebToken.new(issuer: "i", audience: %w[x y], subject: "s", realm: "r", scopes: ["a"], ttl: 60,
                                 extra_claims: {}).encode(ring.current)
    expect(set.verify(token, audience: "x")["sub"]).to eq("s")
    expect(set.verify(token, audience: :y)["sub"]).to eq("s")
    expect(set.verify(token, audience: %w[z y])["sub"]).to eq("s")
    expect(set.verify(token, audience: "x", leeway: 5)["sub"]).to eq("s")
    expect { set.verify(token, audience: "z") }.to raise_error(CC::AudienceMismatchError)
    expect { set.verify(token) }.to raise_error(CC::AudienceMismatchError)
    expect { set.verify(token, audience: 5) }.to raise_error(CC::InvalidArgumentError, /audience/)
  end

  it "fails an OIDC source that cannot be reached with a typed error, not a crash" do
    source = CC::KeySource.oidc("down", "http://127.0.0.1:9", 1)
    expect(source.name).to eq("down")
    expect { source.load }.to raise_error(CC::Error) { |e| expect(e.code).to eq("jwks_fetch_failed") }
  end
end
