# frozen_string_literal: true

# The Ruby runner of `make vectors` (tests/vectors/README.md "make vectors"): every case of
# tests/vectors/catalog.json and tokens.json through the INSTALLED gem, printed as one JSON
# document of observed results for compare.py.
#
#   GEM_PATH=<gem home>:$(gem env gempath) ruby tests/vectors/run_ruby.rb [<repo root>]
#
# The calls are the ones the gem's own vector specs make (bindings-ruby/spec/
# vectors_catalog_spec.rb, tokens_spec.rb, auth_spec.rb). A case the runner cannot read exits 2
# naming the file and the case id.

require "json"
require "tmpdir"
require "fileutils"
require "gitlab/cloud_connector"

module VectorsRun
  CC = Gitlab::CloudConnector
  CATALOG_OPS = {
    "lookup" => %w[kind name], "all_names" => %w[kind], "associations" => %w[kind name association],
    "entitlements" => %w[request], "entitlements_includes" => %w[request], "legacy" => %w[realm], "load" => []
  }.freeze
  # Every field of UserClaims.
  CLAIM_FIELDS = %i[gitlab_realm scopes subject issuer duo_seat_count gitlab_instance_id gitlab_instance_uid extra].freeze

  class BadVector < StandardError; end

  module_function

  def bad(file, id, what) = raise(BadVector, "#{file}##{id}: #{what}")

  def read(dir, name)
    path = File.join(dir, name)
    doc = JSON.parse(File.read(path))
    raise BadVector, "#{path}: not a JSON object" unless doc.is_a?(Hash)

    doc
  rescue SystemCallError, JSON::ParserError => e
    raise BadVector, "#{path}: #{e.message}"
  end

  def cases(file, doc, section)
    list = doc[section]
    bad(file, section, "the section is missing or not a list") unless list.is_a?(Array)
    list.each { |c| bad(file, section, "a case without a string id: #{c.inspect}") unless c.is_a?(Hash) && c["id"].is_a?(String) }
    list
  end

  # Runs the call; the gem's errors go through on_error, any other exception is reported as
  # observed so it shows as a difference.
  def observe(on_error)
    yield
  rescue CC::Error => e
    on_error.call(e)
  rescue StandardError => e
    { "unexpected_exception" => "#{e.class}: #{e.message}" }
  end

  # -- catalog.json -----------------------------------------------------------------------------

  def scrub(text, tmp)
    return text unless text.is_a?(String)

    [File.realpath(tmp), tmp].uniq.reduce(text) { |t, root| t.gsub(root, "$TMP") }
  end

  def catalog_error(err, tmp)
    problems = err.problems.map do |p|
      { "kind" => p[:kind], "file" => scrub(p[:file], tmp), "record" => p[:record], "field" => p[:field],
        "message" => scrub(p[:message], tmp) }
    end
    { "error" => { "code" => err.code, "message" => scrub(err.message, tmp), "problems" => problems } }
  end

  def load_catalog(doc, name, tmp)
    return CC::Catalog.embedded if name == "embedded"
    return CC::Catalog.load_dir(File.join(tmp, "missing")) if name.nil?

    root = File.join(tmp, name)
    doc["catalogs"].fetch(name).fetch("files").each do |rel, text|
      path = File.join(root, rel)
      FileUtils.mkdir_p(File.dirname(path))
      File.write(path, text)
    end
    CC::Catalog.load_dir(root)
  end

  def catalog_op(c, catalog)
    case c["op"]
    when "load" then "loaded"
    when "lookup" then catalog.find(c["kind"], c["name"])
    when "all_names" then catalog.load_all.fetch(c["kind"].to_sym).map { |r| r[:name] }
    when "associations" then catalog.associations(c["kind"], c["name"], c["association"])
    when "entitlements", "entitlements_includes"
      r = c["request"]
      catalog.entitlements(add_ons: r["add_ons"], at: r["at"], license_type: r["license_type"],
                           gitlab_version: r["gitlab_version"])
    when "legacy" then catalog.available_services(c["realm"])
    end
  end

  def run_catalog(dir, out)
    file = "catalog.json"
    doc = read(dir, file)
    bad(file, "format", "unknown format #{doc["format"].inspect}") unless doc["format"] == 1
    cases(file, doc, "cases").each do |c|
      id = c["id"]
      required = CATALOG_OPS[c["op"]] or bad(file, id, "unknown op #{c["op"].inspect}")
      missing = required.reject { |k| c.key?(k) }
      bad(file, id, "#{c["op"]} needs #{missing.join(", ")}") unless missing.empty?
      name = c["catalog"]
      bad(file, id, "no catalog #{name.inspect} in `catalogs`") unless [nil, "embedded"].include?(name) || doc.fetch("catalogs", {}).key?(name)
      Dir.mktmpdir do |tmp|
        out["#{file}#cases##{id}"] = observe(->(e) { catalog_error(e, tmp) }) { catalog_op(c, load_catalog(doc, name, tmp)) }
      end
    end
  end

  # -- tokens.json ------------------------------------------------------------------------------

  def verify_case(doc, keys, c)
    v = doc["default_validation"].merge(c["validation"] || {})
    claims = keys.verify(c["token"], audience: v["audiences"], algorithms: v["algorithms"], issuer: v["issuer"],
                                     leeway: v["leeway"], max_token_size: v["max_token_size"],
                                     reject_future_iat: v["reject_future_iat"],
                                     verify_signature: v["verify_signature"], now: c["now"])
    { "valid" => true, "claims" => claims }
  end

  def authenticate_case(provider, service, c)
    user, error = CC.authenticate(c["headers"], provider, bypass_auth: c["bypass_auth"], service_name: service)
    claims = user.claims && CLAIM_FIELDS.to_h { |f| [f.to_s, user.claims.public_send(f)] }
    { "authenticated" => user.authenticated, "is_debug" => user.is_debug, "global_user_id" => user.global_user_id,
      "error" => error, "claims" => claims }
  end

  def run_tokens(dir, out)
    file = "tokens.json"
    doc = read(dir, file)
    %w[jwks default_validation keys authenticate].each do |name|
      bad(file, name, "missing or not an object") unless doc[name].is_a?(Hash)
    end
    keys = begin
      CC::KeySet.from_jwks(doc["jwks"])
    rescue CC::Error => e
      bad(file, "jwks", e.message)
    end
    token_error = ->(e) { { "valid" => false, "error" => e.code, "message" => e.message } }
    code_only = ->(e) { { "error" => e.code } }
    cases(file, doc, "cases").each do |c|
      bad(file, c["id"], "`token` and an integer `now` are required") unless c["token"].is_a?(String) && c["now"].is_a?(Integer)
      out["#{file}#cases##{c["id"]}"] = observe(token_error) { verify_case(doc, keys, c) }
    end
    cases(file, doc, "jwks_cases").each do |c|
      out["#{file}#jwks_cases##{c["id"]}"] = observe(code_only) do
        set = CC::KeySet.from_jwks(c["jwks"])
        { "keys" => set.size, "skipped" => set.skipped.size, "kids" => set.kids }
      end
    end
    cases(file, doc, "jwk_cases").each do |c|
      out["#{file}#jwk_cases##{c["id"]}"] = observe(code_only) { { "thumbprint" => CC.jwk_thumbprint(c["jwk"]) } }
    end
    auth = doc["authenticate"]
    service = auth["service_name"]
    provider = CC::CompositeProvider.new([CC::KeySource.local(doc["keys"]["a"], doc["keys"]["b"], service)])
    cases(file, auth, "cases").each do |c|
      unless c["headers"].is_a?(Hash) && [true, false].include?(c["bypass_auth"])
        bad(file, c["id"], "`headers` (object) and `bypass_auth` (boolean) are required")
      end
      out["#{file}#authenticate##{c["id"]}"] = observe(->(e) { { "raised" => e.code } }) { authenticate_case(provider, service, c) }
    end
  end

  # A vector value as a Ruby value: {"$float" => text} for what JSON cannot hold.
  def vector_value(value)
    if value.is_a?(Hash) && value.keys == ["$float"]
      text = value["$float"]
      return Float::NAN if text == "NaN"
      return text.start_with?("-") ? -Float::INFINITY : Float::INFINITY if text.end_with?("Infinity")

      return Float(text)
    end
    value.is_a?(Array) ? value.map { |v| vector_value(v) } : value
  end

  # One arguments.json case through the gem's entry points that take the options.
  def argument_case(c)
    options = c["options"].to_h { |k, v| [k.to_sym, vector_value(v)] }
    case c["op"]
    when "composite" then CC::CompositeProvider.new([], **options)
    when "oidc" then CC::KeySource.oidc("vector", "http://127.0.0.1:9", **options)
    when "verify" then CC::KeySet.from_jwks({ "keys" => [] }).verify("x", audience: "gitlab-ai-gateway", **options)
    else bad("arguments.json", c["id"], "unknown op #{c["op"]}")
    end
    { "ok" => true }
  rescue CC::Error => e
    { "error" => e.code, "message" => e.message }
  end

  def run_arguments(dir, out)
    file = "arguments.json"
    cases(file, read(dir, file), "cases").each { |c| out["#{file}#cases##{c["id"]}"] = argument_case(c) }
  end

  def main(argv)
    repo = argv[0] || File.expand_path("../..", __dir__)
    dir = File.join(repo, "tests", "vectors")
    results = {}
    run_catalog(dir, results)
    run_tokens(dir, results)
    run_arguments(dir, results)
    puts JSON.pretty_generate({ "language" => "ruby", "results" => results })
    0
  rescue BadVector => e
    warn "run_ruby: #{e.message}"
    2
  end
end

exit(VectorsRun.main(ARGV)) if $PROGRAM_NAME == __FILE__
