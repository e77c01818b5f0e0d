# frozen_string_literal: true

module Gitlab
  module CloudConnector
    VERSION = "1.53.0.1"
  end
end
