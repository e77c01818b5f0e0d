# frozen_string_literal: true

require "spec_helper"
require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"

# The loader of a precompiled platform gem (lib/gitlab/cloud_connector/native.rb), in the layout
# scripts/dist/ruby.sh stages: lib/gitlab_cloud_connector/<minor>/gitlab_cloud_connector.so. Each
# case loads native.rb in a fresh Ruby from a copy of that layout.
RSpec.describe "the platform gem's extension loader" do
  let(:native_rb) { File.join(Gem.loaded_specs["gitlab-cloud-connector"].full_gem_path, "lib/gitlab/cloud_connector/native.rb") }
  let(:extension) { $LOADED_FEATURES.grep(/gitlab[-_]cloud[-_]connector\.so\z/).first }
  let(:minor) { RUBY_VERSION[/\A\d+\.\d+/] }

  def load_from(minors_with_extension)
    Dir.mktmpdir do |lib|
      FileUtils.mkdir_p(File.join(lib, "gitlab/cloud_connector"))
      FileUtils.cp(native_rb, File.join(lib, "gitlab/cloud_connector/native.rb"))
      minors_with_extension.each do |m|
        FileUtils.mkdir_p(File.join(lib, "gitlab_cloud_connector", m))
        FileUtils.cp(extension, File.join(lib, "gitlab_cloud_connector", m, "gitlab_cloud_connector.so"))
      end
      script = "begin; require #{File.join(lib, 'gitlab/cloud_connector/native.rb').dump}; " \
               "puts $LOADED_FEATURES.grep(/gitlab_cloud_connector\\.so\\z/); " \
               "rescue LoadError => e; puts 'LoadError: ' + e.message; end"
      out, status = Open3.capture2e(RbConfig.ruby, "--disable-gems", "-e", script)
      expect(status).to be_success
      return out.sub(lib, "LIB")
    end
  end

  it "requires the extension of the running Ruby's minor among several" do
    expect(load_from(["3.0", minor, "9.9"])).to eq("LIB/gitlab_cloud_connector/#{minor}/gitlab_cloud_connector.so\n")
  end

  it "names the minors it has when the running Ruby's is not among them" do
    out = load_from(%w[9.10 9.9])
    expect(out).to start_with("LoadError: gitlab-cloud-connector: this precompiled gem has the extension for Ruby 9.9, 9.10, not for Ruby #{RUBY_VERSION}")
    expect(out).to include("gem install gitlab-cloud-connector --platform ruby")
  end
end
