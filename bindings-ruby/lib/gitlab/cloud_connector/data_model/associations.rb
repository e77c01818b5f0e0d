# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      # `has_and_belongs_to_many`: a reader per association, memoised in `@<name>_association`.
      module Associations
        def self.included(base)
          base.extend(ClassMethods)
        end

        module ClassMethods
          def associations
            @associations ||= []
          end

          def association_cache_keys
            associations.map { |name| :"#{name}_association" }
          end

          def has_and_belongs_to_many(name) # rubocop:disable Naming/PredicateName
            name = name.to_sym
            associations << name
            ivar = :"@#{name}_association"
            define_method(name) do
              return instance_variable_get(ivar) if instance_variable_defined?(ivar)

              instance_variable_set(ivar, resolve_association(name))
            end
          end
        end

        private

        # Objects already loaded (factories) pass through; otherwise the target records whose
        # name is listed, in the target's load order (the rule is the core's: see
        # Native.association_order).
        def resolve_association(name)
          raw = self[name]
          return raw if raw.is_a?(Array) && !raw.empty? && raw.all?(Base)

          target = DataModel.const_get(DataModel.classify(name))
          records = target.to_a
          listed = Array(raw).grep(String)
          Native.association_order(records.map { |r| r.name.to_s }, listed).map { |i| records[i] }
        end
      end

      # "backend_services" -> "BackendService".
      def self.classify(name)
        name.to_s.sub(/s\z/, "").split("_").map(&:capitalize).join
      end
    end
  end
end
