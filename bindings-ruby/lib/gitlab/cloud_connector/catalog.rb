# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # The core's catalog as a Ruby object, beyond the gem's API: entitlements, validation,
    # lookups and the legacy generator on any catalog (embedded, a directory, or records).
    class Catalog
      # The catalog compiled into the extension, with overrides (`{kind => {name => {field =>
      # value}}}`, String or Symbol keys) when given.
      def self.embedded(overrides: nil)
        new(Native::Catalog.embedded(overrides))
      end

      def self.load_dir(path, overrides: nil)
        new(Native::Catalog.load_dir(path.to_s, overrides))
      end

      # CLOUD_CONNECTOR_CONFIG_DIR when set and not empty, else the embedded catalog.
      def self.from_env(overrides: nil)
        dir = ENV.fetch(Configuration::CONFIG_DIR_ENV, "")
        dir.empty? ? embedded(overrides: overrides) : load_dir(dir, overrides: overrides)
      end

      # Records in the `DataModel.load_all` shape.
      def self.from_records(records)
        new(Native::Catalog.from_records(records))
      end

      # Every problem of a catalog directory (empty when it is valid).
      def self.validate_dir(path)
        Native::Catalog.validate_dir(path.to_s)
      end

      attr_reader :native

      def initialize(native)
        @native = native
      end

      # "embedded", "records" or the directory.
      def source
        @native.source
      end

      # `{scopes: [...], audiences: [...]}`: the unit primitives an instance with these add-ons
      # may use, and the audiences of their backends.
      def entitlements(add_ons:, at: nil, license_type: nil, gitlab_version: nil)
        @native.entitlements(Array(add_ons).map(&:to_s), at, license_type&.to_s, gitlab_version&.to_s)
      end

      def available_services(gitlab_realm)
        @native.available_services(gitlab_realm.to_s)
      end

      def load_all
        @native.load_all
      end

      def records(kind)
        @native.records(kind.to_s)
      end

      # The canonical name of the record with this name (or alias), or nil.
      def find(kind, name)
        @native.find(kind.to_s, name.to_s)
      end

      def associations(kind, name, association)
        @native.associations(kind.to_s, name.to_s, association.to_s)
      end

      def unit_primitive_names
        @native.unit_primitive_enum_values
      end

      def feature_categories
        @native.feature_category_enum_values
      end
    end
  end
end
