# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # Module-level configuration (ruby-api.md section 3).
    module Configuration
      DEFAULT_DATA_LOADER_CLASS = DataModel::YamlDataLoader
      INVALID_LOADER_MESSAGE = "Data loader must inherit from Gitlab::CloudConnector::DataModel::AbstractDataLoader"
      INVALID_CONFIG_MESSAGE = "Override configuration must be a Hash or respond to :call"
      CONFIG_DIR_ENV = "CLOUD_CONNECTOR_CONFIG_DIR"

      # The catalog shipped with the gem (`<gem>/config`; `<repo>/config` in a source checkout).
      # It is the catalog compiled into the extension, which is used instead of re-reading it.
      BUNDLED_CONFIG_DIR = begin
        root = File.expand_path("../../..", __dir__)
        [File.join(root, "config"), File.expand_path("../config", root)]
          .find { |dir| File.directory?(dir) } || File.join(root, "config")
      end.freeze

      class InvalidDataLoaderError < StandardError; end
      class InvalidConfigError < StandardError; end

      class << self
        attr_reader :override_config

        # CLOUD_CONNECTOR_CONFIG_DIR (read once) or the bundled catalog; memoised and frozen.
        def config_dir
          @config_dir ||= (ENV[CONFIG_DIR_ENV] || BUNDLED_CONFIG_DIR).dup.freeze
        end

        # As given (nil: the next read consults the environment again).
        attr_writer :config_dir

        def data_loader_class
          @data_loader_class || DEFAULT_DATA_LOADER_CLASS
        end

        def data_loader_class=(klass)
          unless klass.is_a?(Class) && klass < DataModel::AbstractDataLoader
            raise InvalidDataLoaderError, INVALID_LOADER_MESSAGE
          end

          @data_loader_class = klass
        end

        def override_config=(value)
          raise InvalidConfigError, INVALID_CONFIG_MESSAGE unless value.nil? || value.is_a?(Hash) || value.respond_to?(:call)

          @override_config = value
        end

        def configure
          yield self if block_given?
        end
      end
    end
  end
end
