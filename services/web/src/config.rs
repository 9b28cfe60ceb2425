//! Settings of the web process.

use billtracker::config::{CommonArgs, WebArgs};
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "billtracker-web",
    version,
    about = "BillTracker web: JSON API and single-page app"
)]
pub struct WebConfig {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub web: WebArgs,

    /// Print the OpenAPI document and exit.
    #[arg(long, hide = true)]
    pub print_openapi: bool,
}
