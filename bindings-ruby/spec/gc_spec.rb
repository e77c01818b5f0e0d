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

  # Small inputs: under GC.stress every allocation runs a full GC, so the size of the data (not
  # the code paths, which are the same) decides the time.
  it "survives GC.stress around conversions in both directions" do
    big = { unit_primitives: Array.new(3) { |i| { name: "u#{i}", add_ons: ["a#{i}"], backend_services: ["b"], cut_off_date: Time.at(i) } },
            add_ons: Array.new(3) { |i| { name: "a#{i}" } }, backend_services: [{ name: "b", jwt_aud: "aud-b" }],
            services: [{ name: "s", unit_primitives: %w[u0 u1] }] }
    GC.stress = true
    begin
      rebuilt = CC::Catalog.from_records(big)
      legacy = rebuilt.available_services("gitlab-com")
      ups = rebuilt.records(:unit_primitives)
      err = begin
        CC::Catalog.from_records({ add_ons: [{ name: 5 }] })
      rescue CC::Error => e
        e
      end
    ensure
      GC.stress = false
    end
    expect(legacy["services"].keys).to eq(%w[s u0 u1 u2])
    expect(legacy["services"]["s"]["bundled_with"]).to eq("a0" => { "unit_primitives" => ["u0"] }, "a1" => { "unit_primitives" => ["u1"] })
    expect(ups.map { |u| u[:name] }).to eq(%w[u0 u1 u2])
    expect(ups.last[:cut_off_date]).to eq(Time.at(2))
    expect(rebuilt.associations(:unit_primitives, :u2, :add_ons)).to eq(["a2"])
    expect(err).to be_a(CC::CatalogInvalidError)
    expect(err.problems.first[:field]).to eq("name")
  end
end
