# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      # The plug-in point: subclass it in Ruby (GitLab Rails' database loader) and implement
      # #load! (and optionally #with_cache).
      class AbstractDataLoader
        def initialize(model_class)
          @model_class = model_class
        end

        def load_with_index!
          with_cache { build_name_index(load!) }
        end

        # `name.to_sym => record`, then each alias (for records that respond to alias_names);
        # a later key wins.
        def build_name_index(records)
          records.each_with_object({}) do |record, index|
            index[record.name.to_sym] = record
            next unless record.respond_to?(:alias_names)

            Array(record.alias_names).each { |alias_name| index[alias_name.to_sym] = record }
          end
        end

        protected

        attr_reader :model_class

        def load!
          raise NotImplementedError, "#{self.class} must implement #load!"
        end

        def with_cache
          yield
        end
      end
    end
  end
end
