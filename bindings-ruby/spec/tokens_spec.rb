# frozen_string_literal: true

require "spec_helper"
require "jwt"
require "openssl"
require "base64"

# The token half: JsonWebToken (RB-JWT-01), TokenIssuer (RB-TI-01), KeyRing (RB-KEY-01),
# verification, interop with Debian's ruby-jwt.
TOKEN_VECTORS = vectors("tokens.json")

def b64_json(part)
  JSON.parse(Base64.urlsafe_decode64(part + ("=" * ((4 - (part.size % 4)) % 4))))
end

def rails_jwk(pkey = OpenSSL::PKey::RSA.new(2048))
  JWT::JWK.new(pkey, kid_generator: JWT::JWK::Thumbprint)
end

RSpec.describe CC::JsonWebToken do
  let(:pkey) { OpenSSL::PKey::RSA.new(TOKEN_VECTORS["keys"]["a"]) }
  let(:jwk) { rails_jwk(pkey) }
  let(:ttl) { 3600 }
  let(:extra_claims) { { custom: "value", "gitlab_instance_uid" => "uid" } }
  let(:token) do
    described_class.new(issuer: "https://gitlab.com", audience: "gitlab-ai-gateway", subject: "instance-uuid",
                        realm: "saas", scopes: %w[duo_chat code_suggestions], ttl: ttl, extra_claims: extra_claims)
  end

  describe "RB-JWT-01" do
    it "has the gem's constants" do
      expect(described_class::SIGNING_ALGORITHM).to eq("RS256")
      expect(described_class::NOT_BEFORE_TIME_SEC).to eq(5)
    end

    it "sets iat, nbf and exp from now and ttl, and signs with an RS256 header carrying the JWK's kid" do
      before = Time.now.to_i
      encoded = token.encode(jwk)
      after = Time.now.to_i
      payload, header = JWT.decode(encoded, pkey.public_key, true, algorithm: "RS256")
      expect(payload["iat"]).to be_between(before, after)
      expect(payload["iat"]).to eq(token.issued_at)
      expect(payload["nbf"]).to eq(payload["iat"] - 5)
      expect(payload["exp"]).to eq(payload["iat"] + ttl)
      expect(token.expires_at).to eq(payload["exp"])
      expect(header).to eq("alg" => "RS256", "typ" => "JWT", "kid" => jwk.kid)
      expect(header["kid"]).to be_a(String)
      expect(payload["jti"]).to be_a(String)
      expect(payload["jti"]).to match(/\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/)
      expect(payload).to include("gitlab_realm" => "saas", "scopes" => %w[duo_chat code_suggestions],
                                 "custom" => "value", "gitlab_instance_uid" => "uid",
                                 "aud" => "gitlab-ai-gateway", "sub" => "instance-uuid", "iss" => "https://gitlab.com")
    end

    it "reads the clock through Time (frozen time works as in Rails' specs)" do
      allow(Time).to receive(:now).and_return(Time.at(1_700_000_000))
      payload, = JWT.decode(token.encode(jwk), pkey.public_key, true, algorithm: "RS256", verify_expiration: false)
      expect(payload.values_at("iat", "nbf", "exp")).to eq([1_700_000_000, 1_700_000_000 - 5, 1_700_000_000 + ttl])
    end

    it "encodes from several threads at once" do
      tokens = Array.new(4) { Thread.new { Array.new(3) { token.encode(jwk) } } }.flat_map(&:value)
      expect(tokens.map { |t| JWT.decode(t, pkey.public_key, true, algorithm: "RS256").first["jti"] }.uniq.size).to eq(1)
    end

    it "gives the payload with Symbol keys in the Rails order, extra claims last" do
      expect(token.payload.keys).to eq([*%i[jti aud sub iss iat nbf exp gitlab_realm scopes custom], "gitlab_instance_uid"])
      expect(token.payload[:jti]).to eq(token.id)
    end

    # The payload is the gem's Hash merge (a String key is another key); the token is what a
    # decoder of the gem's JSON (duplicate members, last wins) reads.
    it "lets extra claims override standard ones in the token, String and Symbol keys alike (last wins)" do
      t = described_class.new(issuer: "i", audience: %w[a b], subject: "s", realm: "r", scopes: [:duo_chat], ttl: 60,
                              extra_claims: { "iss" => "string-iss", sub: "symbol-sub", "x" => 1, x: 2 })
      expect(t.payload).to include(iss: "i", "iss" => "string-iss", sub: "symbol-sub", "x" => 1, x: 2,
                                   aud: %w[a b], scopes: [:duo_chat])
      expect(t.payload.keys).to eq([*%i[jti aud sub iss iat nbf exp gitlab_realm scopes], "iss", "x", :x])
      payload, = JWT.decode(t.encode(jwk), pkey.public_key, true, algorithm: "RS256")
      expect(payload).to include("iss" => "string-iss", "sub" => "symbol-sub", "x" => 2, "aud" => %w[a b])
    end

    it "accepts Float seconds and objects in extra claims as JSON" do
      t = described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [], ttl: 10.9,
                              extra_claims: { nested: { a: [1, nil, true] } })
      expect(t.expires_at - t.issued_at).to eq(10)
      expect(t.payload[:nested]).to eq(a: [1, nil, true])
    end

    # Issue 13: Rails' specs compare `payload` with what they passed in.
    it "keeps payload values as given (Symbol scopes, String extra-claim keys) and the token unchanged" do
      t = described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [:code_suggestions], ttl: 60,
                              extra_claims: { "gitlab_instance_uid" => "uid", nested: { k: :v } })
      expect(t.payload[:scopes]).to eq([:code_suggestions])
      expect(t.payload["gitlab_instance_uid"]).to eq("uid")
      expect(t.payload).not_to have_key(:gitlab_instance_uid)
      expect(t.payload[:nested]).to eq(k: :v)
      payload, = JWT.decode(t.encode(jwk), pkey.public_key, true, algorithm: "RS256")
      expect(payload).to include("scopes" => ["code_suggestions"], "gitlab_instance_uid" => "uid", "nested" => { "k" => "v" })
      issuer = CC::TokenIssuer.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: 60, jwk: jwk,
                                   extra_claims: { "gitlab_instance_uid" => "uid" })
      expect(issuer.json_web_token.payload).to include("gitlab_instance_uid" => "uid")
    end

    it "accepts subject: nil and encodes \"sub\": null, as the gem does" do
      t = described_class.new(issuer: "i", audience: "a", subject: nil, realm: "r", scopes: [], ttl: 60)
      expect(t.payload).to include(sub: nil)
      encoded = t.encode(jwk)
      expect(b64_json(encoded.split(".")[1])).to include("sub" => nil)
      payload, = JWT.decode(encoded, pkey.public_key, true, algorithm: "RS256")
      expect(payload).to have_key("sub")
      expect(payload["sub"]).to be_nil
    end

    it "signs with our own key (kid = RFC 7638 thumbprint) and with a JWK's kid whatever it is" do
      key = CC::SigningKey.from_pem(TOKEN_VECTORS["keys"]["a"])
      expect(key.kid).to eq(jwk.kid) # ruby-jwt's Thumbprint generator agrees with the core
      _, header = JWT.decode(token.encode(key), pkey.public_key, true, algorithm: "RS256")
      expect(header["kid"]).to eq(key.kid)
      custom = JWT::JWK.new(pkey, kid: "my-kid")
      _, header = JWT.decode(token.encode(custom), pkey.public_key, true, algorithm: "RS256")
      expect(header["kid"]).to eq("my-kid")
    end

    it "parses an OpenSSL key once per key object and per key material" do
      expect(CC::Native::SigningKey).to receive(:from_pem).once.and_call_original
      fresh = OpenSSL::PKey::RSA.new(2048)
      3.times { token.encode(rails_jwk(fresh)) }
      # The same material in a new object: found by digest.
      3.times { token.encode(rails_jwk(OpenSSL::PKey::RSA.new(fresh.to_pem))) }
    end

    it "raises typed errors for bad input" do
      expect { token.encode(Object.new) }.to raise_error(CC::InvalidArgumentError)
      expect { token.encode(JWT::JWK.new(pkey.public_key)) }.to raise_error(CC::KeyInvalidError)
      expect { CC::SigningKey.from_pem("not a pem") }.to raise_error(CC::Error) { |e| expect(e.code).to be_a(String) }
      bad = { ttl: "1h" }
      expect { described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [], **bad) }
        .to raise_error(CC::InvalidArgumentError)
      [(2**63) - 1, 2**64].each do |ttl|
        expect { described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [], ttl: ttl) }
          .to raise_error(CC::InvalidArgumentError, /\Attl must be a whole number of seconds from -31536000 to 31536000; got /)
      end
      expect { described_class.new(issuer: nil, audience: "a", subject: "s", realm: "r", scopes: [], ttl: 1) }
        .to raise_error(CC::InvalidArgumentError, /issuer/)
      expect { described_class.new(issuer: "i", audience: 5, subject: "s", realm: "r", scopes: [], ttl: 1) }
        .to raise_error(CC::InvalidArgumentError)
      expect { described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [Object.new], ttl: 1) }
        .to raise_error(CC::InvalidArgumentError)
      expect { described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [], ttl: 1, extra_claims: { 1 => 2 }) }
        .to raise_error(CC::InvalidArgumentError)
      expect { described_class.new(issuer: "i", audience: "a", subject: "s", realm: "r", scopes: [], ttl: 1, extra_claims: [1]) }
        .to raise_error(CC::InvalidArgumentError)
    end
  end
