//! Reading untyped JavaScript values: the few field accessors the ZAF and HTTP decoders share.
//!
//! Invariant: nothing here throws or panics; a missing or mistyped field is `None`.
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

/// `value[key]`, or `None` when it is `undefined`, `null` or `value` is not an object.
pub(crate) fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() && !value.is_function() {
        return None;
    }
    match Reflect::get(value, &JsValue::from_str(key)) {
        Ok(v) if !v.is_undefined() && !v.is_null() => Some(v),
        _ => None,
    }
}

pub(crate) fn string_field(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).and_then(|v| v.as_string())
}

pub(crate) fn number_field(value: &JsValue, key: &str) -> Option<f64> {
    field(value, key).and_then(|v| v.as_f64())
}

/// The own enumerable string keys of an object with their values (`Object.entries`).
pub(crate) fn entries(value: &JsValue) -> Vec<(String, JsValue)> {
    let Some(object) = value.dyn_ref::<Object>() else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for pair in Object::entries(object).iter() {
        // `Object.entries` gives `[key, value]` arrays: read as arrays, not with `Reflect`.
        let pair: Array = pair.unchecked_into();
        if let Some(key) = pair.get(0).as_string() {
            entries.push((key, pair.get(1)));
        }
    }
    entries
}

/// Calls `value[name](arg)` when it is a function; `None` when absent, throwing or not a string.
pub(crate) fn call_string_method(value: &JsValue, name: &str, arg: &str) -> Option<String> {
    let function = field(value, name)?.dyn_into::<Function>().ok()?;
    function
        .call1(value, &JsValue::from_str(arg))
        .ok()?
        .as_string()
}

/// A short human description of a thrown or rejected value, for error messages and logs.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    let name = string_field(value, "name");
    let message = string_field(value, "message");
    match (name, message) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        (Some(n), None) => n,
        (None, None) => JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "unknown error".to_string()),
    }
}
