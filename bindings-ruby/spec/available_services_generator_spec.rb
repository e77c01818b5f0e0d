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

    it "follows overrides (through the core, via the loaded records)" do
      CC::Configuration.override_config = { unit_primitives: { duo_chat: { cut_off_date: Time.utc(2031, 5, 6, 7, 8, 9) } } }
      expect(generate["services"]["duo_chat"]["cut_off_date"]).to eq("2031-05-06 07:08:09 UTC")
    end
  end
end
