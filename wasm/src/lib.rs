//! `relance-wasm`: the WebAssembly bindings of `relance-core`, published as the npm package
//! `relance`. Adapter only: decode the input, call the core, encode the output; no domain logic
//! here. The bindings themselves (wasm-bindgen, TypeScript types, the npm package) are issue 5;
//! until then this crate only proves that the core links into a wasm32 cdylib (scripts/test.sh
//! builds it for wasm32-unknown-unknown).

pub use relance_core;
