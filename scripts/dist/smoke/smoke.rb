# frozen_string_literal: true

# Smoke test of an installed gem (make dist-check): catalog lookup, an issued token, and that
# token verified (and refused for another audience). Prints one line; raises on failure.
require "gitlab/cloud_connector"
include Gitlab::CloudConnector # rubocop:disable Style/MixinUsage

chat = DataModel::UnitPrimitive.find_by_name(:duo_chat)
raise "duo_chat add-ons: #{chat.add_ons.map(&:name)}" unless chat.add_ons.map(&:name).include?("duo_pro")

subject = "00000000-0000-4000-8000-000000000001"
ring = KeyRing.generate
token = TokenIssuer.new(name_or_url: "https://gitlab.example", subject: subject, realm: "self-managed",
                        active_add_ons: ["duo_pro"], ttl: 3600, jwk: ring.current).token
keys = KeySet.from_jwks(ring.jwks)
claims = keys.verify(token, audience: "gitlab-ai-gateway")
raise "claims: #{claims}" unless claims["sub"] == subject && claims["scopes"].include?("duo_chat")
begin
  keys.verify(token, audience: "someone-else")
  raise "a token for another audience verified"
rescue Gitlab::CloudConnector::Error => e
  raise "no code on #{e.inspect}" unless e.code
end
native = $LOADED_FEATURES.grep(/gitlab[-_]cloud_connector\.so\z/).first
puts "smoke ruby (#{RUBY_PLATFORM}): catalog, issued and verified token: ok (#{native})"
