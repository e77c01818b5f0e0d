# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      # `Configuration.override_config`: a Hash (or a callable returning one, called once per file
      # loaded) `{unit_primitives: {duo_chat: {field: value}}}`, merged shallowly over a record.
      module Overridable
        class OverrideLoadError < StandardError; end

        # The gem's merge of one record's data (Symbol keys); kept for callers of the gem's API.
        # YamlDataLoader hands the overrides to the core instead, which merges them the same way
        # and validates the result.
        def apply_overrides(base_data, model_class)
          data = override_data
          return base_data if data.nil? || base_data.nil? || base_data[:name].nil?

          overrides = data.dig(model_class.table_name.to_sym, base_data[:name].to_sym)
          overrides ? base_data.merge(overrides) : base_data
        end

        private

        def override_data
          config = Configuration.override_config
          value = config.respond_to?(:call) ? config.call : config
          unless value.nil? || value.is_a?(Hash)
            raise OverrideLoadError, "Invalid override config type: #{value.class}. Expected Hash or nil."
          end

          value
        rescue OverrideLoadError
          raise
        rescue StandardError => e
          raise OverrideLoadError, "Failed to load override config: #{e.class}: #{e.message}"
        end
      end
    end
  end
end
