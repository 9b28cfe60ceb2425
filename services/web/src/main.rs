//! `billtracker-web`: the JSON API under `/api` and the single-page app,
//! on port 3030 by default. See `billtracker-web --help`.

use std::process::ExitCode;

use billtracker_web::config::WebConfig;

#[tokio::main]
async fn main() -> ExitCode {
    let config: WebConfig = billtracker::config::parse();
    billtracker_web::serve(config).await
}
