# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # Key sources for a CompositeProvider (the Python package's providers):
    # `KeySource.local(signing_pem, validation_pem, service_name_or_nil)`,
    # `KeySource.static_jwks(name, jwks)`, `KeySource.oidc(name, base_url, timeout_seconds = nil, **options)`.
    KeySource = Native::KeySource

    class KeySource
      # OIDC discovery at `base_url`; `timeout_seconds` positionally (as before) or among the
      # options (timeout_seconds:, ca_bundle:), which the core checks and defaults.
      def self.oidc(name, base_url, timeout_seconds = nil, **options)
        options = options.merge(timeout_seconds: timeout_seconds) unless timeout_seconds.nil?
        oidc_with(name, base_url, options)
      end
    end

    # The user `authenticate` returns. `claims` is a UserClaims or nil.
    CloudConnectorUser = Struct.new(:authenticated, :is_debug, :global_user_id, :claims, keyword_init: true) do
      alias_method :authenticated?, :authenticated

      # Whether the user may use `unit_primitive` (String or Symbol), by the core's rule: debug
      # users may; a token from one of `disallowed_issuers` may not; otherwise the unit primitive
      # must be among the token's scopes. `authenticated` is not consulted, as in the Python package.
      def can?(unit_primitive, disallowed_issuers: [])
        Native.user_can(unit_primitive.to_s, is_debug ? true : false, claims&.scopes&.map(&:to_s),
                        claims&.issuer.to_s, Array(disallowed_issuers).map(&:to_s))
      end
      alias_method :can, :can?

      # The token's scopes that are unit primitives of the catalog (names or aliases), in order.
      def unit_primitives
        Native.known_unit_primitives(Array(claims&.scopes).map(&:to_s))
      end
    end

    UserClaims = Struct.new(:gitlab_realm, :scopes, :subject, :issuer, :duo_seat_count, :gitlab_instance_id,
                            :gitlab_instance_uid, :extra, keyword_init: true)

    # Sources in order, JWKS cached (24 h), unknown kids refreshed with a cooldown, verified tokens
    # cached; the core's CompositeProvider.
    class CompositeProvider
      # Options (expiry_seconds:, bypass_signature:, algorithms:, leeway:,
      # unknown_kid_cooldown_seconds:, token_cache_size:, ...) are checked, and defaulted, by the
      # core: a bad one raises InvalidArgumentError naming the option and its range.
      def initialize(sources, **options)
        @native = Native::CompositeProvider.build(Array(sources), options)
      end

      attr_reader :native

      def jwks = @native.jwks
      def ready? = @native.ready?
      def cached_tokens = @native.cached_tokens

      # Key refreshes completed so far (every load of the sources, failed or not).
      def refreshes = @native.refreshes

      def refresh
        @native.refresh
        self
      end

      # Claims (String keys, frozen String values; a new Hash each call) or the typed error.
      def verify(token, audience:)
        token = token.to_s unless token.is_a?(String)
        audience = Array(audience).map(&:to_s) unless audience.is_a?(String)
        @native.verify(token, audience)
      end
    end

    # `[CloudConnectorUser, error message or nil]` for request headers (a Hash; names are
    # case-insensitive), as the Python package's `authenticate`. `service_name` is the audience
    # and the `<service>_signing_key` kid prefix (default: CLOUD_CONNECTOR_SERVICE_NAME).
    def self.authenticate(headers, provider, bypass_auth: false, service_name: nil)
      native = provider.is_a?(CompositeProvider) ? provider.native : provider
      unless native.nil? || native.is_a?(Native::CompositeProvider)
        raise InvalidArgumentError, "provider: expected a Gitlab::CloudConnector::CompositeProvider, got #{provider.class}"
      end
      raise InvalidArgumentError, "headers: expected a Hash, got #{headers.class}" unless headers.respond_to?(:to_hash)

      user, error = Native.authenticate(headers.to_hash, native, bypass_auth ? true : false, service_name&.to_s)
      claims = user[:claims] && UserClaims.new(**user[:claims])
      [CloudConnectorUser.new(**user, claims: claims), error]
    end
  end
end
