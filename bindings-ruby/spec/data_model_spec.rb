# frozen_string_literal: true

require "spec_helper"

RSpec.describe CC::DataModel do
  let(:up) { CC::DataModel::UnitPrimitive }

  describe "RB-DM-01 model classes" do
    it "lists the five models as Base.subclasses and Base.descendants" do
      expect(CC::DataModel::Base.subclasses).to match_array(MODELS)
      expect(CC::DataModel::Base.descendants).to match_array(MODELS)
    end

    it "gives every model a non-empty `all` with the YAML loader" do
      MODELS.each { |klass| expect(klass.all).not_to be_empty, klass.name }
    end

    it "gives empty models with a database-style loader that has no rows" do
      empty = Class.new(CC::DataModel::AbstractDataLoader) { def load! = [] }
      CC::Configuration.data_loader_class = empty
      MODELS.each { |klass| expect(klass.all).to eq([]) }
    end

    it "is Enumerable on the class" do
      expect(up).to be_a(Enumerable)
      expect(up.count).to eq(up.all.size)
      expect(up.map(&:name)).to eq(up.all.map(&:name))
      expect(up.find { |u| u.name == "duo_chat" }).to equal(up.find_by_name("duo_chat"))
      expect(up.select { |u| u.add_ons.map(&:name).include?("duo_pro") }.map(&:name)).to include("duo_chat", "complete_code")
      expect(up.each).to be_a(Enumerator)
      expect(up.model_name).to eq("UnitPrimitive")
      expect(MODELS.map(&:table_name)).to eq(%w[unit_primitives services backend_services add_ons license_types])
    end

    it "memoises the loader per class in @data_loader" do
      up.all
      loader = up.instance_variable_get(:@data_loader)
      expect(loader).to be_a(CC::DataModel::YamlDataLoader)
      expect(loader.instance_variable_get(:@name_index)).to be_a(Hash)
      CC::Configuration.data_loader_class = Class.new(CC::DataModel::AbstractDataLoader) { def load! = [] }
      expect(up.all).not_to be_empty # already loaded: the change has no effect
    end
  end

  describe "RB-DM-02 find_by_name" do
    it "accepts a String or a Symbol and returns nil when absent" do
      chat = up.find_by_name("duo_chat")
      expect(chat.name).to eq("duo_chat")
      expect(up.find_by_name(:duo_chat)).to equal(chat)
      expect(up.find_by_name("no_such_thing")).to be_nil
      expect { up.find_by_name(nil) }.to raise_error(NoMethodError)
    end

    it "resolves aliases, and `all` has no alias duplicates" do
      aliased = up.all.find { |u| Array(u.alias_names).any? }
      skip "the catalog has no alias names" unless aliased
      expect(up.find_by_name(aliased.alias_names.first)).to equal(aliased)
      expect(up.all.uniq.size).to eq(up.all.size)
      expect(up.all.size).to eq(up.all.map(&:name).uniq.size)
    end
  end

  describe "RB-DM-03 associations" do
    it "returns records in the target's load order" do
      chat = up.find_by_name(:duo_chat)
      expect(chat[:add_ons]).to eq(%w[duo_enterprise duo_pro])
      expect(chat.add_ons).to all(be_a(CC::DataModel::AddOn))
      order = CC::DataModel::AddOn.map(&:name)
      expect(chat.add_ons.map(&:name)).to eq(order & chat[:add_ons])
      expect(chat.backend_services.map(&:jwt_aud)).to eq(%w[gitlab-ai-gateway gitlab-duo-workflow-service])
    end

    it "drops unknown names, matches no Symbols, does not follow aliases, and gives [] for nil" do
      rec = up.new(name: "x", add_ons: ["duo_pro", "nope", :duo_enterprise, "duo_core"])
      expect(rec.add_ons.map(&:name)).to eq(%w[duo_core duo_pro])
      expect(up.new(name: "y").backend_services).to eq([])
      expect(up.new(name: "y", license_types: nil).license_types).to eq([])
      aliased = up.all.find { |u| Array(u.alias_names).any? }
      if aliased
        svc = CC::DataModel::Service.new(name: "s", unit_primitives: [aliased.alias_names.first, aliased.name])
        expect(svc.unit_primitives).to eq([aliased])
      end
    end

    it "passes arrays of model objects through (factories) and memoises in @<name>_association" do
      backend = CC::DataModel::BackendService.new(name: "ai-backend", jwt_aud: "https://ai.gitlab.com")
      rec = up.new(name: "factory_up", backend_services: [backend])
      expect(rec.backend_services).to eq([backend])
      expect(rec.instance_variable_get(:@backend_services_association)).to eq([backend])
      first = rec.add_ons
      expect(rec.add_ons).to equal(first)
    end

    it "refuses an association cache key as data" do
      expect { up.new(name: "x", add_ons_association: []) }
        .to raise_error(ArgumentError, "Cannot override association 'add_ons_association'")
      expect(up.associations).to eq(%i[backend_services add_ons license_types])
      expect(up.association_cache_keys).to eq(%i[backend_services_association add_ons_association license_types_association])
      expect(CC::DataModel::Service.associations).to eq(%i[unit_primitives])
      expect(CC::DataModel::AddOn.associations).to eq([])
    end
  end

  describe "RB-DM-04 to_hash and []" do
    it "has Symbol keys, a Time cut_off_date, no association caches, and unknown keys" do
      chat = up.find_by_name(:duo_chat)
      chat.add_ons # fill the cache
      h = chat.to_hash
      expect(h.keys).to all(be_a(Symbol))
      expect(h[:cut_off_date]).to be_a(Time)
      expect(h[:cut_off_date]).to eq(Time.utc(2024, 10, 17))
      expect(h).not_to have_key(:add_ons_association)
      expect(h[:add_ons]).to eq(%w[duo_enterprise duo_pro])
      expect(h[:min_gitlab_version]).to eq("16.9")
      rec = up.new(name: "x", something_new: 42)
      expect(rec.to_hash).to eq(name: "x", something_new: 42)
      expect(rec[:something_new]).to eq(42)
      expect(rec).not_to respond_to(:something_new)
    end

    it "has a reader for every field" do
      chat = up.find_by_name(:duo_chat)
      %i[cut_off_date deprecated_by_url deprecation_message description documentation_url feature_category group
         introduced_by_url milestone min_gitlab_version min_gitlab_version_for_free_access name
         unit_primitive_issue_url alias_names].each { |r| expect(chat).to respond_to(r) }
      expect(chat.feature_category).to eq("duo_chat")
      backend = CC::DataModel::BackendService.find_by_name(:ai_gateway)
      expect(backend.jwt_aud).to eq("gitlab-ai-gateway")
      %i[description group jwt_aud name project_url].each { |r| expect(backend).to respond_to(r) }
      svc = CC::DataModel::Service.first
      %i[basic_unit_primitive description gitlab_realm name unit_primitives].each { |r| expect(svc).to respond_to(r) }
    end
  end

  describe "RB-DM-05 loaders" do
    it "indexes by Symbol name and alias; associations resolve to model instances" do
      index = CC::DataModel::YamlDataLoader.new(up).load_with_index!
      expect(index.keys).to all(be_a(Symbol))
      expect(index[:duo_chat]).to be_a(up)
      expect(index[:duo_chat].add_ons).to all(be_a(CC::DataModel::AddOn))
      expect(index[:duo_chat].cut_off_date).to be_a(Time)
    end

    it "lets a Ruby loader subclass supply records (a database loader)" do
      rows = {
        "unit_primitives" => [{ "name" => "db_chat", "add_ons" => ["duo_pro", "gone"], "backend_services" => ["ai"],
                                "cut_off_date" => "2024-10-17T00:00:00Z", "add_ons_association" => "dropped",
                                "alias_names" => ["old_db_chat"] }],
        "add_ons" => [{ "name" => "duo_pro" }],
        "backend_services" => [{ "name" => "ai", "jwt_aud" => "https://ai.gitlab.com" }],
      }
      db_loader = Class.new(CC::DataModel::AbstractDataLoader) do
        define_method(:load!) do
          Array(rows[model_class.table_name]).map do |row|
            attrs = row.reject { |k, _| k.end_with?("_association") }.transform_keys(&:to_sym)
            attrs[:cut_off_date] = Time.iso8601(attrs[:cut_off_date]) if attrs[:cut_off_date]
            model_class.new(**attrs)
          end
        end
      end
      CC::Configuration.data_loader_class = db_loader
      chat = up.find_by_name(:db_chat)
      # No cache in the abstract loader: every lookup loads again, as in the gem.
      expect(up.find_by_name("old_db_chat").name).to eq("db_chat")
      expect(chat.add_ons.map(&:name)).to eq(["duo_pro"])
      expect(chat.backend_services.first.jwt_aud).to eq("https://ai.gitlab.com")
      expect(chat.cut_off_date).to eq(Time.utc(2024, 10, 17))
      expect(CC::DataModel::Service.all).to eq([])
    end

    it "raises NotImplementedError from the abstract loader" do
      loader = Class.new(CC::DataModel::AbstractDataLoader)
      stub_const("MyLoader", loader)
      expect { MyLoader.new(up).load_with_index! }.to raise_error(NotImplementedError, "MyLoader must implement #load!")
      expect(NotImplementedError.ancestors).not_to include(StandardError)
    end

    it "builds the name index the gem's way (later keys win, records without names fail)" do
      loader = CC::DataModel::YamlDataLoader.new(up)
      a = up.new(name: "a", alias_names: ["b"])
      b = up.new(name: "b")
      expect(loader.build_name_index([a, b])).to eq(a: a, b: b)
      expect(loader.build_name_index([b, a])).to eq(b: a, a: a)
      expect { loader.build_name_index([up.new]) }.to raise_error(NoMethodError)
    end
  end

  describe ".load_all" do
    it "returns every kind's record hashes" do
      all = CC::DataModel.load_all
      expect(all.keys).to match_array(%i[unit_primitives services backend_services license_types add_ons])
      chat = all[:unit_primitives].find { |h| h[:name] == "duo_chat" }
      expect(chat[:add_ons]).to eq(%w[duo_enterprise duo_pro])
      expect(chat[:cut_off_date]).to be_a(Time)
      expect(all[:unit_primitives].size).to eq(CC::Catalog.embedded.load_all[:unit_primitives].size)
    end

    it "ignores Configuration.data_loader_class and uses the given loader class" do
      CC::Configuration.data_loader_class = Class.new(CC::DataModel::AbstractDataLoader) { def load! = [] }
      expect(CC::DataModel.load_all[:add_ons]).not_to be_empty
      empty = Class.new(CC::DataModel::AbstractDataLoader) { def load! = [] }
      expect(CC::DataModel.load_all(loader_class: empty).values).to all(eq([]))
    end
  end
end
