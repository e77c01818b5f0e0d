#![no_main]
//! `compact_token`: see `cloud_connector_fuzz::checks::check_compact_token` for the invariants.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cloud_connector_fuzz::checks::check_compact_token(data);
});
