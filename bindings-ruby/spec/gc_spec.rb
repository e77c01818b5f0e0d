# frozen_string_literal: true

require "spec_helper"

# The extension holds no Ruby objects in Rust memory; these check that objects it creates and
# receives survive compaction and a GC on every allocation.
RSpec.describe "GC safety" do
  it "keeps catalogs and their data valid across GC.compact" do
    catalogs = Array.new(5) { CC::Catalog.embedded(overrides: { add_ons: { duo_pro: { description: "X" } } }) }
    records = catalogs.map { |c| c.records(:unit_primitives) }
    GC.start
    GC.compact if GC.respond_to?(:compact)
    catalogs.each { |c| expect(c.records(:add_ons).find { |a| a[:name] == "duo_pro" }[:description]).to eq("X") }
    expect(records.map(&:size).uniq.size).to eq(1)
    expect(CC::DataModel::UnitPrimitive.find_by_name(:duo_chat).add_ons.map(&:name)).to eq(%w[duo_enterprise duo_pro])
  end

  it "survives GC.stress around conversions in both directions" do
    catalog = CC::Catalog.embedded
    big = { unit_primitives: Array.new(8) { |i| { name: "u#{i}", add_ons: ["a#{i}"], cut_off_date: Time.at(i) } },
            add_ons: Array.new(8) { |i| { name: "a#{i}" } } }
    GC.stress = true
    begin
      legacy = catalog.available_services("gitlab-com")
      rebuilt = CC::Catalog.from_records(big)
      ups = rebuilt.records(:unit_primitives)
      err = begin
        CC::Catalog.embedded(overrides: { unit_primitives: { duo_chat: { backend_services: [] } } })
      rescue CC::Error => e
        e
      end
    ensure
      GC.stress = false
    end
    expect(legacy["services"]["duo_chat"]["backend"]).to eq("gitlab-ai-gateway")
    expect(ups.map { |u| u[:name] }).to eq(Array.new(8) { |i| "u#{i}" })
    expect(ups.last[:cut_off_date]).to eq(Time.at(7))
    expect(rebuilt.associations(:unit_primitives, :u3, :add_ons)).to eq(["a3"])
    expect(err).to be_a(CC::CatalogInvalidError)
    expect(err.problems.first[:field]).to eq("backend_services")
  end
end
