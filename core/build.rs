//! Validates `config/` with the core's own loader and embeds it. An invalid catalog fails the
//! build with the validator's message, so no package can ship one.

#![allow(dead_code, unused_imports)]

#[path = "src/error.rs"]
mod error;

#[path = "src/catalog/build_subset.rs"]
mod catalog;

use std::path::PathBuf;
use std::{env, fs};

/// Where the catalog is: `CLOUD_CONNECTOR_CATALOG_SRC` (packaging), `config/` inside the crate
/// (a packaged crate), or the workspace's `config/`.
fn config_dir() -> PathBuf {
    println!("cargo:rerun-if-env-changed=CLOUD_CONNECTOR_CATALOG_SRC");
    if let Some(dir) = env::var_os("CLOUD_CONNECTOR_CATALOG_SRC") {
        return PathBuf::from(dir);
    }
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let inside = manifest.join("config");
    if inside.is_dir() {
        inside
    } else {
        manifest.join("..").join("config")
    }
}

fn main() {
    for src in ["build.rs", "src/error.rs", "src/catalog"] {
        println!("cargo:rerun-if-changed={src}");
    }
    let dir = config_dir();
    println!("cargo:rerun-if-changed={}", dir.display());
    let dir = dir
        .canonicalize()
        .unwrap_or_else(|e| panic!("catalog directory {}: {e}", dir.display()));

    let (files, problems) = match catalog::source::read_dir(&dir) {
        Ok(read) => read,
        Err(e) => fail(&e),
    };
    if let Err(e) = catalog::load::load_files(
        &files,
        problems,
        &catalog::overrides::Overrides::new(),
        catalog::store::CatalogSource::Directory(dir.clone()),
    ) {
        fail(&e);
    }

    let mut out = String::from(
        "/// `(kind dir, file name, contents)` of every catalog file, validated by build.rs.\n",
    );
    out.push_str("static EMBEDDED_FILES: &[(&str, &str, &str)] = &[\n");
    for f in &files {
        let path = dir.join(f.kind.dir()).join(&f.file_name);
        out.push_str(&format!(
            "    ({:?}, {:?}, include_str!({:?})),\n",
            f.kind.dir(),
            f.file_name,
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("embedded_catalog.rs"), out).expect("write embedded_catalog.rs");
}

fn fail(e: &error::Error) -> ! {
    eprintln!("error: the catalog in config/ is invalid\n{e}");
    // A message cargo shows even without -vv.
    println!(
        "cargo:warning=the catalog in config/ is invalid: {}",
        e.message().replace('\n', " | ")
    );
    std::process::exit(1);
}
