# frozen_string_literal: true

module Gitlab
  module CloudConnector
    VERSION = "0.1.0"
  end
end
