#![no_main]
//! `compact_token_mutate`: see `cloud_connector_fuzz::checks::check_compact_token_mutation` for the invariants.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cloud_connector_fuzz::checks::check_compact_token_mutation(data);
});
