# frozen_string_literal: true

require "spec_helper"

RSpec.describe CC::AvailableServicesGenerator do
  let(:facts) { YAML.safe_load(File.read(shared_path("data/catalog-facts.yaml"))) }
  let(:legacy) { facts.fetch("legacy_generator_output") }
  let(:frozen) { legacy.fetch("expected").fetch("services") }

  def generate(realm = "gitlab-com")
    described_class.new.generate(realm)
  end

  describe "RB-GEN-01" do
    it "reproduces the 26 frozen entries exactly on the bundled catalog" do
      expect(frozen.size).to eq(26)
      services = generate.fetch("services")
      frozen.each do |name, entry|
        expect(services[name]).to eq(entry), "#{name}: #{services[name].inspect}"
      end
      expect(services.keys).to include(*legacy.fetch("additional_entries_from_current_generator").keys)
    end

    # The fixture's own inputs, supplied by a Ruby loader (as GitLab Rails' database loader would):
    # the generator still runs the core's rules on them.
    it "reproduces the frozen entries plus the stand-alone additions from loader-supplied records" do
      assumptions = legacy.dig("input_assumptions", "unit_primitive_fields")
      rows = {
        "unit_primitives" => facts["unit_primitives"].select { |u| u["in_legacy_final"] }
                                                     .map { |u| u.merge(assumptions.fetch(u["name"], {})) },
        "services" => facts["services"], "backend_services" => facts["backend_services"],
        "add_ons" => facts["add_ons"], "license_types" => facts["license_types"],
      }
      loader = Class.new(CC::DataModel::AbstractDataLoader) do
        define_method(:load!) do
          Array(rows[model_class.table_name]).sort_by { |r| r["name"] }.map do |row|
            attrs = row.compact.transform_keys(&:to_sym)
            attrs[:cut_off_date] = Time.iso8601(attrs[:cut_off_date]) if attrs[:cut_off_date]
            model_class.new(**attrs)
          end
        end
      end
      CC::Configuration.data_loader_class = loader
      services = generate.fetch("services")
      additional = legacy.fetch("additional_entries_from_current_generator")
      expect(additional.size).to eq(19)
      expect(services.keys).to eq((frozen.keys + additional.keys).sort)
      frozen.each { |name, entry| expect(services[name]).to eq(entry), name }
      additional.each do |name, entry|
        entry.each { |key, value| expect(services[name][key]).to eq(value), "#{name}.#{key}" unless value.nil? }
      end
    end
  end

  describe "RB-GEN-02" do
    it "refuses a bad realm with the exact message, before loading anything" do
      CC::Configuration.data_loader_class = Class.new(CC::DataModel::AbstractDataLoader) do
        def load! = raise("must not load")
      end
      ["gitlab_com", "", "saas", nil].each do |bad|
        expect { generate(bad) }.to raise_error(
          RuntimeError, "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"
        ) { |e| expect(e.code).to eq("invalid_realm") }
      end
      expect(described_class::GITLAB_REALMS).to eq(%w[gitlab-com self-managed])
      expect(format(described_class::WRONG_GITLAB_REALM_MESSAGE, "a, b")).to eq("Wrong gitlab_realm. Please use one of the following: a, b")
    end

    it "has String keys, sorted top-level keys, _irrelevant and self_hosted_models' duo_enterprise only" do
      %w[gitlab-com self-managed].each do |realm|
        out = generate(realm)
        expect(out.keys).to eq(["services"])
        services = out["services"]
        expect(services.keys).to eq(services.keys.sort)
        check = lambda do |v|
          case v
          when Hash then v.each { |k, x| expect(k).to be_a(String); check.call(x) }
          when Array then v.each { |x| check.call(x) }
          else expect(v).to be_a(String)
          end
        end
        check.call(out)
        expect(services["self_hosted_models"]["bundled_with"].keys).to eq(["duo_enterprise"]) if services["self_hosted_models"]
      end
      irrelevant = generate["services"].values.select { |e| e["bundled_with"]&.key?("_irrelevant") }
      expect(irrelevant).not_to be_empty
    end

    it "uses the records a YamlDataLoader subclass changed" do
      renaming = Class.new(CC::DataModel::YamlDataLoader) do
        def load!
          super.map do |r|
            r.name == "duo_chat" ? r.class.new(**r.to_hash, min_gitlab_version: "99.1") : r
          end
        end
      end
      CC::Configuration.data_loader_class = renaming
      expect(generate["services"]["duo_chat"]["min_gitlab_version"]).to eq("99.1")
    end

    it "refuses a Symbol realm as the gem does (only a String is a realm)" do
      [:"gitlab-com", :"self-managed", 1].each do |bad|
        expect { generate(bad) }.to raise_error(
          described_class::WrongRealmError, "Wrong gitlab_realm. Please use one of the following: gitlab-com, self-managed"
        )
      end
    end

    it "follows overrides (through the core, via the loaded records)" do
      CC::Configuration.override_config = { unit_primitives: { duo_chat: { cut_off_date: Time.utc(2031, 5, 6, 7, 8, 9) } } }
      expect(generate["services"]["duo_chat"]["cut_off_date"]).to eq("2031-05-06 07:08:09 UTC")
    end
  end

  # Issue 13: Rails takes its free-access scopes from `bundled_with.values.flatten.uniq`, so the
  # order inside an entry is visible.
  describe "order and time text as the gem's" do
    let(:key_order) { %w[backend cut_off_date min_gitlab_version min_gitlab_version_for_free_access bundled_with license_types] }

    def with_records(rows)
      CC::Configuration.data_loader_class = Class.new(CC::DataModel::AbstractDataLoader) do
        define_method(:load!) { Array(rows[model_class.table_name.to_sym]).map { |attrs| model_class.new(**attrs) } }
      end
    end

    it "gives every entry's keys in the gem's order and bundled_with groups in first-use order" do
      with_records(
        backend_services: [{ name: "b", jwt_aud: "aud-b" }],
        add_ons: [{ name: "duo_pro" }], license_types: [{ name: "premium" }],
        unit_primitives: [
          { name: "a_paid", backend_services: ["b"], add_ons: ["duo_pro"], license_types: ["premium"],
            cut_off_date: Time.new(2024, 10, 17, 2, 0, 0, "+02:00"), min_gitlab_version: "16.9" },
          { name: "z_free", backend_services: ["b"], add_ons: [], license_types: [] },
        ],
        services: [{ name: "svc", unit_primitives: %w[z_free a_paid], basic_unit_primitive: "a_paid" }]
      )
      entry = generate["services"]["svc"]
      expect(entry.keys).to eq(%w[backend cut_off_date min_gitlab_version bundled_with license_types])
      expect(entry["bundled_with"].keys).to eq(%w[duo_pro _irrelevant])
      expect(entry["bundled_with"].values.flat_map { |b| b["unit_primitives"] }.uniq).to eq(%w[a_paid z_free])
      # The gem's strftime: the wall clock in the Time's own offset, then " UTC".
      expect(entry["cut_off_date"]).to eq("2024-10-17 02:00:00 UTC")
    end

    it "keeps the gem's order on the bundled catalog" do
      services = generate["services"]
      services.each_value { |entry| expect(entry.keys).to eq(key_order & entry.keys) }
      CC::DataModel::Service.each do |service|
        next unless services.key?(service.name) && service.name != "self_hosted_models"

        groups = service.unit_primitives.flat_map { |up| up.add_ons.empty? ? ["_irrelevant"] : up.add_ons.map(&:name) }.uniq
        expect(services[service.name]["bundled_with"].keys).to eq(groups), service.name
      end
    end
  end
end
