# frozen_string_literal: true

require_relative "lib/gitlab/cloud_connector/version"

# Built from the staging directory `make ruby-gem` prepares (tools/stage_gem.py): it holds this
# gem's files plus a vendored copy of the Rust core (`core/`) and of the catalog (`config/`), and
# an extension Cargo.toml that points at them, so the .gem builds on a machine without this
# repository. With CLOUD_CONNECTOR_GEM_PLATFORM set it is a precompiled platform gem instead.
# The requirement admitting exactly MINORS (Gem::Versions like 3.1): from the lowest to below the
# one after the highest, as rake-compiler-dock gems say it. A minor inside that span that is not
# shipped (3.2: its headers are not reachable to build it) must still get the source gem, and a
# requirement cannot say "not 3.2.x": it is excluded release by release. Ruby 3.2 is at its end of
# life, its releases stay well below 3.2.20.
ruby_requirement = lambda do |minors|
  majors = minors.map { |m| m.segments[0] }.uniq
  raise "gemspec: Ruby minors #{minors.join(' ')} span more than one major" unless majors.size == 1

  major = majors.first
  shipped = minors.map { |m| m.segments[1] }
  lo, hi = shipped.minmax
  holes = (lo..hi).to_a - shipped
  [">= #{major}.#{lo}", "< #{major}.#{hi + 1}.dev"] +
    holes.flat_map { |n| (0..19).map { |patch| "!= #{major}.#{n}.#{patch}" } }
end

Gem::Specification.new do |spec|
  spec.name = "gitlab-cloud-connector"
  spec.version = Gitlab::CloudConnector::VERSION
  spec.summary = "GitLab Cloud Connector catalog (drop-in), over a Rust core"
  spec.description = "Unit primitive catalog, data model, configuration and the legacy " \
                     "available-services generator of GitLab Cloud Connector, as a Magnus extension."
  spec.authors = ["cloud-connector contributors"]
  spec.license = "MIT"
  spec.homepage = "https://example.invalid/cloud-connector"
  spec.required_ruby_version = ">= 3.0"

  spec.metadata["cargo_crate_name"] = "gitlab_cloud_connector"
  spec.metadata["source_code_uri"] = spec.homepage

  common = Dir["lib/**/*.rb", "sig/**/*.rbs", "README.md", "LICENSE", "config/**/*.yml", "config/schemas/*.json"]
  platform = ENV.fetch("CLOUD_CONNECTOR_GEM_PLATFORM", "")
  if platform.empty?
    # The source gem: RubyGems' cargo builder compiles the extension at `gem install`; the
    # cleanup runs after the cargo build (see ext/cleanup/extconf.rb).
    spec.files = common + Dir[
      "ext/cloud_connector/Cargo.toml", "ext/cloud_connector/Cargo.lock", "ext/cloud_connector/src/**/*.rs",
      "ext/cleanup/extconf.rb", "core/Cargo.toml", "core/build.rs", "core/src/**/*.{rs,lua}"
    ]
    spec.extensions = ["ext/cloud_connector/Cargo.toml", "ext/cleanup/extconf.rb"]
  else
    # A precompiled platform gem (scripts/dist/ruby.sh stages one extension per Ruby minor it was
    # built for, lib/gitlab_cloud_connector/<minor>/gitlab_cloud_connector.so, and names those
    # minors in CLOUD_CONNECTOR_GEM_RUBY): installs without compiling on exactly those minors;
    # other Rubies take the source gem.
    minors = ENV.fetch("CLOUD_CONNECTOR_GEM_RUBY").split.map { |m| Gem::Version.new(m) }.sort
    libs = minors.map { |m| "lib/gitlab_cloud_connector/#{m}/gitlab_cloud_connector.so" }
    missing = libs.reject { |f| File.file?(f) }
    raise "gemspec: CLOUD_CONNECTOR_GEM_RUBY names #{missing} but they are not staged" unless missing.empty?

    spec.platform = Gem::Platform.new(platform)
    spec.files = common + libs
    spec.required_ruby_version = ruby_requirement.call(minors)
  end
end
