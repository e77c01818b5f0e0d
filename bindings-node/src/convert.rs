//! JSON (token claims) to JS objects through V8's own `JSON.parse`: one string crosses the
//! boundary instead of one napi call per property, which made claim conversion the larger part
//! of a verification.

use std::cell::RefCell;

use cloud_connector::options::{Arg, Args};
use napi::bindgen_prelude::{
    Either, Function, FunctionRef, JsObjectValue, Latin1String, Object, Unknown,
};
use napi::{Env, JsString, JsValue, ValueType};

/// JSON text handed to V8: ASCII text (claims nearly always are) as Latin-1, which V8 copies
/// into a one-byte string as it is, where UTF-8 is decoded first.
pub type Text = Either<Latin1String, String>;
type Parse = FunctionRef<Text, Unknown<'static>>;

thread_local! {
    /// `JSON.parse` of the JS environment on this thread (Node runs one per thread: the main
    /// one and each worker's), with that environment's address. Looking it up through the
    /// global object took three property lookups per conversion, a measurable share of a
    /// verification.
    static JSON_PARSE: RefCell<Option<(usize, Parse)>> = const { RefCell::new(None) };
}

/// Parses JSON text into a JS value with `JSON.parse`.
pub fn parse<'env>(env: &Env, text: String) -> napi::Result<Unknown<'env>> {
    let here = env.raw() as usize;
    JSON_PARSE.with(|held| {
        let mut held = held.borrow_mut();
        let parse = match &*held {
            Some((at, parse)) if *at == here => parse.borrow_back(env)?,
            _ => {
                let json: Object = env.get_global()?.get_named_property("JSON")?;
                let parse: Function<Text, Unknown<'static>> = json.get_named_property("parse")?;
                *held = Some((here, parse.create_ref()?));
                // Forgotten when the environment goes, so a later one at the same address
                // on this thread never borrows a dead reference.
                env.add_env_cleanup_hook((), |()| {
                    let _ = JSON_PARSE.try_with(|held| held.try_borrow_mut().map(|mut h| h.take()));
                })?;
                parse
            }
        };
        parse.call(self::text(text))
    })
}

/// JSON text for V8: see [`Text`].
pub fn text(text: String) -> Text {
    // Latin-1 and UTF-8 spell ASCII alike.
    if text.is_ascii() {
        Either::A(Latin1String::from(text))
    } else {
        Either::B(text)
    }
}

/// A JSON map (or the core's `JsonObject`, serialised as its map) as a JS object.
pub fn object<'env>(env: &Env, map: &impl serde::Serialize) -> napi::Result<Unknown<'env>> {
    let text = serde_json::to_string(map).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    parse(env, text)
}

/// A token argument's text. Tokens are ASCII, which V8 copies out fastest as UTF-16 code units
/// (napi-rs's `String` conversion measures the UTF-8 length first, then writes: a quarter of a
/// cache hit). Other text takes the UTF-8 conversion's replacement of lone surrogates; a value
/// that is not a string gets the error a `String` argument gives.
pub fn token_text(env: &Env, token: JsString<'_>) -> napi::Result<String> {
    let Ok(utf16) = token.into_utf16() else {
        let mut holder = Object::new(env)?;
        holder.set_named_property("token", token)?;
        // napi-rs's own `String` conversion, unvalidated, so the message is the one a `String`
        // argument gives.
        return holder.get_named_property_unchecked::<String>("token");
    };
    // napi-rs's buffer ends with the terminating NUL.
    let units = utf16
        .as_slice()
        .split_last()
        .map_or(&[][..], |(_, text)| text);
    // Branch-free passes (they vectorise): whether any unit is past ASCII, then the bytes.
    if units.iter().fold(0, |seen, &u| seen | u) < 0x80 {
        let ascii: Vec<u8> = units.iter().map(|&u| u as u8).collect();
        String::from_utf8(ascii).map_err(|e| napi::Error::from_reason(e.to_string()))
    } else {
        Ok(String::from_utf16_lossy(units))
    }
}

/// A JS number as the core's [`Arg`]: JS has one number type, and a whole one within 2^53 is an
/// integer to the core.
pub fn number_arg(x: f64) -> Arg {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        Arg::Int(x as i64)
    } else {
        Arg::Float(x)
    }
}

/// A caller's option value as the core's [`Arg`]: the JS type mapped to its kind, never
/// rejected here (the core decides what fits, with the same message in every language).
pub fn arg(v: &Unknown<'_>) -> napi::Result<Arg> {
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => Arg::Null,
        ValueType::Boolean => Arg::Bool(v.coerce_to_bool()?),
        ValueType::Number => number_arg(v.coerce_to_number()?.get_double()?),
        ValueType::String => Arg::Str(v.coerce_to_string()?.into_utf8()?.as_str()?.to_owned()),
        ValueType::Object if v.is_array()? => {
            let list = v.coerce_to_object()?;
            let items = (0..list.get_array_length()?)
                .map(|i| arg(&list.get_element::<Unknown>(i)?))
                .collect::<napi::Result<Vec<_>>>()?;
            Arg::List(items)
        }
        _ => Arg::Other,
    })
}

/// An options object's own properties as the core's [`Args`], in the caller's spelling.
pub fn args(options: Option<&Object<'_>>) -> napi::Result<Args> {
    let mut out = Args::new();
    if let Some(o) = options {
        for name in Object::keys(o)? {
            let value: Unknown = o.get_named_property(&name)?;
            out.set(name, arg(&value)?);
        }
    }
    Ok(out)
}
