//! Ruby <-> JSON for the core's JSON-shaped APIs, and core errors -> the gem's error classes.

use chrono::DateTime;
use magnus::{
    prelude::*, r_hash::ForEach, Error, Exception, Float, Integer, RArray, RHash, RModule, RString,
    Ruby, Symbol, Value,
};
use serde_json::{Map, Number, Value as Json};

use cloud_connector::error::Problem;
use cloud_connector::options::{Arg, Args};
use cloud_connector::ordered_json::OrderedJson;

/// Hash keys of converted JSON objects.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Record data (`to_hash`, `load_all`): Symbol keys, `cut_off_date` as a `Time`.
    Symbols,
    /// The legacy generator's output: String keys, values as they are.
    Strings,
}

pub fn json_to_ruby(ruby: &Ruby, v: &Json, keys: Keys) -> Result<Value, Error> {
    Ok(match v {
        Json::Null => ruby.qnil().as_value(),
        Json::Bool(true) => ruby.qtrue().as_value(),
        Json::Bool(false) => ruby.qfalse().as_value(),
        Json::Number(n) => match n.as_i64() {
            Some(i) => ruby.integer_from_i64(i).as_value(),
            None => ruby
                .float_from_f64(n.as_f64().unwrap_or(f64::NAN))
                .as_value(),
        },
        Json::String(s) => ruby.str_new(s).as_value(),
        Json::Array(items) => {
            let a = ruby.ary_new_capa(items.len());
            for item in items {
                a.push(json_to_ruby(ruby, item, keys)?)?;
            }
            a.as_value()
        }
        Json::Object(map) => {
            let h = ruby.hash_new();
            for (k, item) in map {
                let value = match (keys, k.as_str(), item) {
                    // A cut-off that is not a timestamp (a lenient load's) stays as written.
                    (Keys::Symbols, "cut_off_date", Json::String(s))
                        if DateTime::parse_from_rfc3339(s).is_ok() =>
                    {
                        time(ruby, s)?
                    }
                    _ => json_to_ruby(ruby, item, keys)?,
                };
                match keys {
                    Keys::Symbols => h.aset(ruby.to_symbol(k), value)?,
                    Keys::Strings => h.aset(ruby.str_new(k), value)?,
                }
            }
            h.as_value()
        }
    })
}

/// Ordered JSON (the legacy generator's output) as Ruby Hashes with String keys, in order.
pub fn ordered_to_ruby(ruby: &Ruby, v: &OrderedJson) -> Result<Value, Error> {
    Ok(match v {
        OrderedJson::Null => ruby.qnil().as_value(),
        OrderedJson::Bool(b) => json_to_ruby(ruby, &Json::Bool(*b), Keys::Strings)?,
        OrderedJson::Number(n) => json_to_ruby(ruby, &Json::Number(n.clone()), Keys::Strings)?,
        OrderedJson::String(s) => ruby.str_new(s).as_value(),
        OrderedJson::Array(items) => {
            let a = ruby.ary_new_capa(items.len());
            for item in items {
                a.push(ordered_to_ruby(ruby, item)?)?;
            }
            a.as_value()
        }
        OrderedJson::Object(members) => {
            let h = ruby.hash_new();
            for (k, item) in members {
                h.aset(ruby.str_new(k), ordered_to_ruby(ruby, item)?)?;
            }
            h.as_value()
        }
    })
}

/// An RFC 3339 string as a Ruby `Time` in the offset it was written with (UTC for `+00:00`/`Z`,
/// as Ruby's YAML gives).
fn time(ruby: &Ruby, s: &str) -> Result<Value, Error> {
    let t = DateTime::parse_from_rfc3339(s).map_err(|e| {
        Error::new(
            ruby.exception_arg_error(),
            format!("'{s}' is not an RFC 3339 time: {e}"),
        )
    })?;
    let at: Value = ruby.class_time().funcall(
        "at",
        (
            t.timestamp(),
            i64::from(t.timestamp_subsec_nanos()),
            ruby.to_symbol("nsec"),
        ),
    )?;
    let offset = t.offset().local_minus_utc();
    if offset == 0 {
        at.funcall("utc", ())
    } else {
        at.funcall("localtime", (offset,))
    }
}

