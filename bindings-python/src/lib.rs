//! The native half of `gitlab_cloud_connector`: type conversion and error mapping over the core.
//! Every rule lives in the core; the Python modules add the package's public shapes.

mod auth;
mod catalog;
mod convert;
mod errors;
mod interned;
mod quota;
mod service_name;
mod tokens;

use pyo3::prelude::*;

/// mimalloc for the extension's own allocations (CPython keeps its allocator): an uncached
/// verification allocates the header's and claims' strings and maps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "ERROR_CODES",
        cloud_connector::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    )?;
    catalog::register(m)?;
    auth::register(m)?;
    tokens::register(m)?;
    quota::register(m)?;
    service_name::register(m)?;
    Ok(())
}
