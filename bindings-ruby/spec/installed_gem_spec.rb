# frozen_string_literal: true

require "spec_helper"

RSpec.describe "the gem under test" do
  it "is the installed gem, not the source tree" do
    lib = $LOADED_FEATURES.find { |f| f.end_with?("/gitlab/cloud_connector.rb") }
    expect(lib).not_to start_with(File.join(REPO_ROOT, "bindings-ruby"))
    expect(Gem.loaded_specs).to include("gitlab-cloud-connector")
    expect(lib).to start_with(Gem.loaded_specs["gitlab-cloud-connector"].full_gem_path)
  end

  it "ships its catalog and uses it by default" do
    expect(CC::Configuration.config_dir).to eq(File.join(Gem.loaded_specs["gitlab-cloud-connector"].full_gem_path, "config"))
    expect(File).to exist(File.join(CC::Configuration.config_dir, "unit_primitives", "duo_chat.yml"))
  end
end

RSpec.describe "the installed extension" do
  let(:spec) { Gem.loaded_specs["gitlab-cloud-connector"] }

  it "keeps no cargo build tree beside the library (ext/cleanup ran after the cargo builder)" do
    expect(File).to exist(spec.extension_dir)
    leftovers = Dir.children(spec.extension_dir) - %w[gem.build_complete gem_make.out mkmf.log]
    expect(leftovers.grep_v(/\Agitlab-cloud-connector\.so\z/)).to eq([])
    expect(Dir.glob(File.join(spec.full_gem_path, "**", "*.rlib"))).to eq([])
    expect($LOADED_FEATURES.grep(/gitlab-cloud-connector\.so\z/).size).to eq(1)
  end
end
