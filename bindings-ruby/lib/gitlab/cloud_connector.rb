# frozen_string_literal: true

# Drop-in for GitLab's `gitlab-cloud-connector` gem (`require 'gitlab/cloud_connector'`): the
# catalog data model, configuration and the legacy available-services generator, over the Rust
# core (`Gitlab::CloudConnector::Native`). Works standalone; ActiveSupport is not required.

require "time"

require_relative "cloud_connector/version"
require_relative "cloud_connector/native"
require_relative "cloud_connector/errors"
require_relative "cloud_connector/data_model"
require_relative "cloud_connector/configuration"
require_relative "cloud_connector/available_services_generator"
require_relative "cloud_connector/catalog"
require_relative "cloud_connector/tokens"
require_relative "cloud_connector/auth"
