//! The part of the catalog module that `build.rs` compiles to validate `config/` with the same
//! code as run-time loads (`#[path]`s are relative to this file, wherever it is included from).

#[path = "cross_check.rs"]
pub mod cross_check;
#[path = "fields.rs"]
pub mod fields;
#[path = "kind.rs"]
pub mod kind;
#[path = "load.rs"]
pub mod load;
#[path = "model.rs"]
pub mod model;
#[path = "overrides.rs"]
pub mod overrides;
#[path = "record_check.rs"]
pub mod record_check;
#[path = "source.rs"]
pub mod source;
#[path = "store.rs"]
pub mod store;
#[path = "version.rs"]
pub mod version;
