# frozen_string_literal: true

# The compiled extension.
#
# A precompiled platform gem (scripts/dist/ruby.sh) holds one extension per Ruby minor, in
# lib/gitlab_cloud_connector/<major.minor>/, because an extension is compiled against one minor's
# headers (RString, RArray and friends change between minors) and loading another minor's would
# not fail cleanly. The gem's required_ruby_version admits only those minors, so RubyGems gives
# other Rubies the source gem; the LoadError below is for a gem unpacked or forced past that.
#
# The source gem compiles its own: RubyGems' cargo builder names the library after the gem
# (`gitlab-cloud-connector.so`) in older releases and after the crate in newer ones; the extension
# exports an entry point for both names.
prebuilt = File.expand_path("../../gitlab_cloud_connector", __dir__)
if File.directory?(prebuilt)
  minor = RUBY_VERSION[/\A\d+\.\d+/]
  so = File.join(prebuilt, minor, "gitlab_cloud_connector.so")
  unless File.file?(so)
    shipped = Dir.children(prebuilt).sort_by { |m| m.split(".").map(&:to_i) }
    raise LoadError, "gitlab-cloud-connector: this precompiled gem has the extension for Ruby " \
                     "#{shipped.join(', ')}, not for Ruby #{RUBY_VERSION} (#{prebuilt}); install the " \
                     "source gem instead: gem install gitlab-cloud-connector --platform ruby"
  end
  require so
else
  begin
    require "gitlab-cloud-connector.so"
  rescue LoadError
    require "gitlab_cloud_connector.so"
  end
end
