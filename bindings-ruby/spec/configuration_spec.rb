# frozen_string_literal: true

require "spec_helper"

RSpec.describe CC::Configuration do
  let(:conf) { CC::Configuration }
  let(:up) { CC::DataModel::UnitPrimitive }

  describe "RB-CFG-01" do
    it "has the gem's constants and error classes" do
      expect(conf::DEFAULT_DATA_LOADER_CLASS).to eq(CC::DataModel::YamlDataLoader)
      expect(conf::InvalidDataLoaderError.superclass).to eq(StandardError)
      expect(conf::InvalidConfigError.superclass).to eq(StandardError)
    end

    it "accepts only strict subclasses of AbstractDataLoader" do
      [nil, CC::DataModel::AbstractDataLoader, String, "YamlDataLoader"].each do |bad|
        expect { conf.data_loader_class = bad }.to raise_error(
          conf::InvalidDataLoaderError,
          "Data loader must inherit from Gitlab::CloudConnector::DataModel::AbstractDataLoader"
        )
      end
      custom = Class.new(CC::DataModel::YamlDataLoader)
      conf.data_loader_class = custom
      expect(conf.data_loader_class).to eq(custom)
    end

    it "accepts nil, a Hash or a callable as override configuration" do
      [1, "x", [], :sym].each do |bad|
        expect { conf.override_config = bad }.to raise_error(
          conf::InvalidConfigError, "Override configuration must be a Hash or respond to :call"
        )
      end
      callable = -> { {} }
      conf.override_config = callable
      expect(conf.override_config).to equal(callable)
      conf.override_config = nil
      expect(conf.override_config).to be_nil
    end

    it "reads CLOUD_CONNECTOR_CONFIG_DIR once, memoised and frozen" do
      Dir.mktmpdir do |dir|
        ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = dir
        begin
          expect(conf.config_dir).to eq(dir)
          expect(conf.config_dir).to be_frozen
          ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = "/elsewhere"
          expect(conf.config_dir).to eq(dir)
          conf.config_dir = nil
          expect(conf.config_dir).to eq("/elsewhere")
        ensure
          ENV.delete("CLOUD_CONNECTOR_CONFIG_DIR")
        end
      end
      conf.config_dir = nil
      expect(conf.config_dir).to eq(conf::BUNDLED_CONFIG_DIR)
      path = +"/some/where"
      conf.config_dir = path
      expect(conf.config_dir).to equal(path)
    end

    it "configure yields the module, and does nothing without a block" do
      expect { |b| conf.configure(&b) }.to yield_with_args(conf)
      expect(conf.configure).to be_nil
    end

    it "loads models from a configured directory" do
      Dir.mktmpdir do |dir|
        FileUtils.cp_r(File.join(conf::BUNDLED_CONFIG_DIR, "."), dir)
        File.write(File.join(dir, "add_ons", "duo_extra.yml"), "name: duo_extra\ndescription: Extra.\n")
        conf.config_dir = dir
        expect(CC::DataModel::AddOn.find_by_name(:duo_extra).description).to eq("Extra.")
      end
    end
  end

  describe "RB-OVR-01 overrides" do
    it "replaces whole top-level fields of the named record only" do
      conf.override_config = { unit_primitives: { duo_chat: { add_ons: ["duo_pro"], cut_off_date: Time.utc(2030, 1, 2) } } }
      chat = up.find_by_name(:duo_chat)
      expect(chat[:add_ons]).to eq(["duo_pro"])
      expect(chat.cut_off_date).to eq(Time.utc(2030, 1, 2))
      expect(chat.min_gitlab_version).to eq("16.9") # untouched fields stay
      expect(up.find_by_name(:explain_code)[:add_ons]).to include("duo_enterprise")
    end

    it "ignores String keys (the gem digs with Symbols) and records the catalog lacks" do
      conf.override_config = { "unit_primitives" => { "duo_chat" => { "add_ons" => [] } },
                               unit_primitives: { no_such_record: { add_ons: [] } } }
      expect(up.find_by_name(:duo_chat)[:add_ons]).to eq(%w[duo_enterprise duo_pro])
      expect(up.find_by_name(:no_such_record)).to be_nil
    end

    it "evaluates a callable once per file loaded" do
      calls = 0
      conf.override_config = lambda {
        calls += 1
        { add_ons: { duo_pro: { description: "Overridden." } } }
      }
      expect(CC::DataModel::AddOn.find_by_name(:duo_pro).description).to eq("Overridden.")
      expect(calls).to eq(Dir.glob(File.join(conf.config_dir, "add_ons", "*.yml")).size)
    end

    it "surfaces a bad value as RuntimeError 'Error loading file ...: Invalid override config type'" do
      conf.override_config = -> { [1] }
      expect { CC::DataModel::AddOn.all }.to raise_error(RuntimeError) { |e|
        expect(e.message).to match(%r{\AError loading file .*/add_ons/\w+\.yml: Invalid override config type: Array\. Expected Hash or nil\.\z})
      }
    end

    it "surfaces a failing callable as 'Failed to load override config: <Class>: <message>'" do
      conf.override_config = -> { raise KeyError, "boom" }
      expect { CC::DataModel::AddOn.all }.to raise_error(
        RuntimeError, %r{\AError loading file .*\.yml: Failed to load override config: KeyError: boom\z}
      )
    end

    it "validates the merged record and says the value came from the overrides" do
      conf.override_config = { unit_primitives: { duo_chat: { backend_services: [] } } }
      expect { up.all }.to raise_error(CC::DataModel::FileLoadError) { |e|
        expect(e).to be_a(RuntimeError)
        expect(e.code).to eq("catalog_invalid")
        expect(e.message).to start_with("Error loading file #{File.join(conf.config_dir, "unit_primitives", "duo_chat.yml")}: field 'backend_services'")
        expect(e.message).to include("(value from override configuration)")
        expect(e.problems.first[:record]).to eq("duo_chat")
      }
    end

    it "keeps the gem's apply_overrides for callers of it" do
      conf.override_config = { add_ons: { duo_pro: { description: "X" } } }
      loader = CC::DataModel::YamlDataLoader.new(CC::DataModel::AddOn)
      expect(loader.apply_overrides({ name: "duo_pro", description: "Y", z: 1 }, CC::DataModel::AddOn))
        .to eq(name: "duo_pro", description: "X", z: 1)
      expect(loader.apply_overrides({ name: "other" }, CC::DataModel::AddOn)).to eq(name: "other")
    end
  end
end