end

RSpec.describe CC::TokenIssuer do
  let(:pkey) { OpenSSL::PKey::RSA.new(TOKEN_VECTORS["keys"]["b"]) }
  let(:jwk) { rails_jwk(pkey) }
  let(:past) { Time.utc(2020, 1, 1) }
  let(:future) { Time.now.utc + (365 * 86_400) }
  let(:rows) do
    {
      "unit_primitives" => [
        { name: "no_cutoff", description: "d", group: "g", feature_category: "f", backend_services: ["ai-backend"], add_ons: [], license_types: [] },
        { name: "free_access", description: "d", group: "g", feature_category: "f", cut_off_date: future, backend_services: ["ai-backend"], add_ons: ["addon1"], license_types: [] },
        { name: "addon1_only", description: "d", group: "g", feature_category: "f", cut_off_date: past, backend_services: ["ai-backend"], add_ons: ["addon1"], license_types: [] },
        { name: "addon1_and_2", description: "d", group: "g", feature_category: "f", cut_off_date: past, backend_services: ["ai-backend"], add_ons: %w[addon1 addon2], license_types: [] },
      ],
      "backend_services" => [{ name: "ai-backend", description: "d", jwt_aud: "https://ai.gitlab.com", group: "g", project_url: "https://example.com" }],
      "add_ons" => [{ name: "addon1", description: "d" }, { name: "addon2", description: "d" }],
      "license_types" => [],
      "services" => [],
    }
  end

  def use_loader(rows)
    CC::Configuration.data_loader_class = Class.new(CC::DataModel::AbstractDataLoader) do
      define_method(:load!) { Array(rows[model_class.table_name]).map { |row| model_class.new(**row) } }
    end
  end

  def issue(add_ons, **extra)
    described_class.new(name_or_url: "https://gitlab.example.com", subject: "instance-uuid", realm: "self-managed",
                        active_add_ons: add_ons, ttl: 3600, jwk: jwk, extra_claims: { custom: "claim" }, **extra)
  end

  describe "RB-TI-01" do
    {
      [] => %w[no_cutoff free_access],
      %w[addon1] => %w[no_cutoff free_access addon1_only addon1_and_2],
      %w[addon2] => %w[no_cutoff free_access addon1_and_2],
      %w[addon1 addon2] => %w[no_cutoff free_access addon1_only addon1_and_2],
    }.each do |add_ons, scopes|
      it "grants #{scopes.join(", ")} for add-ons #{add_ons.inspect} from a Ruby loader's records" do
        use_loader(rows)
        payload, header = JWT.decode(issue(add_ons).token, pkey.public_key, true, algorithm: "RS256")
        expect(payload["scopes"]).to eq(scopes)
        expect(payload["aud"]).to eq(["https://ai.gitlab.com"])
        expect(payload).to include("iss" => "https://gitlab.example.com", "sub" => "instance-uuid",
                                   "gitlab_realm" => "self-managed", "custom" => "claim")
        %w[exp iat nbf].each { |c| expect(payload[c]).to be_a(Integer) }
        expect(payload["jti"]).to be_a(String)
        expect(header).to eq("alg" => "RS256", "typ" => "JWT", "kid" => jwk.kid)
      end
    end

    it "issues an empty token when nothing is selected" do
      use_loader(rows.merge("unit_primitives" => rows["unit_primitives"].drop(2)))
      payload, = JWT.decode(issue([]).token, pkey.public_key, true, algorithm: "RS256")
      expect(payload["scopes"]).to eq([])
      expect(payload["aud"]).to eq([])
    end

    it "uses the bundled catalog by default, code_suggestions reading as duo_pro" do
      ours = issue(["code_suggestions"]).json_web_token.payload
      duo_pro = issue(["duo_pro"]).json_web_token.payload
      expect(ours[:scopes]).to eq(duo_pro[:scopes])
      expect(ours[:scopes]).to include("duo_chat")
      expect(ours[:aud]).to be_a(Array)
      expect(ours[:aud]).to include("gitlab-ai-gateway")
    end

    it "accepts an explicit catalog and our own key" do
      key = CC::KeyRing.generate.current
      t = described_class.new(name_or_url: "i", subject: "s", realm: "saas", active_add_ons: [], ttl: 60, jwk: key,
                              catalog: CC::Catalog.embedded)
      claims = CC::KeySet.from_jwks("keys" => [key.jwk]).verify(t.token, audience: "gitlab-ai-gateway")
      expect(claims["sub"]).to eq("s")
    end

    it "raises typed errors" do
      expect do
        described_class.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: 0, jwk: jwk)
      end.to raise_error(CC::InvalidArgumentError, "ttl must be a whole number of seconds from 1 to 31536000; got 0")
      expect do
        described_class.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: (2**63) - 1, jwk: jwk)
      end.to raise_error(CC::InvalidArgumentError, /\Attl must be a whole number of seconds from 1 to 31536000; got /)
      # Huge, infinite and NaN lifetimes are the core's coded error, never a RangeError or a crash.
      [1e300, 10**30, Float::INFINITY, Float::NAN, "3600"].each do |ttl|
        expect do
          described_class.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: ttl, jwk: jwk)
        end.to raise_error(CC::InvalidArgumentError, /\Attl must be a whole number of seconds/)
        expect do
          CC::JsonWebToken.new(issuer: "i", audience: "a", subject: "s", realm: "saas", scopes: [], ttl: ttl)
        end.to raise_error(CC::InvalidArgumentError, /\Attl must be a whole number of seconds from -31536000 to 31536000/)
      end
      expect do
        described_class.new(name_or_url: 1, subject: "s", realm: "r", active_add_ons: [], ttl: 60, jwk: jwk)
      end.to raise_error(CC::InvalidArgumentError, /name_or_url/)
      expect do
        described_class.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: 60, jwk: jwk, catalog: "x")
      end.to raise_error(CC::InvalidArgumentError, /catalog/)
      expect do
        described_class.new(name_or_url: "i", subject: "s", realm: "r", active_add_ons: [], ttl: 60, jwk: Object.new).token
      end.to raise_error(CC::InvalidArgumentError)
    end
  end
