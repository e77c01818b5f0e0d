#![no_main]
//! `jwk_jwks`: see `cloud_connector_fuzz::checks::check_jwk_jwks` for the invariants.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cloud_connector_fuzz::checks::check_jwk_jwks(data);
});
