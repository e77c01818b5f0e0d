# frozen_string_literal: true

module Gitlab
  module CloudConnector
    module DataModel
      # Reads `Configuration.config_dir` (the bundled catalog by default, compiled into the
      # extension) through the Rust core, as leniently as the gem: every record the gem would load
      # loads (missing fields, unknown fields, any value), and what the core's validator finds is
      # a warning (#warnings, and Kernel#warn once per problem). What the gem cannot load either
      # (YAML errors, a file without a name) surfaces as the gem's `RuntimeError "Error loading
      # file <path>: <message>"` (a FileLoadError naming the first problem's file) that also
      # carries #code and #problems.
      class YamlDataLoader < AbstractDataLoader
        include Overridable

        # The Native::Catalog the records came from, and the (directory, overrides) it was
        # loaded with; set by #load!.
        attr_reader :native_catalog, :catalog_key

        def self.native_catalog(dir, overrides)
          expanded = File.expand_path(dir)
          if expanded == Configuration::BUNDLED_CONFIG_DIR
            Native::Catalog.embedded_lenient(overrides)
          else
            Native::Catalog.load_dir_lenient(expanded, overrides)
          end
        rescue Gitlab::CloudConnector::Error => e
          raise FileLoadError.new(load_error_message(expanded, e), code: e.code, problems: e.problems)
        end

        def self.load_error_message(dir, error)
          first = error.problems.first
          return "Error loading file #{dir}: #{error.message}" unless first

          file = first[:file].to_s
          # The embedded catalog reports `config/<kind>/<file>`: show the bundled file's path.
          file = File.join(dir, file.delete_prefix("config/")) unless file.start_with?("/")
          detail = [first[:field] && "field '#{first[:field]}'", first[:message]].compact.join(": ")
          more = error.problems.size - 1
          message = "Error loading file #{file}: #{detail}"
          message += " (and #{more} more problem#{"s" if more > 1}; see #problems)" if more.positive?
          message
        end

        # `"<file>: record '<name>', field '<field>': <message> (<kind>)"`.
        def self.warning_text(problem)
          where = [problem[:record] && "record '#{problem[:record]}'",
                   problem[:field] && "field '#{problem[:field]}'"].compact.join(", ")
          [problem[:file], where, "#{problem[:message]} (#{problem[:kind]})"]
            .reject { |part| part.nil? || part.empty? }.join(": ")
        end

        # What the validator found in this model's files on the last load: Hashes with :kind,
        # :file, :record, :field and :message, as CatalogInvalidError#problems has them.
        def warnings
          @warnings || []
        end

        protected

        def load!
          kind = model_class.table_name
          dir = Configuration.config_dir
          overrides = collect_overrides(dir, kind)
          @catalog_key = [File.expand_path(dir), overrides].freeze
          @native_catalog = self.class.native_catalog(dir, overrides)
          @warnings = @native_catalog.warnings(kind).map(&:freeze).freeze
          @warnings.each { |w| warn("gitlab-cloud-connector: catalog warning: #{self.class.warning_text(w)}") }
          @native_catalog.records(kind).map { |attrs| build(attrs, dir, kind) }
        end

        def with_cache
          @name_index ||= yield
        end

        private

        def build(attrs, dir, kind)
          model_class.new(**attrs)
        rescue StandardError => e
          raise FileLoadError, "Error loading file #{File.join(dir, kind, "#{attrs[:name]}.yml")}: #{e.message}"
        end

        # The gem evaluates the override configuration once per file loaded and looks the record
        # up by its Symbol name; the core then merges and validates. Our validator requires a
        # record's file to be named after it, so the file name is the record name here.
        def collect_overrides(dir, kind)
          return nil if Configuration.override_config.nil?

          picked = {}
          Dir.glob(File.join(dir, kind, "*.yml")).sort.each do |path|
            name = File.basename(path, ".yml")
            begin
              fields = override_data&.dig(kind.to_sym, name.to_sym)
            rescue StandardError => e
              raise FileLoadError, "Error loading file #{path}: #{e.message}"
            end
            picked[name] = fields unless fields.nil?
          end
          picked.empty? ? nil : { kind => picked }
        end
      end
    end
  end
end
