//! Core errors become JS `Error`s carrying the core's stable `code` (and, for catalog errors,
//! every `problems` entry), built on the JS thread so their properties are real JS values.

use napi::bindgen_prelude::Object;
use napi::{Env, JsValue, Status};

use cloud_connector::{Error, ErrorCode, Problem};

/// One catalog problem: what kind, where (file, record, field) and what.
#[napi_derive::napi(object)]
#[derive(Debug, Clone)]
pub struct CatalogProblem {
    /// A stable kind: `missing_field`, `unknown_field`, `wrong_type`, `dangling_reference`, ...
    pub kind: String,
    /// The file relative to the catalog root (`unit_primitives/duo_chat.yml`), when known.
    pub file: Option<String>,
    pub record: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl From<&Problem> for CatalogProblem {
    fn from(p: &Problem) -> CatalogProblem {
        CatalogProblem {
            kind: p.kind.as_str().to_owned(),
            file: p.file.clone(),
            record: p.record.clone(),
            field: p.field.clone(),
            message: p.message.clone(),
        }
    }
}

pub fn problems(list: &[Problem]) -> Vec<CatalogProblem> {
    list.iter().map(CatalogProblem::from).collect()
}

fn build(env: &Env, e: &Error) -> napi::Result<napi::Error> {
    let mut obj: Object =
        env.create_error(napi::Error::new(Status::GenericFailure, e.message()))?;
    obj.set("code", e.code().as_str())?;
    if !e.problems().is_empty() {
        obj.set("problems", problems(e.problems()))?;
    }
    Ok(napi::Error::from(obj.to_unknown()))
}

/// A JS `Error` with `code` (and `problems`) for a core error.
pub fn to_js(env: &Env, e: &Error) -> napi::Error {
    build(env, e).unwrap_or_else(|failure| failure)
}

/// An `invalid_argument` error for input the binding cannot convert.
pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// `Result<T, core::Error>` -> `napi::Result<T>` with the coded JS error.
pub trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for Result<T, Error> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| to_js(env, &e))
    }
}