/// Plain Ruby data as JSON: nil, true/false, Integer, Float, String, Symbol (as its name), Array,
/// Hash (String or Symbol keys), and `Time` (or anything with `to_time`, e.g. ActiveSupport's
/// `TimeWithZone`) as RFC 3339. Anything else is `invalid_argument`.
pub fn ruby_to_json(ruby: &Ruby, v: Value) -> Result<Json, Error> {
    if v.is_nil() {
        return Ok(Json::Null);
    }
    if v.is_kind_of(ruby.class_true_class()) {
        return Ok(Json::Bool(true));
    }
    if v.is_kind_of(ruby.class_false_class()) {
        return Ok(Json::Bool(false));
    }
    if let Some(s) = RString::from_value(v) {
        return Ok(Json::String(s.to_string()?));
    }
    if let Some(s) = Symbol::from_value(v) {
        return Ok(Json::String(s.name()?.into_owned()));
    }
    if let Some(i) = Integer::from_value(v) {
        return match i.to_i64() {
            Ok(n) => Ok(Json::Number(n.into())),
            Err(_) => Err(invalid(ruby, "an Integer too large for 64 bits")),
        };
    }
    if let Some(f) = Float::from_value(v) {
        return Number::from_f64(f.to_f64())
            .map(Json::Number)
            .ok_or_else(|| invalid(ruby, "a Float that is not finite"));
    }
    if let Some(a) = RArray::from_value(v) {
        let mut out = Vec::with_capacity(a.len());
        for item in a.into_iter() {
            out.push(ruby_to_json(ruby, item)?);
        }
        return Ok(Json::Array(out));
    }
    if let Some(h) = RHash::from_value(v) {
        let mut out = Map::new();
        let mut failure = None;
        h.foreach(|k: Value, item: Value| {
            let key = if let Some(s) = Symbol::from_value(k) {
                s.name()?.into_owned()
            } else if let Some(s) = RString::from_value(k) {
                s.to_string()?
            } else {
                failure = Some(invalid(ruby, "a Hash key that is not a String or Symbol"));
                return Ok(ForEach::Stop);
            };
            out.insert(key, ruby_to_json(ruby, item)?);
            Ok(ForEach::Continue)
        })?;
        return match failure {
            Some(e) => Err(e),
            None => Ok(Json::Object(out)),
        };
    }
    let time = if v.is_kind_of(ruby.class_time()) {
        Some(v)
    } else if v.respond_to("to_time", false)? && v.respond_to("strftime", false)? {
        Some(v.funcall::<_, _, Value>("to_time", ())?)
    } else {
        None
    };
    if let Some(t) = time {
        let s: String = t.funcall("strftime", ("%Y-%m-%dT%H:%M:%S.%N%:z",))?;
        return Ok(Json::String(s));
    }
    let class: String = class_name(v)?;
    Err(invalid(ruby, &format!("a {class}")))
}

fn class_name(v: Value) -> Result<String, Error> {
    let class: Value = v.funcall("class", ())?;
    class.funcall("to_s", ())
}

fn invalid(ruby: &Ruby, what: &str) -> Error {
    core_error(
        ruby,
        &cloud_connector::Error::new(
            cloud_connector::ErrorCode::InvalidArgument,
            format!("cannot use {what} here: expected nil, true, false, a number, a String, a Symbol, a Time, an Array or a Hash"),
        ),
    )
}

pub fn problems_to_ruby(ruby: &Ruby, problems: &[Problem]) -> Result<RArray, Error> {
    let out = ruby.ary_new_capa(problems.len());
    for p in problems {
        let h = ruby.hash_new();
        h.aset(ruby.to_symbol("kind"), p.kind.as_str())?;
        h.aset(ruby.to_symbol("file"), p.file.as_deref())?;
        h.aset(ruby.to_symbol("record"), p.record.as_deref())?;
        h.aset(ruby.to_symbol("field"), p.field.as_deref())?;
        h.aset(ruby.to_symbol("message"), p.message.as_str())?;
        out.push(h)?;
    }
    Ok(out)
}

/// A core error as an instance of the Ruby class for its code
/// (`Gitlab::CloudConnector::Error.from_native(code, message, problems)`), carrying `#code` and
/// `#problems`. Falls back to a `RuntimeError` if the Ruby half is not loaded.
pub fn core_error(ruby: &Ruby, e: &cloud_connector::Error) -> Error {
    match build(ruby, e) {
        Ok(exc) => Error::from(exc),
        Err(_) => Error::new(
            ruby.exception_runtime_error(),
            format!("[{}] {}", e.code(), e.message()),
        ),
    }
}

fn build(ruby: &Ruby, e: &cloud_connector::Error) -> Result<Exception, Error> {
    let gitlab: RModule = ruby.class_object().const_get("Gitlab")?;
    let cc: RModule = gitlab.const_get("CloudConnector")?;
    let base: Value = cc.const_get("Error")?;
    let problems = problems_to_ruby(ruby, e.problems())?;
    base.funcall("from_native", (e.code().as_str(), e.message(), problems))
}

/// A caller's option value as the core's [`Arg`]: the Ruby class mapped to its kind, never
/// rejected here (the core decides what fits, with the same message in every language).
pub fn ruby_arg(ruby: &Ruby, v: Value) -> Result<Arg, Error> {
    Ok(if v.is_nil() {
        Arg::Null
    } else if v.is_kind_of(ruby.class_true_class()) {
        Arg::Bool(true)
    } else if v.is_kind_of(ruby.class_false_class()) {
        Arg::Bool(false)
    } else if let Some(i) = Integer::from_value(v) {
        // Past 64 bits: its float value (an infinity past f64's range).
        match i.to_i64() {
            Ok(n) => Arg::Int(n),
            Err(_) => Arg::Float(v.funcall("to_f", ())?),
        }
    } else if let Some(f) = Float::from_value(v) {
        Arg::Float(f.to_f64())
    } else if let Some(s) = RString::from_value(v) {
        Arg::Str(s.to_string()?)
    } else if let Some(s) = Symbol::from_value(v) {
        Arg::Str(s.name()?.into_owned())
    } else if let Some(a) = RArray::from_value(v) {
        let mut items = Vec::with_capacity(a.len());
        for item in a.into_iter() {
            items.push(ruby_arg(ruby, item)?);
        }
        Arg::List(items)
    } else {
        Arg::Other
    })
}

/// Keyword options (a Hash with Symbol or String keys) as the core's [`Args`].
pub fn ruby_args(ruby: &Ruby, options: RHash) -> Result<Args, Error> {
    let mut args = Args::new();
    options.foreach(|k: Value, item: Value| {
        let name = match Symbol::from_value(k) {
            Some(s) => s.name()?.into_owned(),
            None => String::try_convert(k)?,
        };
        args.set(name, ruby_arg(ruby, item)?);
        Ok(ForEach::Continue)
    })?;
    Ok(args)
}
