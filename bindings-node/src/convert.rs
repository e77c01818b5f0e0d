//! JSON maps (token claims) to JS objects through V8's own `JSON.parse`: one string crosses
//! the boundary instead of one napi call per property, which made claim conversion the larger
//! part of a verification.

use napi::bindgen_prelude::{Function, JsObjectValue, Object, Unknown};
use napi::Env;
use serde_json::{Map, Value};

pub fn object<'env>(env: &Env, map: &Map<String, Value>) -> napi::Result<Unknown<'env>> {
    let text = serde_json::to_string(map).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let json: Object<'env> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'env, String, Unknown<'env>> = json.get_named_property("parse")?;
    parse.call(text)
}
