//! Settings of the web process.

use std::net::IpAddr;

use billtracker::config::CommonArgs;
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "billtracker-web", version, about = "BillTracker web: JSON API and single-page app")]
pub struct WebConfig {
    #[command(flatten)]
    pub common: CommonArgs,

    /// TCP port to listen on.
    #[arg(long, env = "PORT", default_value_t = 3030)]
    pub port: u16,

    /// Address to listen on (0.0.0.0 for every interface).
    #[arg(long, env = "BIND_ADDRESS", default_value = "0.0.0.0")]
    pub bind_address: IpAddr,

    /// Print the OpenAPI document and exit.
    #[arg(long, hide = true)]
    pub print_openapi: bool,
}
