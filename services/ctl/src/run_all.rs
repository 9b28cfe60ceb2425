//! `billtracker run-all`: the four processes of the suite on one data
//! directory, for a source checkout. Their logs are merged with a prefix
//! per process; Ctrl+C (or SIGTERM) stops them all, and when one of them
//! exits on its own the others are stopped too.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use billtracker::config::{CommonArgs, WebArgs};
use billtracker::heartbeat::Service;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::output::{OK, USAGE};
use crate::settings::Setting;

/// How long the processes get to stop before they are killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// Starts the four processes. `settings` are those of this command line:
/// the ones given as flags reach every process as environment variables.
pub fn run(common: &CommonArgs, web: &WebArgs, settings: &[Setting]) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("billtracker: cannot start the async runtime: {error}");
            return USAGE;
        }
    };
    let flags: Vec<(&str, &str)> = settings
        .iter()
        .filter(|s| s.source == "flag")
        .filter_map(|s| Some((s.name.as_str(), s.value.as_deref()?)))
        .collect();
    runtime.block_on(supervise(common, web, &flags))
}

/// The directory holding this binary, where the other binaries are built.
fn binary_dir() -> Option<PathBuf> {
    std::env::current_exe().ok()?.parent().map(PathBuf::from)
}

async fn supervise(common: &CommonArgs, web: &WebArgs, flags: &[(&str, &str)]) -> i32 {
    let Some(dir) = binary_dir() else {
        eprintln!("billtracker: cannot find the directory of this binary");
        return USAGE;
    };

    let mut children: Vec<(Service, Child)> = Vec::new();
    for service in Service::ALL {
        let path = dir.join(service.binary());
        let mut command = Command::new(&path);
        let (malloc_name, malloc_value) = billtracker::process::MALLOC_SETTING;
        if std::env::var_os(malloc_name).is_none() {
            command.env(malloc_name, malloc_value);
        }
        let spawned = command
            .envs(flags.iter().copied())
            .env("DATA_DIR", &common.data_dir)
            .env("PORT", web.port.to_string())
            .env("BIND_ADDRESS", web.bind_address.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        match spawned {
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    tokio::spawn(prefix_lines(service, out));
                }
                if let Some(err) = child.stderr.take() {
                    tokio::spawn(prefix_lines(service, err));
                }
                children.push((service, child));
            }
            Err(error) => {
                eprintln!(
                    "billtracker: cannot start {} ({error}); build the workspace first with `cargo build`",
                    path.display()
                );
                stop_all(&mut children).await;
                return USAGE;
            }
        }
    }

    let host = if web.bind_address.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        web.bind_address.to_string()
    };
    println!(
        "BillTracker is starting at http://{host}:{} with data in {} (Ctrl+C stops all four processes)",
        web.port,
        common.data_dir.display()
    );

    let code = tokio::select! {
        _ = billtracker::shutdown::signal() => OK,
        (service, status) = first_exit(&mut children) => {
            eprintln!("billtracker: {service} exited ({status}); stopping the others");
            status.code().filter(|c| *c != 0).unwrap_or(1)
        }
    };
    stop_all(&mut children).await;
    code
}

async fn first_exit(children: &mut [(Service, Child)]) -> (Service, std::process::ExitStatus) {
    loop {
        for (service, child) in children.iter_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                return (*service, status);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn stop_all(children: &mut [(Service, Child)]) {
    for (_, child) in children.iter() {
        if let Some(pid) = child.id() {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGTERM);
        }
    }
    for (service, child) in children.iter_mut() {
        match tokio::time::timeout(STOP_GRACE, child.wait()).await {
            Ok(_) => {}
            Err(_) => {
                eprintln!(
                    "billtracker: {service} did not stop within {} s; killing it",
                    STOP_GRACE.as_secs()
                );
                let _ = child.kill().await;
            }
        }
    }
}

async fn prefix_lines(service: Service, stream: impl AsyncRead + Unpin) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        println!("{:<12}| {line}", service.as_str());
    }
}
