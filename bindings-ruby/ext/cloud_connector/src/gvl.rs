//! Work with the GVL released, so other Ruby threads (a Puma worker's) run while this one signs,
//! verifies a signature or waits on a JWKS fetch. magnus 0.8 has no safe wrapper for
//! `rb_thread_call_without_gvl`; this module is the extension's one use of it.

use std::ffi::c_void;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The closure and, once run, its result (or its panic, re-raised on this side).
struct Call<F, R> {
    f: Option<F>,
    out: Option<std::thread::Result<R>>,
}

/// Runs `f` without the GVL and returns its result. `f` gets no `Ruby` handle, and `Send` keeps
/// Ruby values (which are `!Send`) out of it: it can only touch Rust data, which is what makes
/// running it without the lock sound. No unblocking function is given: a `Thread#kill` waits
/// until `f` returns, which every caller bounds (a signature, or a fetch with its timeout).
pub fn without_gvl<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    let mut call = Call {
        f: Some(f),
        out: None,
    };
    // SAFETY: `trampoline::<F, R>` receives the pointer to `call`, which outlives the call
    // (rb_thread_call_without_gvl returns only after the function has run); the trampoline
    // catches panics so none unwinds through Ruby's C frames.
    #[allow(unsafe_code)]
    unsafe {
        rb_sys::rb_thread_call_without_gvl(
            Some(trampoline::<F, R>),
            (&mut call as *mut Call<F, R>).cast::<c_void>(),
            None,
            std::ptr::null_mut(),
        );
    }
    match call.out {
        Some(Ok(r)) => r,
        Some(Err(panic)) => resume_unwind(panic),
        None => unreachable!("rb_thread_call_without_gvl returned without running the function"),
    }
}

#[allow(unsafe_code)]
unsafe extern "C" fn trampoline<F, R>(data: *mut c_void) -> *mut c_void
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    // SAFETY: `data` is the `Call<F, R>` that `without_gvl` passed, alive and not otherwise
    // borrowed while this runs.
    let call = unsafe { &mut *data.cast::<Call<F, R>>() };
    if let Some(f) = call.f.take() {
        call.out = Some(catch_unwind(AssertUnwindSafe(f)));
    }
    std::ptr::null_mut()
}
