#![no_main]
//! `catalog_yaml`: see `cloud_connector_fuzz::checks::check_catalog_yaml` for the invariants.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cloud_connector_fuzz::checks::check_catalog_yaml(data);
});
