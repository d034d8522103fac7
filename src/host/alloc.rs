//! The global allocator: talc instead of Rust's default dlmalloc, for a smaller wasm module.
//! The app is single-threaded wasm (no `atomics`), which is what talc's wasm allocator requires.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