end

RSpec.describe CC::KeyRing do
  describe "RB-KEY-01" do
    it "rotates only with exactly two keys and never trims the last one, with Rails' messages" do
      ring = described_class.generate
      expect(ring.size).to eq(1)
      expect { ring.rotate! }.to raise_error(CC::KeyRingError, "Key rotation requires exactly 2 keys, found 1")
      expect { ring.trim! }.to raise_error(CC::KeyRingError, "Refusing to remove single key, as it is in use") { |e| expect(e.code).to eq("key_ring") }
      first = ring.current.kid
      second = ring.create_new_key!.kid
      expect(ring.current.kid).to eq(first) # a new key is published, not signing
      expect(ring.kids).to eq([first, second])
      expect(ring.jwks["keys"].map { |k| k["kid"] }).to eq([first, second])
      expect(ring.jwks["keys"]).to all(include("use" => "sig", "alg" => "RS256", "kty" => "RSA"))
      ring.create_new_key!
      expect { ring.rotate! }.to raise_error(CC::KeyRingError, "Key rotation requires exactly 2 keys, found 3")
      ring.trim!
      ring.rotate!
      expect(ring.current.kid).to eq(second)
      ring.trim!
      expect(ring.kids).to eq([second])
      expect { described_class.new.rotate! }.to raise_error(CC::KeyRingError, "Key rotation requires exactly 2 keys, found 0")
    end

    it "decodes its own tokens with an RS256 header and a kid" do
      ring = described_class.generate
      t = CC::JsonWebToken.new(issuer: "i", audience: "gitlab-ai-gateway", subject: "s", realm: "saas", scopes: [], ttl: 60)
      payload, header = ring.decode_token(t.encode(ring.current), audience: "gitlab-ai-gateway")
      expect(header).to eq("alg" => "RS256", "typ" => "JWT", "kid" => ring.current.kid)
      expect(payload["sub"]).to eq("s")
    end

    it "saves to and loads from a directory, and its keys work with ruby-jwt" do
      Dir.mktmpdir do |dir|
        ring = described_class.generate
        ring.create_new_key!
        ring.save_dir(dir)
        expect(Dir.children(dir).sort).to eq(%w[0001.pem 0002.pem])
        expect(File.stat(File.join(dir, "0001.pem")).mode & 0o777).to eq(0o600)
        loaded = described_class.load_dir(dir)
        expect(loaded.kids).to eq(ring.kids)
        pkey = OpenSSL::PKey::RSA.new(loaded.current.to_pem)
        expect(rails_jwk(pkey).kid).to eq(loaded.current.kid)
        File.write(File.join(dir, "0003.pem"), "garbage")
        expect { described_class.load_dir(dir) }.to raise_error(CC::Error, /0003\.pem/)
      end
      expect(described_class.load_dir("/nonexistent/keys").size).to eq(0)
    end

    it "builds from PEMs and refuses bad ones with a typed error" do
      ring = described_class.new([TOKEN_VECTORS["keys"]["a"], TOKEN_VECTORS["keys"]["b"]])
      expect(ring.size).to eq(2)
      expect { described_class.new(["nope"]) }.to raise_error(CC::Error)
      expect(ring.current.inspect).not_to include("PRIVATE")
    end
  end
