# frozen_string_literal: true

require "spec_helper"

RSpec.describe CC::Catalog do
  let(:catalog) { described_class.embedded }

  it "computes entitlements (scopes and audiences)" do
    free = catalog.entitlements(add_ons: [], at: Time.utc(2020, 1, 1))
    paid = catalog.entitlements(add_ons: ["duo_pro"], at: Time.utc(2030, 1, 1))
    expect(free.keys).to eq(%i[scopes audiences])
    expect(free[:scopes]).to include("duo_chat")
    expect(paid[:scopes]).to include("duo_chat", "complete_code")
    expect(catalog.entitlements(add_ons: [], at: Time.utc(2030, 1, 1))[:scopes]).not_to include("duo_chat")
    expect(paid[:audiences]).to include("gitlab-ai-gateway")
    # The same instant as a Time, an RFC 3339 String or Integer seconds.
    t = Time.utc(2024, 10, 16, 23, 59, 59)
    a = catalog.entitlements(add_ons: [], at: t)
    expect(catalog.entitlements(add_ons: [], at: t.iso8601)).to eq(a)
    expect(catalog.entitlements(add_ons: [], at: t.to_i)).to eq(a)
    expect(catalog.entitlements(add_ons: [:code_suggestions], at: t)).to eq(catalog.entitlements(add_ons: ["duo_pro"], at: t))
  end

  it "refuses bad arguments with typed errors" do
    expect { catalog.entitlements(add_ons: [], license_type: "gold") }
      .to raise_error(CC::InvalidArgumentError, /unknown license type 'gold'/) { |e| expect(e.code).to eq("invalid_argument") }
    expect { catalog.entitlements(add_ons: [], gitlab_version: "seventeen") }.to raise_error(CC::InvalidArgumentError)
    expect { catalog.entitlements(add_ons: [], at: "yesterday") }.to raise_error(CC::InvalidArgumentError, /RFC 3339/)
    expect { catalog.entitlements(add_ons: [], at: Object.new) }.to raise_error(CC::InvalidArgumentError, /cannot use a Object/)
    expect { catalog.records("gadgets") }.to raise_error(CC::InvalidArgumentError, /unknown record kind 'gadgets'/)
    expect { catalog.available_services("nowhere") }.to raise_error(CC::InvalidRealmError)
    expect { described_class.embedded(overrides: { gadgets: {} }) }.to raise_error(CC::InvalidOverrideError)
    expect { described_class.embedded(overrides: { unit_primitives: { duo_chat: { name: "x" } } }) }
      .to raise_error(CC::InvalidOverrideError, /cannot change 'name'/)
    expect { described_class.from_records([1]) }.to raise_error(CC::InvalidArgumentError)
    expect { described_class.from_records({ unit_primitives: [{ name: 1 }] }) }.to raise_error(CC::CatalogInvalidError)
  end

  it "validates a directory, listing every problem" do
    Dir.mktmpdir do |dir|
      expect { described_class.validate_dir(File.join(dir, "nope")) }.to raise_error(CC::CatalogNotFoundError)
      expect(described_class.validate_dir(CC::Configuration::BUNDLED_CONFIG_DIR)).to eq([])
      write_catalog(dir, "add_ons/a.yml" => "name: b\ndescription: x\n", "add_ons/c.yml" => "name: c\n")
      problems = described_class.validate_dir(dir)
      expect(problems.map { |p| p[:kind] }).to contain_exactly("file_name_mismatch", "missing_field")
      expect(problems.first.keys).to eq(%i[kind file record field message])
    end
  end

  # Only what the gem cannot load either fails the DataModel's (lenient) loading: here a record
  # without a name and a file that is not YAML.
  it "maps a catalog_invalid directory to the gem's RuntimeError shape, with code and problems" do
    Dir.mktmpdir do |dir|
      write_catalog(dir, "add_ons/a.yml" => "description: x\n", "add_ons/b.yml" => "name: [unclosed\n")
      CC::Configuration.config_dir = dir
      expect { CC::DataModel::AddOn.all }.to raise_error(RuntimeError) { |e|
        expect(e).to be_a(CC::DataModel::FileLoadError)
        expect(e).to be_a(CC::CodedError)
        expect(e.code).to eq("catalog_invalid")
        expect(e.problems.size).to eq(2)
        expect(e.message).to eq("Error loading file #{dir}/add_ons/a.yml: field 'name': required field of a add-on is missing (and 1 more problem; see #problems)")
      }
      CC::Configuration.config_dir = File.join(dir, "missing")
      CC::DataModel::AddOn.remove_instance_variable(:@data_loader)
      expect { CC::DataModel::AddOn.all }.to raise_error(CC::DataModel::FileLoadError, /\AError loading file .*missing: catalog directory/) { |e|
        expect(e.code).to eq("catalog_not_found")
      }
    end
  end

  it "has one error class per core code, all under Gitlab::CloudConnector::Error" do
    CC::Native.error_codes.each do |code|
      klass = CC::Error.for_code(code)
      expect(klass.superclass).to eq(CC::Error)
      expect(klass.new("m").code).to eq(code)
    end
    expect(CC::Error.superclass).to eq(StandardError)
    expect(CC::CatalogInvalidError.name).to eq("Gitlab::CloudConnector::CatalogInvalidError")
    expect(%w[catalog_invalid catalog_not_found invalid_realm invalid_override invalid_argument] - CC::Native.error_codes).to be_empty
  end

  it "builds a catalog from records and runs the core's rules on it" do
    c = described_class.from_records(catalog.load_all)
    expect(c.source).to eq("records")
    expect(c.available_services("self-managed")).to eq(catalog.available_services("self-managed"))
    expect(c.find(:unit_primitives, :duo_chat)).to eq("duo_chat")
    expect(c.associations(:unit_primitives, :duo_chat, :add_ons)).to eq(%w[duo_enterprise duo_pro])
  end

  it "from_env reads CLOUD_CONNECTOR_CONFIG_DIR when set and not empty" do
    Dir.mktmpdir do |dir|
      write_catalog(dir, "add_ons/solo.yml" => "name: solo\ndescription: x\n")
      ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = dir
      expect(described_class.from_env.records(:add_ons).map { |a| a[:name] }).to eq(["solo"])
      expect(described_class.from_env.source).to eq(dir)
      ENV["CLOUD_CONNECTOR_CONFIG_DIR"] = ""
      expect(described_class.from_env.source).to eq("embedded")
    ensure
      ENV.delete("CLOUD_CONNECTOR_CONFIG_DIR")
    end
  end

  it "applies licence and version constraints" do
    at = Time.utc(2030, 1, 1)
    all = catalog.entitlements(add_ons: %w[duo_pro duo_enterprise duo_core], at: at)[:scopes]
    premium = catalog.entitlements(add_ons: %w[duo_pro duo_enterprise duo_core], at: at, license_type: :premium)[:scopes]
    expect(premium).to all(satisfy { |s| all.include?(s) })
    expect(premium.size).to be < all.size
    old = catalog.entitlements(add_ons: %w[duo_pro duo_enterprise duo_core], at: at, gitlab_version: "16.0")[:scopes]
    expect(old).not_to include("duo_chat") # min_gitlab_version 16.9
    expect(catalog.entitlements(add_ons: %w[duo_pro], at: at, gitlab_version: "17.5.1-ee")[:scopes]).to include("duo_chat")
  end

  it "exposes names for enums" do
    expect(catalog.unit_primitive_names).to include("duo_chat")
    expect(catalog.feature_categories).to include("duo_chat")
  end

  it "works with ActiveSupport durations and times when ActiveSupport is loaded" do
    begin
      require "active_support"
      require "active_support/time"
    rescue LoadError
      skip "ActiveSupport is not installed"
    end
    Time.zone = "UTC"
    expect(catalog.entitlements(add_ons: [], at: Time.zone.at(0) + 1.day))
      .to eq(catalog.entitlements(add_ons: [], at: 86_400))
  end
end
