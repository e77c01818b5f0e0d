# frozen_string_literal: true

module Gitlab
  module CloudConnector
    # Included by every error that carries one of the core's stable codes, whatever its Ruby
    # ancestry (`rescue Gitlab::CloudConnector::CodedError` catches them all).
    module CodedError
      # The core's stable code, e.g. "catalog_invalid".
      attr_reader :code

      # For "catalog_invalid": every problem, as Hashes with :kind, :file, :record, :field and
      # :message. Empty otherwise.
      def problems
        @problems || []
      end
    end

    # The base of the project-wide errors: one subclass per core code
    # (CatalogInvalidError, CatalogNotFoundError, InvalidRealmError, InvalidOverrideError,
    # InvalidArgumentError, ...). The gem's compatibility errors keep their own classes.
    class Error < StandardError
      include CodedError

      CLASSES = {} # rubocop:disable Style/MutableConstant -- filled below, then frozen

      class << self
        # The code of this class (nil on the base).
        attr_reader :default_code

        def for_code(code)
          CLASSES.fetch(code.to_s, Error)
        end

        # Called by the extension to build the exception for a core error.
        def from_native(code, message, problems)
          for_code(code).new(message, code: code, problems: problems)
        end
      end

      def initialize(message = nil, code: nil, problems: [])
        super(message)
        @code = (code || self.class.default_code)&.to_s&.freeze
        @problems = problems.map(&:freeze).freeze
      end
    end

    Native.error_codes.each do |code|
      name = "#{code.split("_").map(&:capitalize).join}Error"
      klass = Class.new(Error)
      klass.instance_variable_set(:@default_code, code.freeze)
      const_set(name, klass)
      Error::CLASSES[code] = klass
    end
    Error::CLASSES.freeze
  end
end
