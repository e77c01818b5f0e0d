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

  # Issue 13: the gem has no validator; what it loads must load here, with warnings.
  describe "lenient loading through CLOUD_CONNECTOR_CONFIG_DIR" do
    let(:loose) do
      "name: loose\ndescription: Loose.\nbackend_services: [ai_gateway]\nadd_ons: [duo_pro, no_such_add_on]\n" \
        "rollout: beta\ncut_off_date: 2024-10-17T00:00:00+00:00\n"
    end

    it "loads every record the gem loads and reports the validator's findings as warnings" do
      Dir.mktmpdir do |dir|
        FileUtils.cp_r(File.join(conf::BUNDLED_CONFIG_DIR, "."), dir)
        File.write(File.join(dir, "unit_primitives", "loose_file.yml"), loose)
        ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = dir
        begin
          expect { up.all }.to output(
            %r{catalog warning: #{Regexp.escape(dir)}/unit_primitives/loose_file\.yml: record 'loose', field 'rollout': unknown field}
          ).to_stderr
          rec = up.find_by_name(:loose)
          expect(rec[:rollout]).to eq("beta")
          expect(rec.to_hash).to include(rollout: "beta", name: "loose")
          expect(rec.group).to be_nil
          expect(rec.cut_off_date).to eq(Time.utc(2024, 10, 17))
          expect(rec.add_ons.map(&:name)).to eq(["duo_pro"])
          fields = CC::DataModel.load_warnings.map { |w| [w[:record], w[:field]] }
          expect(fields).to include(%w[loose rollout], %w[loose group], %w[loose feature_category],
                                    %w[loose license_types], %w[loose add_ons], %w[loose name])
          expect(CC::DataModel.load_warnings).to all(include(file: File.join(dir, "unit_primitives", "loose_file.yml")))
          # Our own API and the validator stay strict on the same directory.
          expect { CC::Catalog.load_dir(dir) }.to raise_error(CC::CatalogInvalidError)
          expect(CC::Catalog.validate_dir(dir)).not_to be_empty
        ensure
          ENV.delete("CLOUD_CONNECTOR_CONFIG_DIR")
        end
      end
    end

    it "loads a name that is not snake_case and keeps the later of two records of one name, as the gem does" do
      Dir.mktmpdir do |dir|
        FileUtils.cp_r(File.join(conf::BUNDLED_CONFIG_DIR, "."), dir)
        ups = File.join(dir, "unit_primitives")
        File.write(File.join(ups, "duo_chat_odd.yml"), "name: Duo-Chat\ndescription: Odd.\nbackend_services: [ai_gateway]\n")
        File.write(File.join(ups, "twin_a.yml"), "name: twin\ndescription: First.\nbackend_services: [ai_gateway]\n")
        File.write(File.join(ups, "twin_b.yml"), "name: twin\ndescription: Second.\nbackend_services: [ai_gateway]\n")
        ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = dir
        begin
          expect { up.all }.to output(/catalog warning: .*record 'twin'/).to_stderr
          expect(up.find_by_name("Duo-Chat")).not_to be_nil
          expect(up.all.select { |u| u.name == "twin" }.map(&:description)).to eq(["Second."])
          kinds = CC::DataModel.load_warnings.map { |w| w[:kind] }
          expect(kinds).to include("duplicate_name", "invalid_value")
        ensure
          ENV.delete("CLOUD_CONNECTOR_CONFIG_DIR")
        end
      end
    end

    it "still fails where the gem fails (a file that is not YAML)" do
      Dir.mktmpdir do |dir|
        write_catalog(dir, "add_ons/broken.yml" => "name: [unclosed\n")
        conf.config_dir = dir
        expect { CC::DataModel::AddOn.all }.to raise_error(CC::DataModel::FileLoadError, /\AError loading file #{Regexp.escape(dir)}\/add_ons\/broken\.yml: /)
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

    it "loads a merged record the validator finds fault with, warning that the value came from the overrides" do
      conf.override_config = { unit_primitives: { duo_chat: { backend_services: [] } } }
      expect { up.all }.to output(
        %r{catalog warning: config/unit_primitives/duo_chat\.yml: record 'duo_chat', field 'backend_services': .*\(value from override configuration\)}
      ).to_stderr
      expect(up.find_by_name(:duo_chat)[:backend_services]).to eq([])
      warning = CC::DataModel.load_warnings.find { |w| w[:field] == "backend_services" }
      expect(warning).to include(kind: "invalid_value", record: "duo_chat", file: "config/unit_primitives/duo_chat.yml")
    end

    it "makes a record free with cut_off_date: nil, as the gem does" do
      conf.override_config = { unit_primitives: { duo_chat: { cut_off_date: nil } } }
      chat = up.find_by_name(:duo_chat)
      expect(chat.cut_off_date).to be_nil
      expect(chat.to_hash).to include(cut_off_date: nil)
      expect(CC::DataModel.load_warnings).to eq([])
      expect(CC::AvailableServicesGenerator.new.generate("gitlab-com")["services"]["duo_chat"]).not_to have_key("cut_off_date")
      key = CC::SigningKey.generate
      scopes = CC::TokenIssuer.new(name_or_url: "i", subject: "s", realm: "saas", active_add_ons: [], ttl: 60, jwk: key)
                             .json_web_token.payload[:scopes]
      expect(scopes).to include("duo_chat")
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
