# frozen_string_literal: true

require "openssl"

module Gitlab
  module CloudConnector
    # An RSA private key (RS256) parsed once by the core; `kid` is its RFC 7638 thumbprint.
    # `SigningKey.generate`, `SigningKey.from_pem(pem)`, `#to_pem`, `#public_pem`, `#jwk`.
    SigningKey = Native::SigningKey

    # Turns whatever `JsonWebToken#encode` is given into a native key and a kid: our own
    # SigningKey, or a ruby-jwt `JWT::JWK` RSA object (anything with `kid` and `signing_key`,
    # or `keypair` as ruby-jwt 2.5 calls it). OpenSSL keys are exported and parsed once: cached
    # by object identity, then by the SHA-256 of their PEM.
    module KeyResolver
      MAX_CACHED = 32

      @by_object = ObjectSpace::WeakMap.new
      @by_digest = {}
      @lock = Mutex.new

      class << self
        # => [native key, kid String]
        def resolve(jwk)
          return [jwk, jwk.kid] if jwk.is_a?(Native::SigningKey)

          pkey = openssl_key(jwk)
          kid = jwk.kid
          [native_key(pkey), kid.nil? ? nil : kid.to_s]
        end

        def native_key(pkey)
          cached = @lock.synchronize { @by_object[pkey] }
          return cached if cached

          pem = pkey.respond_to?(:private_to_pem) ? pkey.private_to_pem : pkey.to_pem
          digest = OpenSSL::Digest::SHA256.digest(pem)
          key = @lock.synchronize { @by_digest[digest] }
          key ||= Native::SigningKey.from_pem(pem)
          @lock.synchronize do
            @by_digest.clear if @by_digest.size >= MAX_CACHED
            @by_digest[digest] = key
            @by_object[pkey] = key
          end
          key
        rescue OpenSSL::PKey::PKeyError => e
          raise KeyInvalidError, "cannot export the signing key: #{e.message}"
        end

        private

        def openssl_key(jwk)
          unless jwk.respond_to?(:kid)
            raise InvalidArgumentError,
                  "expected a Gitlab::CloudConnector::SigningKey or a JWT::JWK RSA object, got #{jwk.class}"
          end

          pkey = if jwk.respond_to?(:signing_key) then jwk.signing_key
                 elsif jwk.respond_to?(:keypair) then jwk.keypair
                 end
          unless pkey.is_a?(OpenSSL::PKey::RSA)
            raise KeyInvalidError, "the JWK's signing key is not an OpenSSL::PKey::RSA (got #{pkey.class})"
          end
          raise KeyInvalidError, "the JWK has no private key" unless pkey.private?

          pkey
        end
      end
    end

    # Seconds from an Integer, a Float or an ActiveSupport::Duration (anything Numeric-like with
    # `to_i`, but not a String).
    module Seconds
      def self.call(name, value)
        return value if value.is_a?(Integer)
        return value.to_i if value.is_a?(Numeric) && value.finite?
        return value.to_i if defined?(ActiveSupport::Duration) && value.is_a?(ActiveSupport::Duration)

        raise InvalidArgumentError, "#{name}: expected Integer seconds or an ActiveSupport::Duration, got #{value.inspect}"
      end

      def self.now
        (Time.respond_to?(:current) ? Time.current : Time.now).to_i
      end

      # A String claim argument (a Symbol is taken by name); anything else is InvalidArgumentError.
      def self.string(name, value)
        return value if value.is_a?(String)
        return value.to_s if value.is_a?(Symbol)

        raise InvalidArgumentError, "#{name}: expected a String, got #{value.inspect}"
      end
    end

    # GitLab's instance token (ruby-api.md section 5): claims and signing are the core's.
    class JsonWebToken
      SIGNING_ALGORITHM = "RS256"
      NOT_BEFORE_TIME_SEC = 5

      def self.from_native(native)
        allocate.tap { |t| t.instance_variable_set(:@native, native) }
      end

      def initialize(issuer:, audience:, subject:, realm:, scopes:, ttl:, extra_claims: {})
        @native = Native::JsonWebToken.build(Seconds.string("issuer", issuer), audience,
                                             Seconds.string("subject", subject), Seconds.string("realm", realm), scopes,
                                             Seconds.call("ttl", ttl), extra_claims, Seconds.now)
      end

      def id = @native.id
      def issued_at = @native.issued_at
      def not_before = @native.not_before
      def expires_at = @native.expires_at

      # Symbol keys: jti, aud, sub, iss, iat, nbf, exp, gitlab_realm, scopes, then extra claims
      # (String and Symbol keys normalised, last wins).
      def payload
        @native.payload
      end

      # `jwk`: a ruby-jwt JWT::JWK RSA object (kid from it) or a Gitlab::CloudConnector::SigningKey.
      def encode(jwk)
        key, kid = KeyResolver.resolve(jwk)
        @native.encode(key, kid)
      end
    end

    # Rails' `CloudConnector::Tokens::TokenIssuer` (ruby-api.md 8.4): scopes and the `aud` list from
    # the catalog's entitlements for `active_add_ons` (catalog names: `code_suggestions` reads as
    # `duo_pro`). The catalog is the one behind the DataModel (a custom loader's records included).
    class TokenIssuer
      attr_reader :json_web_token

      def initialize(name_or_url:, subject:, realm:, active_add_ons:, ttl:, jwk:, extra_claims: {}, catalog: nil)
        @jwk = jwk
        catalog = catalog.is_a?(Catalog) ? catalog.native : catalog
        catalog ||= AvailableServicesGenerator::GitlabCatalog.current
        unless catalog.is_a?(Native::Catalog)
          raise InvalidArgumentError, "catalog: expected a Gitlab::CloudConnector::Catalog, got #{catalog.class}"
        end
        native = Native::JsonWebToken.issue(catalog, Seconds.string("name_or_url", name_or_url),
                                            Seconds.string("subject", subject), Seconds.string("realm", realm),
                                            Array(active_add_ons).map(&:to_s), Seconds.call("ttl", ttl),
                                            extra_claims, Seconds.now)
        @json_web_token = JsonWebToken.from_native(native)
      end

      def token
        @token ||= @json_web_token.encode(@jwk)
      end
    end

    # Signing keys with Rails' rotation rules (ruby-api.md 8.9): the oldest key signs (`current`),
    # `create_new_key!` publishes a new one, `rotate!` swaps, `trim!` drops the newest. Optionally
    # kept in a directory of `0001.pem`, `0002.pem`, ... (PKCS#8, mode 0600).
    class KeyRing
      def self.load_dir(path)
        from_native(Native::KeyRing.load_dir(path.to_s))
      end

      # A ring with one fresh RSA-2048 key.
      def self.generate
        new.tap(&:create_new_key!)
      end

      def self.from_native(native)
        allocate.tap { |r| r.instance_variable_set(:@native, native) }
      end

      def initialize(pems = [])
        @native = Native::KeyRing.from_pems(Array(pems).map(&:to_s))
      end

      def save_dir(path)
        @native.save_dir(path.to_s)
        self
      end

      def create_new_key!
        @native.create_new_key
      end

      # "Key rotation requires exactly 2 keys, found <n>" (KeyRingError) otherwise.
      def rotate!
        @native.rotate
        self
      end

      # "Refusing to remove single key, as it is in use" (KeyRingError) with one key.
      def trim!
        @native.trim
        self
      end

      def current = @native.current
      def keys = @native.keys
      def size = @native.size
      def kids = keys.map(&:kid)
      def jwks = @native.jwks

      # A KeySet of every key in the ring, to verify our own tokens.
      def key_set
        KeySet.send(:from_native, @native.key_set)
      end

      # Rails' `Keys#decode_token`: `[payload, header]` (String keys) verified with the ring's keys.
      def decode_token(token, **options)
        key_set.decode(token, **options)
      end
    end

    # Public keys parsed once (from a JWKS Hash or JSON String) and the core's verifier.
    class KeySet
      def self.from_jwks(jwks)
        from_native(Native::KeySet.from_jwks(jwks))
      end

      def self.from_native(native)
        allocate.tap { |s| s.instance_variable_set(:@native, native) }
      end
      private_class_method :from_native

      def kids = @native.kids
      def skipped = @native.skipped
      def size = @native.size
      alias length size
      def jwks = @native.jwks

      # Claims (String keys) of a valid token, or the typed error (TokenExpiredError,
      # AudienceMismatchError, InvalidSignatureError, ... each with #code). Without an audience
      # every token with an `aud` is refused (AudienceMismatchError).
      def verify(token, audience: nil, **options)
        return @native.verify_for(token, audience) if options.empty? && token.is_a?(String) && audience_ok?(audience)

        decode(token, audience: audience, **options).first
      end

      # `[claims, header]`. Options: algorithms: ["RS256"], issuer:, leeway: 0, max_token_size:,
      # reject_future_iat: false, verify_signature: true, now: (Unix seconds).

      private def audience_ok?(audience)
        audience.nil? || audience.is_a?(String) || audience.is_a?(Symbol)
      end

      def decode(token, audience: nil, **options)
        raise InvalidArgumentError, "token: expected a String, got #{token.class}" unless token.is_a?(String)

        @native.decode(token, options.merge(audience: audience))
      end
    end

    # The RFC 7638 thumbprint of a JWK (Hash or JSON); KeyInvalidError for a key we refuse.
    def self.jwk_thumbprint(jwk)
      Native.jwk_thumbprint(jwk)
    end
  end
end
