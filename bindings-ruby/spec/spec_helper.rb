# frozen_string_literal: true

# The suite runs against the INSTALLED gem (`make ruby-test` installs it into target/ruby/gem-home
# and sets GEM_HOME); it never puts bindings-ruby/lib on the load path.
require "json"
require "tmpdir"
require "fileutils"
require "yaml"
require "gitlab/cloud_connector"

CC = Gitlab::CloudConnector
REPO_ROOT = File.expand_path(ENV.fetch("CLOUD_CONNECTOR_REPO", File.expand_path("../..", __dir__)))

# ../shared beside the repository (CI clones it there).
def shared_path(rel)
  path = File.join(File.expand_path("../shared", REPO_ROOT), rel)
  raise "#{path} is missing: the shared specs and data must be checked out at ../shared beside the repository" unless File.exist?(path)

  path
end

def vectors(name)
  JSON.parse(File.read(File.join(REPO_ROOT, "tests", "vectors", name)))
end

# Writes `{"<kind>/<file>.yml" => text}` under a new directory and returns it.
def write_catalog(root, files)
  files.each do |rel, text|
    path = File.join(root, rel)
    FileUtils.mkdir_p(File.dirname(path))
    File.write(path, text)
  end
  root
end

MODELS = [CC::DataModel::UnitPrimitive, CC::DataModel::Service, CC::DataModel::BackendService,
          CC::DataModel::AddOn, CC::DataModel::LicenseType].freeze

# What Rails test support does between examples: module state and memoised loaders.
def reset_cloud_connector!
  conf = CC::Configuration
  %i[@config_dir @data_loader_class @override_config].each do |ivar|
    conf.remove_instance_variable(ivar) if conf.instance_variable_defined?(ivar)
  end
  MODELS.each do |klass|
    klass.remove_instance_variable(:@data_loader) if klass.instance_variable_defined?(:@data_loader)
  end
end

RSpec.configure do |config|
  config.before { reset_cloud_connector! }
  config.after { reset_cloud_connector! }
  config.disable_monkey_patching!
  config.order = :defined
end
