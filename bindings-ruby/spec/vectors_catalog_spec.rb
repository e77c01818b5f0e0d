# frozen_string_literal: true

require "spec_helper"

# tests/vectors/catalog.json through the gem: the same results as the Rust core
# (core/tests/vectors_catalog.rs) and the Python package.
VECTORS = vectors("catalog.json")

RSpec.describe "shared catalog vectors" do
  it "has the expected format" do
    expect(VECTORS["format"]).to eq(1)
    expect(VECTORS["cases"].size).to be > 50
  end

  def catalog_for(name, tmp)
    return CC::Catalog.embedded if name == "embedded"
    return CC::Catalog.load_dir(File.join(tmp, "missing")) if name.nil?

    CC::Catalog.load_dir(write_catalog(File.join(tmp, name), VECTORS["catalogs"].fetch(name).fetch("files")))
  end

  def run(c, tmp)
    catalog = catalog_for(c["catalog"], tmp)
    case c["op"]
    when "load" then "loaded"
    when "lookup" then catalog.find(c["kind"], c["name"])
    when "all_names" then catalog.load_all.fetch(c["kind"].to_sym).map { |r| r[:name] }
    when "associations" then catalog.associations(c["kind"], c["name"], c["association"])
    when "entitlements", "entitlements_includes"
      r = c["request"]
      catalog.entitlements(add_ons: r["add_ons"], at: r["at"], license_type: r["license_type"],
                           gitlab_version: r["gitlab_version"]).transform_keys(&:to_s)
    when "legacy" then catalog.available_services(c["realm"])
    else raise "unknown op #{c["op"]}"
    end
  end

  VECTORS["cases"].each do |c|
    it c["id"] do
      Dir.mktmpdir do |tmp|
        if (want = c["expect_error"])
          expect { run(c, tmp) }.to raise_error(CC::Error) { |err|
            expect(err.code).to eq(want["code"])
            expect(err).to be_a(CC::Error.for_code(want["code"]))
            expect(err.message).to eq(want["message"]) if want.key?("message")
            if want.key?("problems")
              got = err.problems.map { |p| [p[:kind], p[:file], p[:record], p[:field]] }
              expect(got.size).to eq(want["problems"].size), got.inspect
              want["problems"].each do |p|
                expect(got).to include(satisfy { |k, f, r, fl|
                  k == p["kind"] && !f.nil? && f.end_with?(p["file"]) && r == p["record"] && fl == p["field"]
                })
              end
            end
          }
        else
          got = run(c, tmp)
          if c["op"] == "entitlements_includes"
            want = c["expect"]
            expect(got["scopes"]).to include(*want["scopes"])
            expect(got["scopes"] & want["not_scopes"]).to be_empty
            expect(got["audiences"]).to include(*want["audiences"])
          else
            expect(got).to eq(c["expect"])
          end
        end
      end
    end
  end
end
