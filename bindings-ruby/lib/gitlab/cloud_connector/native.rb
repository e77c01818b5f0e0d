# frozen_string_literal: true

# The compiled extension. RubyGems' cargo builder names the library after the gem
# (`gitlab-cloud-connector.so`) in older releases and after the crate in newer ones; the extension
# exports an entry point for both names.
begin
  require "gitlab-cloud-connector.so"
rescue LoadError
  require "gitlab_cloud_connector.so"
end
