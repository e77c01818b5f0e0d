# frozen_string_literal: true

# Runs after the cargo extension (second in spec.extensions): removes the cargo target tree that
# Debian's RubyGems 3.3 cargo builder leaves in the gem's extension directory (it passes that
# directory as --target-dir; about 240 MB of build intermediates), keeping the built library.
# Newer RubyGems build in a temporary directory; there this finds no target tree and does nothing.
# Writes a Makefile with empty targets, as RubyGems' extconf builder runs make afterwards.
require "fileutils"
require "rbconfig"
require "rubygems"

File.write("Makefile", "all:\n\ninstall:\n\nclean:\n\n.PHONY: all install clean\n")

gem_dir = File.expand_path("../..", Dir.pwd)
install_dir = File.expand_path("../..", gem_dir)
ext_dir = File.join(install_dir, "extensions", Gem::Platform.local.to_s, Gem.extension_api_version,
                    File.basename(gem_dir))
name = "gitlab-cloud-connector.#{RbConfig::CONFIG["DLEXT"]}"
# The library Ruby loads: copied into lib/ (RubyGems 3.3) or into the extension directory.
loadable = [File.join(gem_dir, "lib", name), File.join(ext_dir, name)].select { |f| File.file?(f) }
# Only a directory that is plainly ours: a loadable library elsewhere and cargo's release tree.
if !loadable.empty? && File.directory?(File.join(ext_dir, "release"))
  %w[release debug tmp build .rustc_info.json CACHEDIR.TAG .package-cache].each do |entry|
    FileUtils.rm_rf(File.join(ext_dir, entry))
  end
  puts "cleanup: removed the cargo build tree from #{ext_dir}; the library is #{loadable.first}"
else
  puts "cleanup: no cargo build tree in #{ext_dir}"
end
