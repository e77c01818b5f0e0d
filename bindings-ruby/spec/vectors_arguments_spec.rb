# frozen_string_literal: true

# tests/vectors/arguments.json: every bad option value is refused with the core's code and
# message (never a panic, which would reach Ruby as `fatal`), every good one accepted; the calls
# are those of the `make vectors` runner (tests/vectors/run_ruby.rb), loaded from it.
require "json"
require "spec_helper"

RUNNER = File.join(ENV.fetch("CLOUD_CONNECTOR_REPO", File.expand_path("../..", __dir__)), "tests", "vectors", "run_ruby.rb")
# Loaded, the runner defines VectorsRun without running (it runs only as the program).
load RUNNER

RSpec.describe "argument vectors" do
  vectors = JSON.parse(File.read(File.join(File.dirname(RUNNER), "arguments.json")))
  vectors["cases"].each do |c|
    it c["id"] do
      got = VectorsRun.argument_case(c)
      want = c.key?("expect_error") ? { "error" => c["expect_error"]["code"], "message" => c["expect_error"]["message"] } : { "ok" => true }
      expect(got).to eq(want)
    end
  end

  [Float::NAN, Float::INFINITY, 1e300, -1, 10**400].each do |value|
    it "refuses #{value} as expiry_seconds with InvalidArgumentError, never fatal" do
      expect { Gitlab::CloudConnector::CompositeProvider.new([], expiry_seconds: value) }
        .to raise_error(Gitlab::CloudConnector::InvalidArgumentError, /\Attl_seconds must be a number of seconds from 1 to 31536000; got /)
      expect { Gitlab::CloudConnector::KeySource.oidc("x", "http://127.0.0.1:9", value) }
        .to raise_error(Gitlab::CloudConnector::InvalidArgumentError, /\Atimeout_seconds must be/)
    end
  end
end
