# frozen_string_literal: true

require "open3"
require "rbconfig"
require "spec_helper"

# The ```ruby blocks of bindings-ruby/README.md run as written, in order, in one fresh Ruby
# process against the installed gem (so `include` and configuration stay out of this one).
RSpec.describe "bindings-ruby/README.md" do
  it "runs its Ruby examples" do
    text = File.read(File.join(REPO_ROOT, "bindings-ruby", "README.md"))
    blocks = text.to_enum(:scan, /^```ruby\n(.*?)^```$/m).map do
      match = Regexp.last_match
      "# --- README.md line #{text[0, match.begin(0)].count("\n") + 2}\n#{match[1]}"
    end
    expect(blocks.size).to be >= 6

    env = ENV.to_h.reject { |k, _| k.start_with?("CLOUD_CONNECTOR_") }
    out, err, status = Open3.capture3(env, RbConfig.ruby, "-e", "#{blocks.join("\n")}\nputs 'readme examples: ok'\n",
                                      chdir: REPO_ROOT, unsetenv_others: true)
    expect(status.success?).to be(true), "README example failed:\n#{err}"
    expect(out).to end_with("readme examples: ok\n")
  end
end
