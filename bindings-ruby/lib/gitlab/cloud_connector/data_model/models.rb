# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      class Base
        # The catalog fields of the class (readers and associations), in catalog-format order.
        def self.core_fields
          self::FIELDS
        end
      end

      class UnitPrimitive < Base
        FIELDS = %i[name description group feature_category documentation_url milestone
                    introduced_by_url unit_primitive_issue_url deprecated_by_url deprecation_message
                    cut_off_date min_gitlab_version min_gitlab_version_for_free_access alias_names
                    backend_services add_ons license_types].freeze

        has_and_belongs_to_many :backend_services
        has_and_belongs_to_many :add_ons
        has_and_belongs_to_many :license_types

        attr_reader :cut_off_date, :deprecated_by_url, :deprecation_message, :description,
                    :documentation_url, :feature_category, :group, :introduced_by_url, :milestone,
                    :min_gitlab_version, :min_gitlab_version_for_free_access, :name,
                    :unit_primitive_issue_url, :alias_names
      end

      class Service < Base
        FIELDS = %i[name description unit_primitives basic_unit_primitive gitlab_realm].freeze

        has_and_belongs_to_many :unit_primitives

        attr_reader :basic_unit_primitive, :description, :gitlab_realm, :name
      end

      class BackendService < Base
        FIELDS = %i[name description jwt_aud group project_url].freeze

        attr_reader :description, :group, :jwt_aud, :name, :project_url
      end

      class LicenseType < Base
        FIELDS = %i[name description].freeze

        attr_reader :description, :name
      end

      class AddOn < Base
        FIELDS = %i[name description].freeze

        attr_reader :description, :name
      end
    end
  end
end
