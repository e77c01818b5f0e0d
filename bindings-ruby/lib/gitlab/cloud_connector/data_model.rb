# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # The catalog's records as Ruby classes (ruby-api.md section 2).
    module DataModel
      # A failure loading catalog files: the gem's `RuntimeError "Error loading file <path>: ..."`,
      # also carrying the core's #code and, for "catalog_invalid", every #problems entry.
      class FileLoadError < RuntimeError
        include CodedError

        def initialize(message = nil, code: nil, problems: [])
          super(message)
          @code = code&.to_s&.freeze
          @problems = problems.map(&:freeze).freeze
        end
      end

      # The catalog warnings of every model class's current loader (YamlDataLoader#warnings):
      # what the validator found in the records the gem's lenient loading accepted.
      def self.load_warnings
        Base.subclasses.flat_map do |klass|
          loader = klass.send(:data_loader)
          loader.respond_to?(:warnings) ? loader.warnings : []
        end
      end

      # `{unit_primitives: [Hash, ...], backend_services: [...], ...}`: every record's data.
      # A new loader per class, as the gem does (Configuration.data_loader_class is not used).
      def self.load_all(loader_class: YamlDataLoader)
        Base.subclasses.each_with_object({}) do |klass, out|
          index = loader_class.new(klass).load_with_index!
          out[klass.table_name.to_sym] = index.values.uniq.map(&:to_hash)
        end
      end
    end
  end
end

require_relative "data_model/associations"
require_relative "data_model/base"
require_relative "data_model/abstract_data_loader"
require_relative "data_model/overridable"
require_relative "data_model/yaml_data_loader"
require_relative "data_model/models"
