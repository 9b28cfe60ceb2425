//! Embeds the numbered SQL files of `migrations/` into the library.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time: a build script compiled in another checkout (a copied
    // target directory) must still embed this checkout's migrations.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the migrations/ directory exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();

    let mut out = String::from("&[\n");
    for path in files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name");
        let (number, name) = stem
            .split_once('_')
            .unwrap_or_else(|| panic!("migration {stem} must be named NNNN_name.sql"));
        let version: i64 = number
            .parse()
            .unwrap_or_else(|_| panic!("migration {stem} must start with a number"));
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({:?}) }},",
            path.canonicalize()
                .expect("migration path")
                .display()
                .to_string()
        )
        .expect("write to string");
    }
    out.push(']');

    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    std::fs::write(target, out).expect("write migrations.rs");
}
