//! The SPA is embedded from `ui/dist`. When it has not been built (a Rust-only
//! checkout), a page that says how to build it is embedded instead, so the
//! crate still compiles; `make run`, `make test` and the Docker image always
//! build the real SPA first.

use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-env-changed=BILLTRACKER_BUILD_COMMIT");
    if !dist.join("index.html").exists() {
        println!(
            "cargo:warning=services/web/ui/dist is missing: run `npm ci && npm run build` in services/web/ui"
        );
        std::fs::create_dir_all(&dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>BillTracker</title></head>\
             <body><h1>BillTracker</h1><p>The web interface was not built into this binary. \
             Run <code>npm ci &amp;&amp; npm run build</code> in <code>services/web/ui</code>, then rebuild \
             (or use <code>make run</code>). The API under <code>/api</code> works.</p></body></html>\n",
        )
        .expect("write the placeholder index.html");
    }
}
