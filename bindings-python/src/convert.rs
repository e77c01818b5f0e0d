//! JSON values (the core's serialisation of records and results) to Python objects.

use cloud_connector::options::{Arg, Args};
use cloud_connector::ordered_json::OrderedJson;
use cloud_connector::token::JsonRef;

use crate::interned::{shared_str, str_list};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

/// Ordered JSON (the legacy generator's output) as dicts in the core's member order.
pub fn ordered_to_py<'py>(py: Python<'py>, v: &OrderedJson) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        OrderedJson::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(ordered_to_py(py, item)?)?;
            }
            list.into_any()
        }
        OrderedJson::Object(members) => {
            let dict = PyDict::new(py);
            for (k, item) in members {
                dict.set_item(k, ordered_to_py(py, item)?)?;
            }
            dict.into_any()
        }
        OrderedJson::Null => py.None().into_bound(py),
        OrderedJson::Bool(b) => json_to_py(py, &Value::Bool(*b))?,
        OrderedJson::Number(n) => json_to_py(py, &Value::Number(n.clone()))?,
        OrderedJson::String(s) => s.into_bound_py_any(py)?,
    })
}

pub fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
            }
        }
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A value of a verified token's claims (or header) as Python objects, built straight from the
/// core's tape of the token's JSON; objects become dicts in the decoded map's order (by name).
pub fn json_ref_to_py<'py>(py: Python<'py>, v: JsonRef<'_>) -> PyResult<Bound<'py, PyAny>> {
    json_ref_in(py, v, false)
}

/// [`json_ref_to_py`]; `listed` for an array's elements, whose strings (unit primitives,
/// audiences) repeat from token to token and are shared.
fn json_ref_in<'py>(py: Python<'py>, v: JsonRef<'_>, listed: bool) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        JsonRef::Null => py.None().into_bound(py),
        JsonRef::Bool(b) => b.into_bound_py_any(py)?,
        JsonRef::I64(i) => i.into_bound_py_any(py)?,
        JsonRef::U64(u) => u.into_bound_py_any(py)?,
        JsonRef::F64(f) => f.into_bound_py_any(py)?,
        JsonRef::Str(s) if listed => shared_str(py, s).into_any(),
        JsonRef::Str(s) => s.into_bound_py_any(py)?,
        JsonRef::Array(items) => match items.plain_strings() {
            Some(key) => str_list(py, Some(key), items.filter_map(JsonRef::as_str))?.into_any(),
            None => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(json_ref_in(py, item, true)?)?;
                }
                list.into_any()
            }
        },
        JsonRef::Object(members) => members_to_py(py, &members.by_name())?.into_any(),
    })
}

/// An object's members (by name, each once) as a dict, names shared.
pub fn members_to_py<'py>(
    py: Python<'py>,
    members: &[(&str, JsonRef<'_>)],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, item) in members {
        dict.set_item(shared_str(py, k), json_ref_in(py, item.clone(), false)?)?;
    }
    Ok(dict)
}

/// A caller's option value as the core's [`Arg`]: the Python type mapped to its kind, never
/// rejected here (the core decides what fits, with the same message in every language).
pub fn py_arg(v: &Bound<'_, PyAny>) -> Arg {
    if v.is_none() {
        Arg::Null
    } else if let Ok(b) = v.cast::<PyBool>() {
        Arg::Bool(b.is_true())
    } else if v.is_instance_of::<PyInt>() {
        match v.extract::<i64>() {
            Ok(i) => Arg::Int(i),
            // Past 64 bits: its float value, or an infinity past f64's range.
            Err(_) => Arg::Float(v.extract::<f64>().unwrap_or_else(|_| {
                if v.gt(0).unwrap_or(true) {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }
            })),
        }
    } else if let Ok(f) = v.cast::<PyFloat>() {
        Arg::Float(f.value())
    } else if let Ok(s) = v.cast::<PyString>() {
        Arg::Str(s.to_string_lossy().into_owned())
    } else if let Ok(list) = v.cast::<PyList>() {
        Arg::List(list.iter().map(|i| py_arg(&i)).collect())
    } else if let Ok(tuple) = v.cast::<PyTuple>() {
        Arg::List(tuple.iter().map(|i| py_arg(&i)).collect())
    } else {
        Arg::Other
    }
}

/// Keyword options as the core's [`Args`], in the caller's spelling.
pub fn py_args(options: Option<&Bound<'_, PyDict>>) -> Args {
    Args::from_pairs(
        options
            .into_iter()
            .flat_map(|d| d.iter())
            .map(|(k, v)| (k.to_string(), py_arg(&v))),
    )
}