end

RSpec.describe CC::KeySet do
  let(:pkey) { OpenSSL::PKey::RSA.new(TOKEN_VECTORS["keys"]["a"]) }

  it "verifies tokens ruby-jwt encodes, and ruby-jwt verifies ours" do
    jwk = rails_jwk(pkey)
    now = Time.now.to_i
    theirs = JWT.encode({ "aud" => "svc", "exp" => now + 60, "iat" => now, "sub" => "x" }, pkey, "RS256", { kid: jwk.kid })
    keys = described_class.from_jwks("keys" => [jwk.export])
    expect(keys.verify(theirs, audience: "svc")).to include("sub" => "x")
    expect(keys.verify(theirs, audience: ["other", "svc"])["sub"]).to eq("x")
    expect { keys.verify(theirs) }.to raise_error(CC::AudienceMismatchError)
    expect { keys.verify(theirs, audience: "other") }.to raise_error(CC::AudienceMismatchError) { |e| expect(e.code).to eq("audience_mismatch") }
    expired = JWT.encode({ "aud" => "svc", "exp" => now - 60 }, pkey, "RS256", { kid: jwk.kid })
    expect { keys.verify(expired, audience: "svc") }.to raise_error(CC::TokenExpiredError)
    expect { keys.verify("garbage", audience: "svc") }.to raise_error(CC::TokenMalformedError)
    hs = JWT.encode({ "aud" => "svc" }, "secret", "HS256")
    expect { keys.verify(hs, audience: "svc") }.to raise_error(CC::Error) { |e| expect(e.code).to eq("unsupported_algorithm") }
    ours = CC::JsonWebToken.new(issuer: "i", audience: "svc", subject: "s", realm: "r", scopes: [], ttl: 60).encode(jwk)
    expect(JWT.decode(ours, pkey.public_key, true, algorithm: "RS256", aud: "svc", verify_aud: true).first["sub"]).to eq("s")
    expect(keys.verify(ours, audience: "svc")["iss"]).to eq("i")
  end

  it "hands back names and list entries as frozen Strings, whole past the interned texts' table" do
    jwk = rails_jwk(pkey)
    keys = described_class.from_jwks("keys" => [jwk.export])
    # More distinct list entries than the per-thread table of interned texts keeps (4096), some
    # longer than it keeps (64 bytes), and non-ASCII ones.
    entries = Array.new(5000) { |i| "unit_primitive_#{i}" } + ["x" * 65, "ключ ✓"]
    token = JWT.encode({ "aud" => "svc", "exp" => Time.now.to_i + 60, "scopes" => entries, "名前" => ["a"] },
                       pkey, "RS256", { kid: jwk.kid })
    2.times do
      claims = keys.verify(token, audience: "svc", max_token_size: 1 << 20)
      expect(claims["scopes"]).to eq(entries)
      expect(claims["scopes"]).to all(be_frozen)
      expect(claims["scopes"].map(&:encoding).uniq).to eq([Encoding::UTF_8])
      expect(claims.keys).to all(be_frozen)
      expect(claims["名前"]).to eq(["a"])
      claims["scopes"] << "mine" # the caller's own Array
    end
    expect(keys.verify(token, audience: "svc", max_token_size: 1 << 20)["scopes"].size).to eq(entries.size)
  end

  it "hands each caller its own copy of a kept list of plain strings, past the lists' table too" do
    jwk = rails_jwk(pkey)
    keys = described_class.from_jwks("keys" => [jwk.export])
    encode = ->(claims) { JWT.encode({ "aud" => "svc", "exp" => Time.now.to_i + 60 }.merge(claims), pkey, "RS256", { kid: jwk.kid }) }
    scopes = %w[duo_chat code_suggestions duo_chat]
    token = encode.call("scopes" => scopes)
    first = keys.verify(token, audience: "svc")
    first["scopes"] << "mine"
    first["scopes"][0] = "changed"
    2.times do
      again = keys.verify(token, audience: "svc")
      expect(again["scopes"]).to eq(scopes)
      expect(again["scopes"]).not_to be_frozen
      expect(again["scopes"]).to all(be_frozen)
      expect(again["scopes"]).not_to equal(first["scopes"])
    end
    # More distinct lists than a table keeps (256), each twice; lists that are not plain strings.
    2.times do
      300.times do |i|
        expect(keys.verify(encode.call("scopes" => ["scope_#{i}", "duo_chat"]), audience: "svc")["scopes"])
          .to eq(["scope_#{i}", "duo_chat"])
      end
    end
    odd = ["tab\there", 'quote"d', "ünï", 1, nil, ["nested"], { "a" => "b" }]
    2.times { expect(keys.verify(encode.call("scopes" => odd), audience: "svc")["scopes"]).to eq(odd) }
    expect(keys.verify(encode.call("scopes" => []), audience: "svc")["scopes"]).to eq([])
  end

  it "prepares the raw signature benchmarks time beside issuance (Native::SigningFloor)" do
    pem = TOKEN_VECTORS.dig("keys", "a")
    issued = JWT.encode({ "sub" => "u" }, OpenSSL::PKey::RSA.new(pem), "RS256")
    floor = CC::Native::SigningFloor.new(pem, issued)
    expect([floor.sign, floor.sign]).to eq([true, true])
    expect { CC::Native::SigningFloor.new("not a key", issued) }.to raise_error(CC::KeyInvalidError)
    expect { CC::Native::SigningFloor.new(pem, "not a token") }.to raise_error(CC::TokenMalformedError)
  end

  it "prepares the raw signature check benchmarks time beside verify (Native::SignatureFloor)" do
    keys = described_class.from_jwks(TOKEN_VECTORS["jwks"])
    native = keys.instance_variable_get(:@native)
    valid = TOKEN_VECTORS["cases"].find { |c| c["expected"]["valid"] }.fetch("token")
    floor = CC::Native::SignatureFloor.new(valid, native)
    expect([floor.check, floor.check]).to eq([true, true])
    forged = "#{valid.rpartition(".").first}.#{Base64.urlsafe_encode64("\x07" * 256, padding: false)}"
    expect { CC::Native::SignatureFloor.new(forged, native) }.to raise_error(CC::InvalidSignatureError)
    expect { CC::Native::SignatureFloor.new("not a token", native) }.to raise_error(CC::TokenMalformedError)
  end

  it "accepts JSON text and reports skipped keys" do
    keys = described_class.from_jwks(JSON.generate(TOKEN_VECTORS["jwks"]))
    expect(keys.size).to eq(TOKEN_VECTORS["jwks"]["keys"].size - keys.skipped.size)
    expect { described_class.from_jwks("{") }.to raise_error(CC::JwksInvalidError)
    expect { described_class.from_jwks(Object.new) }.to raise_error(CC::InvalidArgumentError)
    expect { described_class.from_jwks(TOKEN_VECTORS["jwks"]).verify("x", bogus: 1) }.to raise_error(CC::InvalidArgumentError, /\Aunknown option "bogus" for verify; known options: /)
  end

  describe "tests/vectors/tokens.json (same results as the core)" do
    keys = described_class.from_jwks(TOKEN_VECTORS["jwks"])
    TOKEN_VECTORS["cases"].each do |c|
      it "token case #{c["id"]}" do
        v = TOKEN_VECTORS["default_validation"].merge(c["validation"] || {})
        opts = { audience: v["audiences"], algorithms: v["algorithms"], issuer: v["issuer"], leeway: v["leeway"],
                 max_token_size: v["max_token_size"], reject_future_iat: v["reject_future_iat"],
                 verify_signature: v["verify_signature"], now: c["now"] }
        if c["expected"]["valid"]
          expect(keys.verify(c["token"], **opts)).to be_a(Hash)
        else
          expect { keys.verify(c["token"], **opts) }.to raise_error(CC::Error) { |e| expect(e.code).to eq(c["expected"]["error"]) }
        end
      end
    end

    TOKEN_VECTORS["jwks_cases"].each do |c|
      it "JWKS case #{c["id"]}" do
        want = c["expected"]
        if want.key?("error")
          expect { described_class.from_jwks(c["jwks"]) }.to raise_error(CC::Error) { |e| expect(e.code).to eq(want["error"]) }
        else
          set = described_class.from_jwks(c["jwks"])
          expect(set.size).to eq(want["keys"]) if want.key?("keys")
          expect(set.skipped.size).to eq(want["skipped"]) if want.key?("skipped")
          expect(set.kids).to eq(want["kids"]) if want.key?("kids")
        end
      end
    end

    TOKEN_VECTORS["jwk_cases"].each do |c|
      it "JWK case #{c["id"]}" do
        want = c["expected"]
        if want.key?("error")
          expect { CC.jwk_thumbprint(c["jwk"]) }.to raise_error(CC::Error) { |e| expect(e.code).to eq(want["error"]) }
        else
          expect(CC.jwk_thumbprint(c["jwk"])).to eq(want["thumbprint"])
        end
      end
    end
  end
