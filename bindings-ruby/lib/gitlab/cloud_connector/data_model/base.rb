# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      # The base of the five model classes. The class side is Enumerable over `all`.
      class Base
        extend Enumerable
        include Associations

        class << self
          # "UnitPrimitive"
          def model_name
            name&.split("::")&.last
          end

          # "unit_primitives": the loaders' directory and `load_all` key (`model_name.tableize`).
          def table_name
            "#{model_name.gsub(/([a-z\d])([A-Z])/, '\1_\2').downcase}s"
          end

          def each(&block)
            return enum_for(:each) { all.size } unless block

            all.each(&block)
          end

          # By name or alias, String or Symbol; nil when absent (nil itself: NoMethodError).
          def find_by_name(name)
            name_index[name.to_sym]
          end

          # Every record once (aliases removed), in load order.
          def all
            name_index.values.uniq
          end

          unless Class.method_defined?(:subclasses)
            def subclasses
              ObjectSpace.each_object(singleton_class).select { |k| k.superclass == self }
            end
          end

          unless Class.method_defined?(:descendants)
            def descendants
              subclasses.flat_map { |k| [k, *k.descendants] }
            end
          end

          private

          def name_index
            data_loader.load_with_index!
          end

          # Memoised per model class for the life of the process (reset by clearing @data_loader).
          def data_loader
            @data_loader ||= Configuration.data_loader_class.new(self)
          end
        end

        # An association given a single value holds it as a list (`Array(value)`), as the gem
        # does: `UnitPrimitive.new(add_ons: add_on).add_ons == [add_on]`.
        def initialize(**opts)
          opts.each do |key, value|
            raise ArgumentError, "Cannot override association '#{key}'" if association_key?(key)

            value = Array(value) if self.class.associations.include?(key)
            instance_variable_set(:"@#{key}", value)
          end
        end

        # The raw value: association fields are lists of names.
        def [](name)
          instance_variable_get(:"@#{name}")
        end

        def association_key?(key)
          self.class.association_cache_keys.include?(key.to_sym)
        end

        # Every field (unknown ones included), Symbol keys, without association caches.
        def to_hash
          instance_variables.each_with_object({}) do |ivar, out|
            key = ivar.to_s.delete_prefix("@").to_sym
            next if association_key?(key)

            out[key] = instance_variable_get(ivar)
          end
        end
      end
    end
  end
end
