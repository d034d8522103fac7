//! The app's settings (manifest parameters), parsed with diagnostics that name the setting.
use serde::Deserialize;
use std::collections::BTreeMap;

/// A setting value as ZAF delivers it in `metadata.settings`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum SettingValue {
    Bool(bool),
    Number(f64),
    Text(String),
    Null,
}

/// `metadata.settings`: parameter name → value.
pub type RawSettings = BTreeMap<String, SettingValue>;