end

RSpec.describe "GC safety of keys and tokens" do
  it "keeps keys, rings and tokens valid across GC.compact and under GC.stress" do
    ring = CC::KeyRing.new([TOKEN_VECTORS["keys"]["a"]])
    pkey = OpenSSL::PKey::RSA.new(TOKEN_VECTORS["keys"]["a"])
    tokens = Array.new(3) { |i| CC::JsonWebToken.new(issuer: "i#{i}", audience: ["a"], subject: "s", realm: "r", scopes: ["x"], ttl: 60, extra_claims: { n: i }) }
    GC.start
    GC.compact if GC.respond_to?(:compact)
    encoded = tokens.map { |t| t.encode(ring.current) }
    GC.stress = true
    begin
      payloads = tokens.map(&:payload)
      set = ring.key_set
      claims = encoded.map { |e| set.verify(e, audience: "a") }
      jwt = tokens.first.encode(rails_jwk(pkey))
      composite = CC::CompositeProvider.new([CC::KeySource.static_jwks("s", ring.jwks)])
      via_composite = composite.verify(encoded.last, audience: "a")
    ensure
      GC.stress = false
    end
    GC.compact if GC.respond_to?(:compact)
    expect(payloads.map { |p| p[:n] }).to eq([0, 1, 2])
    expect(claims.map { |c| c["iss"] }).to eq(%w[i0 i1 i2])
    expect(via_composite["n"]).to eq(2)
    expect(JWT.decode(jwt, pkey.public_key, true, algorithm: "RS256").first["n"]).to eq(0)
  end
end
