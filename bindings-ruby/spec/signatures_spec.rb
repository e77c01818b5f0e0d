# frozen_string_literal: true

require "spec_helper"

# sig/gitlab_cloud_connector.rbs ships with the gem; every public method of the API classes must
# be declared there (no rbs tool is available offline, so this checks names, not types).
RSpec.describe "RBS signatures" do
  let(:rbs) do
    File.read(File.join(Gem.loaded_specs["gitlab-cloud-connector"].full_gem_path, "sig", "gitlab_cloud_connector.rbs"))
  end

  def declared?(name, singleton:)
    prefix = singleton ? "def self." : "def "
    rbs.include?("#{prefix}#{name}:") || (!singleton && rbs.match?(/attr_reader #{Regexp.escape(name.to_s)}:/))
  end

  {
    CC::Catalog => true, CC::Native::Catalog => true, CC::DataModel::Base => true,
    CC::DataModel::AbstractDataLoader => false, CC::AvailableServicesGenerator => false,
    CC::Configuration => true, CC::JsonWebToken => true, CC::TokenIssuer => true, CC::KeyRing => true,
    CC::KeySet => true, CC::Native::SigningKey => true, CC::Native::JsonWebToken => true,
    CC::Native::KeyRing => true, CC::Native::KeySet => true, CC::CompositeProvider => true,
    CC::Native::KeySource => true, CC::Native::CompositeProvider => true,
  }.each do |klass, with_singleton|
    it "declares #{klass}" do
      own = klass.is_a?(Class) ? klass.public_instance_methods(false) : []
      missing = own.reject { |m| declared?(m, singleton: false) }
      if with_singleton
        missing += klass.singleton_methods(false).reject { |m| declared?(m, singleton: true) }.map { |m| :"self.#{m}" }
      end
      expect(missing).to eq([])
    end
  end
end
