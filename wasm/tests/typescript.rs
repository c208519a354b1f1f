//! The committed `index.d.ts` is exactly what the Rust types declare (run with
//! `--features typescript`; `RELANCE_BLESS=1` rewrites the file after a change of the types).
#![cfg(feature = "typescript")]

#[test]
fn index_d_ts_is_written_from_the_rust_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/package/src/index.d.ts");
    let generated = relance_wasm::typescript::declarations()
        .unwrap_or_else(|names| panic!("two types are declared as {names:?}: rename one with #[ts(rename)]"));
    if std::env::var_os("RELANCE_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == generated,
        "wasm/package/src/index.d.ts differs from the Rust types; review, then run \
         RELANCE_BLESS=1 cargo test -p relance-wasm --features typescript --test typescript"
    );
}
