//! Core work that may block (a fetch, a signature, key generation) as a napi `AsyncTask`: it
//! runs on libuv's thread pool and settles a Promise on the JS thread, where its result is
//! converted and a core error becomes the `Error` with its `code`.

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Task};

use cloud_connector::Error;

use crate::errors::OrThrow;

/// Blocking core work for the thread pool, and how to turn its result into a JS value there.
pub struct Blocking<T, J> {
    work: Option<Box<dyn FnOnce() -> Result<T, Error> + Send>>,
    convert: fn(&Env, T) -> napi::Result<J>,
}

impl<T, J> std::fmt::Debug for Blocking<T, J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blocking")
    }
}

pub fn blocking<T, J>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    convert: fn(&Env, T) -> napi::Result<J>,
) -> AsyncTask<Blocking<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Blocking {
        work: Some(Box::new(work)),
        convert,
    })
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for Blocking<T, J> {
    type Output = Result<T, Error>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("task already ran"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        let value = output.or_throw(&env)?;
        (self.convert)(&env, value)
    }
}

pub fn same<T>(_: &Env, v: T) -> napi::Result<T> {
    Ok(v)
}
