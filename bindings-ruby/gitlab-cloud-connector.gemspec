# frozen_string_literal: true

require_relative "lib/gitlab/cloud_connector/version"

# Built from the staging directory `make ruby-gem` prepares (tools/stage_gem.py): it holds this
# gem's files plus a vendored copy of the Rust core (`core/`) and of the catalog (`config/`), and
# an extension Cargo.toml that points at them, so the .gem builds on a machine without this
# repository. With CLOUD_CONNECTOR_GEM_PLATFORM set it is a precompiled platform gem instead.
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
    # A precompiled platform gem (scripts/dist/ruby.sh stages lib/gitlab_cloud_connector.so, built
    # for one Ruby minor): installs without compiling. Other Rubies take the source gem.
    major, minor = ENV.fetch("CLOUD_CONNECTOR_GEM_RUBY").split(".").map(&:to_i)
    spec.platform = Gem::Platform.new(platform)
    spec.files = common + ["lib/gitlab_cloud_connector.so"]
    spec.required_ruby_version = [">= #{major}.#{minor}", "< #{major}.#{minor + 1}.dev"]
  end
end
