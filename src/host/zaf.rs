//! The binding to Zendesk's ZAF SDK (the global `ZAFClient` that `iframe.html` loads from
//! Zendesk's CDN): init, registration, `metadata()`, `get()`, `request()` and `invoke()`.
//!
//! Invariant: only `host` knows ZAF JSON. Every SDK call is imported with `catch`, so a throw or a
//! missing SDK becomes a [`HostError`]; decoded, typed values leave this module, never raw
//! results of `client.get`.
use super::decode::{self, Decode};
use super::js;
use super::HostError;
use js_sys::{Array, Function, Promise};
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The client object `ZAFClient.init` returns.
    #[derive(Debug, Clone)]
    pub type ZafClient;

    /// `ZAFClient.init(callback)`: the client, or `false` outside Zendesk (no `origin`/`app_guid`).
    #[wasm_bindgen(catch, js_namespace = ZAFClient, js_name = init)]
    fn zaf_init(on_registered: &Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, method, js_name = metadata)]
    fn metadata_js(this: &ZafClient) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, method, js_name = get)]
    fn get_js(this: &ZafClient, paths: &Array) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, method, js_name = request)]
    fn request_js(this: &ZafClient, options: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, method, js_name = invoke)]
    fn invoke_js(this: &ZafClient, name: &str, arg: &JsValue) -> Result<Promise, JsValue>;

    /// `client.on(name, handler)`: registers a listener (the SDK only stores it, it does not throw).
    #[wasm_bindgen(method)]
    pub fn on(this: &ZafClient, name: &str, handler: &Function);
}

/// The answer of a bulk `client.get`: one value or one error per path (ZAF.md §1.4).
#[derive(Debug)]
pub struct GetResult {
    result: JsValue,
}

impl GetResult {
    /// Wraps a raw `result` object; exposed so browser tests can feed ZAF-shaped fixtures.
    pub fn from_js(result: JsValue) -> GetResult {
        GetResult { result }
    }

    /// The value at `path`, or why Zendesk did not provide it.
    fn raw(&self, path: &str) -> Result<JsValue, HostError> {
        let reported =
            js::field(&self.result, "errors").and_then(|errors| js::field(&errors, path));
        if let Some(error) = reported {
            return Err(HostError::Data {
                path: path.to_string(),
                detail: js::describe(&error),
            });
        }
        match js::field(&self.result, path) {
            Some(value) => Ok(value),
            None => Err(HostError::Data {
                path: path.to_string(),
                detail: "no value".to_string(),
            }),
        }
    }

    /// The value at `path` decoded into `T`; a missing value or a wrong shape names the path
    /// (`ticket.assignee.user.id`).
    pub fn decode<T: Decode>(&self, path: &str) -> Result<T, HostError> {
        let value = self.raw(path)?;
        decode::decode(&value, path).map_err(|e| HostError::Data {
            path: e.path,
            detail: e.detail,
        })
    }

    /// A custom field value as text: checkbox → "true"/"false", number → its decimal form,
    /// unset, missing or unknown field → `None`.
    pub fn field_text(&self, path: &str) -> Option<String> {
        let value = self.raw(path).ok()?;
        if let Some(b) = value.as_bool() {
            return Some(b.to_string());
        }
        if let Some(n) = value.as_f64() {
            return Some(number_text(n));
        }
        value.as_string()
    }
}

pub(crate) use crate::core::text::number_text;

/// Waits for a ZAF call already made; a throw or a rejection becomes [`HostError::Zaf`].
fn settle(
    call: &'static str,
    promise: Result<Promise, JsValue>,
) -> impl Future<Output = Result<JsValue, HostError>> {
    let fail = move |e: JsValue| HostError::Zaf {
        call,
        detail: js::describe(&e),
    };
    let pending = promise.map(JsFuture::from);
    async move { pending.map_err(fail)?.await.map_err(fail) }
}

/// What the time-out promise resolves with; no `client.request` answer is a bare string.
const TIMED_OUT: &str = "ase-emergency-assist:timed-out";

impl ZafClient {
    /// Initialises the SDK and waits for `app.registered`.
    pub async fn connect() -> Result<ZafClient, HostError> {
        // The init callback fires on `app.registered`; a promise's resolve function serves as
        // that callback, so no Rust closure has to outlive this call.
        let mut resolve_slot: Option<Function> = None;
        let registered = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
        let Some(resolve) = resolve_slot else {
            return Err(HostError::SdkMissing(
                "promise executor did not run".to_string(),
            ));
        };
        let client = zaf_init(&resolve).map_err(|e| HostError::SdkMissing(js::describe(&e)))?;
        if client.as_bool() == Some(false) || !client.is_object() {
            return Err(HostError::NotInZendesk);
        }
        JsFuture::from(registered)
            .await
            .map_err(|e| HostError::Zaf {
                call: "app.registered",
                detail: js::describe(&e),
            })?;
        Ok(client.unchecked_into::<ZafClient>())
    }

    /// `client.metadata()` (the app's settings live in `settings`). The call is made now, so
    /// several reads can be in flight at once; the future only waits for the answer.
    pub fn metadata(&self) -> impl Future<Output = Result<JsValue, HostError>> {
        settle("metadata", self.metadata_js())
    }

    /// Bulk `client.get(paths)`, made now: never rejects for a single unknown path; see
    /// [`GetResult`].
    pub fn get(&self, paths: &[&str]) -> impl Future<Output = Result<GetResult, HostError>> {
        // Pushed one by one, as in `intl`: no `FromIterator for Array` in the bundle.
        let list = Array::new();
        for path in paths {
            list.push(&JsValue::from_str(path));
        }
        let answer = settle("get", self.get_js(&list));
        async move { answer.await.map(GetResult::from_js) }
    }

    /// `client.request(options)`: resolves or rejects with whatever Zendesk answers; the
    /// settled value is decoded by `http`, so both outcomes come back as `Ok`/`Err` values.
    /// `None` when nothing settled within `timeout_ms`: the request may still take effect, and
    /// its late answer is dropped.
    pub async fn request(
        &self,
        options: &JsValue,
        timeout_ms: i32,
    ) -> Option<Result<JsValue, JsValue>> {
        let promise = match self.request_js(options) {
            Ok(promise) => promise,
            Err(thrown) => return Some(Err(thrown)),
        };
        let timer = Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_1(
                    &resolve,
                    timeout_ms,
                    &JsValue::from_str(TIMED_OUT),
                );
            }
        });
        let raced = Promise::race(&Array::of2(&promise, &timer));
        match JsFuture::from(raced).await {
            Ok(value) if value.as_string().as_deref() == Some(TIMED_OUT) => None,
            settled => Some(settled),
        }
    }

    /// `client.invoke('resize', {height: "<n>px"})`; failures only matter to the console.
    pub fn resize(&self, height_px: u32) {
        let size = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&size, &"height".into(), &format!("{height_px}px").into());
        if let Ok(promise) = self.invoke_js("resize", &size) {
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = JsFuture::from(promise).await {
                    web_sys::console::warn_1(
                        &format!("resize failed: {}", js::describe(&e)).into(),
                    );
                }
            });
        }
    }
}
