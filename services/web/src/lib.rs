//! The BillTracker web process as a library: the router (tested in process)
//! and [`serve`], which the `billtracker-web` binary runs.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod json;
pub mod oidc;
pub mod routes;
pub mod spa;

use std::net::SocketAddr;
use std::process::ExitCode;

use billtracker::accounts::bootstrap::{self, Bootstrap};
use billtracker::accounts::settings;
use billtracker::heartbeat::{CurrentJobs, Heartbeat, Service};
use billtracker::{process, shutdown};

use crate::config::WebConfig;

/// Connections in the pool of the web process.
const POOL_SIZE: u32 = 8;

/// Runs the web process until SIGTERM.
pub async fn serve(config: WebConfig) -> ExitCode {
    if config.print_openapi {
        println!("{}", app::openapi_json());
        return ExitCode::SUCCESS;
    }

    let started = process::start(Service::Web, &config.common, POOL_SIZE);
    tracing::debug!(config = ?config.web, "effective web configuration");
    let address = SocketAddr::new(config.web.bind_address, config.web.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, %address, "cannot listen");
            billtracker::config::fail(
                "billtracker-web",
                "PORT",
                format_args!("cannot listen on {address}: {error}"),
            );
        }
    };

    let heartbeat = match Heartbeat::start(
        started.db.clone(),
        started.instance.clone(),
        config.common.heartbeat_interval(),
        CurrentJobs::default(),
    )
    .await
    {
        Ok(heartbeat) => heartbeat,
        Err(error) => {
            tracing::error!(%error, "cannot write the first heartbeat");
            return ExitCode::from(3);
        }
    };

    match bootstrap::ensure_admin(
        &started.db,
        config.web.admin_username.clone(),
        config.web.admin_password.clone(),
    )
    .await
    {
        Ok(Bootstrap::Existing) => {}
        Ok(Bootstrap::Configured { username }) => {
            tracing::info!(
                "created the first admin {username:?} from ADMIN_USERNAME and ADMIN_PASSWORD"
            );
        }
        Ok(Bootstrap::Generated { username, password }) => {
            // Printed once, on purpose: the only way into a new instance
            // without ADMIN_PASSWORD. It must be changed at first sign-in.
            tracing::warn!(
                "created the first admin {username:?} with the one-time password {password} \
                 (change it at first sign-in; set ADMIN_USERNAME and ADMIN_PASSWORD to choose your own)"
            );
        }
        Err(error) => {
            tracing::error!(%error, "cannot create the first admin");
            return ExitCode::from(3);
        }
    }
    tokio::task::spawn_blocking(billtracker::accounts::password::warm_up);

    let state = app::AppState::new(
        started.db.clone(),
        started.started_at,
        config.clone(),
        started.secrets,
    );
    check_sign_in(&state).await;
    let app = app::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(
        address = %address,
        startup_ms = started.started_at.elapsed().as_millis() as u64,
        "listening on http://{address}"
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown::signal())
        .await;

    heartbeat.stop().await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "the server stopped on an error");
            ExitCode::FAILURE
        }
    }
}

/// Reports sign-in settings that would leave no admin a way in. The web
/// process keeps local login on while they last (see
/// `settings::load`); the error line also reaches the Status page.
async fn check_sign_in(state: &app::AppState) {
    let app = state.clone();
    let checked = state
        .db
        .run(move |conn| {
            let stored = settings::load_stored(conn)?;
            let effective = settings::resolve(&stored, &app.web.oidc, &app.secrets);
            Ok(settings::lockout(
                &stored,
                &effective,
                settings::oidc_admin_exists(conn)?,
            ))
        })
        .await;
    match checked {
        Ok(None) => {}
        Ok(Some(reason)) => tracing::error!(
            "sign-in settings would lock every admin out: {reason}; local login stays on until \
             they are fixed (set LOCAL_LOGIN_ENABLED=true, complete the OIDC_* variables, or run \
             `billtracker auth enable-local-login`)"
        ),
        Err(error) => tracing::error!(%error, "cannot check the sign-in settings"),
    }
}
