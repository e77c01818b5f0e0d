# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # The legacy "available services" structure (ruby-api.md section 4). The algorithm is the
    # core's: with the YAML loader it runs on the catalog the models came from; with any other
    # loader (e.g. a database loader) the models' records are handed to the core
    # (Native::Catalog.from_records) and the same algorithm runs on them.
    class AvailableServicesGenerator
      GITLAB_REALMS = %w[gitlab-com self-managed].freeze
      WRONG_GITLAB_REALM_MESSAGE = "Wrong gitlab_realm. Please use one of the following: %s"

      # The gem raises a RuntimeError; this one also carries #code ("invalid_realm").
      class WrongRealmError < RuntimeError
        include CodedError

        def initialize(message = nil)
          super
          @code = "invalid_realm"
        end
      end

      MODELS = [DataModel::UnitPrimitive, DataModel::BackendService, DataModel::AddOn,
                DataModel::LicenseType, DataModel::Service].freeze

      # Only a String names a realm: a Symbol (`:'gitlab-com'`) is refused as the gem refuses it.
      # Entries keep the gem's key order and `bundled_with` groups their order of first use.
      def generate(gitlab_realm)
        begin
          realm = Native.check_legacy_realm(gitlab_realm)
        rescue Gitlab::CloudConnector::InvalidRealmError => e
          raise WrongRealmError, e.message
        end
        GitlabCatalog.current.available_services(realm)
      end

      # The core catalog behind the model classes as they are loaded now.
      module GitlabCatalog
        def self.current
          loaders = MODELS.map { |klass| klass.send(:data_loader) }
          MODELS.each(&:all) # load (and cache) every kind first
          # Exactly our loader (a subclass may change the records), all from one catalog.
          keys = loaders.map { |l| l.instance_of?(DataModel::YamlDataLoader) ? l.catalog_key : nil }
          return loaders.first.native_catalog if keys.first && keys.uniq.size == 1

          Native::Catalog.from_records(MODELS.to_h { |klass| [klass.table_name, klass.map { |r| core_record(r) }] })
        end

        # The record's catalog fields; association values as names (objects already loaded give
        # their names; non-String entries can never match a name and are left to the core).
        def self.core_record(record)
          record.class.core_fields.each_with_object({}) do |field, out|
            value = record[field]
            next if value.nil?

            if record.class.associations.include?(field)
              value = Array(value).map { |v| v.is_a?(DataModel::Base) ? v.name.to_s : v }
              value = value.select { |v| v.is_a?(String) }
            end
            out[field] = value
          end
        end
      end
    end
  end
end
