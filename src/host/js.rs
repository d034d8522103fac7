//! Reading untyped JavaScript values: the few field accessors the ZAF and HTTP decoders share.
//!
//! Invariant: nothing here throws or panics; a missing or mistyped field is `None`.
use js_sys::{Array, Object, Reflect, JSON};
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

/// A short description of a value ZAF gave where another was due, for error details: its JSON
/// text (thrown values are described by the shell).
pub(crate) fn describe(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| {
        JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "unknown value".to_string())
    })
}
