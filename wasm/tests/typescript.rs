//! The committed `index.d.ts` is exactly what the Rust types declare (run with
//! `--features typescript`; `RELANCE_BLESS=1` rewrites the file after a change of the types).
#![cfg(feature = "typescript")]

#[test]
fn index_d_ts_is_written_from_the_rust_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/package/src/index.d.ts");
    let generated = relance_wasm::typescript::declarations();
    // ts-rs names a type by its Rust name: two types of one name would silently shadow each other.
    let mut names: Vec<&str> =
        generated.lines().filter_map(|l| l.strip_prefix("export type ")?.split([' ', '<']).next()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two declared types share a name: rename one with #[ts(rename)]");
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
