//! `billtracker run-all`, the one command that starts the suite from a
//! source checkout: it prints where the app is, merges the four logs with a
//! prefix each, serves, and stops every process it started on SIGTERM or
//! Ctrl+C.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use billtracker_integration_tests::{SERVICES, bin, free_port, http, wait_for};
use nix::errno::Errno;
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use rusqlite::Connection;

/// A running `billtracker run-all` and everything it printed so far.
struct RunAll {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    port: u16,
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
}

impl RunAll {
    fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    fn start_on(bind_address: &str) -> Self {
        Self::start_with(bind_address, &["run-all"])
    }

    /// run-all with these arguments (which include `run-all` itself).
    fn start_with(bind_address: &str, args: &[&str]) -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut child = Command::new(bin("billtracker"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATA_DIR", &data)
            .env("PORT", port.to_string())
            .env("BIND_ADDRESS", bind_address)
            .env("HEARTBEAT_INTERVAL_SECS", "1")
            .env("TZ", "UTC")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, like a command started in a terminal.
            .process_group(0)
            .spawn()
            .expect("start billtracker run-all");

        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    output.lock().unwrap().push(line);
                }
            });
        }
        RunAll {
            _dir: dir,
            data,
            port,
            child,
            output,
        }
    }

    /// Fails at once, with everything it printed, when run-all has ended.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("run-all ended early ({status}):\n{}", self.output());
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Waits until the four processes have sent their first heartbeat and
    /// returns their pids by service.
    fn children(&mut self) -> Vec<(String, i32)> {
        let bills = self.data.join("db").join("bills.db");
        let found = wait_for(Duration::from_secs(20), || {
            self.assert_running();
            let conn = Connection::open(&bills).ok()?;
            conn.busy_timeout(Duration::from_secs(5)).ok()?;
            let mut stmt = conn
                .prepare("SELECT service, pid FROM service_heartbeats WHERE stopped_at IS NULL")
                .ok()?;
            let rows: Vec<(String, i32)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .ok()?
                .collect::<rusqlite::Result<_>>()
                .ok()?;
            (rows.len() == SERVICES.len()).then_some(rows)
        });
        found.unwrap_or_else(|| panic!("all four processes start:\n{}", self.output()))
    }

    /// Sends a signal to run-all, or to its whole process group as a
    /// terminal does on Ctrl+C, and waits for it to exit.
    fn stop_with(&mut self, signal: Signal, to_group: bool) -> std::process::ExitStatus {
        let pid = Pid::from_raw(self.child.id() as i32);
        if to_group {
            killpg(pid, signal).unwrap();
        } else {
            kill(pid, signal).unwrap();
        }
        wait_for(Duration::from_secs(30), || {
            self.child.try_wait().ok().flatten()
        })
        .unwrap_or_else(|| panic!("run-all exits after {signal}:\n{}", self.output()))
    }
}

impl Drop for RunAll {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
            if wait_for(Duration::from_secs(20), || {
                self.child.try_wait().ok().flatten()
            })
            .is_none()
            {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

/// The parent of a process, from `/proc/<pid>/stat`.
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Every live process started with this `DATA_DIR`, run-all's children
/// included, whoever their parent is now.
fn processes_on(data: &std::path::Path) -> Vec<i32> {
    let wanted = format!("DATA_DIR={}", data.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|var| var == wanted.as_bytes()))
                .unwrap_or(false)
        })
        .filter(|pid| !is_gone(*pid))
        .collect()
}

fn is_gone(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None) == Err(Errno::ESRCH)
}

fn starts_serves_and_stops_all_four_on(signal: Signal, to_group: bool) {
    let mut run_all = RunAll::start();
    let url = format!("http://127.0.0.1:{}", run_all.port);

    wait_for(Duration::from_secs(10), || {
        run_all.output().contains(&url).then_some(())
    })
    .unwrap_or_else(|| panic!("run-all prints {url}:\n{}", run_all.output()));

    let client = http();
    let health = wait_for(Duration::from_secs(20), || {
        run_all.assert_running();
        client
            .get(format!("{url}/api/health"))
            .send()
            .ok()
            .filter(|r| r.status().is_success())
    });
    assert!(
        health.is_some(),
        "/api/health answers:\n{}",
        run_all.output()
    );

    let children = run_all.children();
    let own_pid = run_all.child.id() as i32;
    for (service, pid) in &children {
        assert_eq!(
            parent_of(*pid),
            Some(own_pid),
            "{service} ({pid}) was started by run-all"
        );
    }

    // Each process's lines carry its own name, padded to one column.
    for (service, binary) in SERVICES {
        let prefix = format!("{service:<12}| ");
        let start = format!("starting {binary}");
        wait_for(Duration::from_secs(10), || {
            let output = run_all.output();
            output
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(&start))
                .then_some(())
        })
        .unwrap_or_else(|| panic!("{service}'s start is prefixed:\n{}", run_all.output()));
    }

    let mut running = processes_on(&run_all.data);
    running.sort();
    let mut expected: Vec<i32> = children.iter().map(|(_, pid)| *pid).collect();
    expected.push(own_pid);
    expected.sort();
    assert_eq!(
        running, expected,
        "run-all and its four children, nothing else"
    );

    let status = run_all.stop_with(signal, to_group);
    assert!(
        status.success(),
        "run-all exits 0 after {signal}: {status:?}\n{}",
        run_all.output()
    );
    for (service, pid) in &children {
        assert!(
            is_gone(*pid),
            "{service} ({pid}) is left running after {signal}:\n{}",
            run_all.output()
        );
    }
    assert_eq!(
        processes_on(&run_all.data),
        Vec::<i32>::new(),
        "no process is left"
    );
    let output = run_all.output();
    for (service, _) in SERVICES {
        assert!(
            output
                .lines()
                .any(|l| l.starts_with(&format!("{service:<12}| ")) && l.contains("shutting down")),
            "{service} was asked to stop and shut down cleanly:\n{output}"
        );
    }
    assert!(!output.contains("panicked"), "{output}");
}

#[test]
fn run_all_serves_on_the_port_and_sigterm_stops_all_four_processes() {
    starts_serves_and_stops_all_four_on(Signal::SIGTERM, false);
}

#[test]
fn run_all_stops_all_four_processes_on_ctrl_c_in_its_terminal() {
    starts_serves_and_stops_all_four_on(Signal::SIGINT, true);
}

#[test]
fn run_all_stops_all_four_processes_on_sigint_to_itself_alone() {
    starts_serves_and_stops_all_four_on(Signal::SIGINT, false);
}

#[test]
fn when_one_process_fails_to_start_run_all_stops_the_others_and_exits_with_its_code() {
    // An address of no interface here (TEST-NET-1): the web cannot listen.
    let mut run_all = RunAll::start_on("192.0.2.1");

    let status = wait_for(Duration::from_secs(30), || {
        run_all.child.try_wait().ok().flatten()
    })
    .unwrap_or_else(|| panic!("run-all ends when web cannot listen:\n{}", run_all.output()));
    let output = run_all.output();

    assert_eq!(status.code(), Some(2), "the web's exit code:\n{output}");
    assert!(
        output.contains("web exited") && output.contains("stopping the others"),
        "{output}"
    );
    assert!(
        output
            .lines()
            .any(|l| l.starts_with("web         | ") && l.contains("PORT")),
        "the web's own error is shown with its prefix:\n{output}"
    );
    assert_eq!(
        processes_on(&run_all.data),
        Vec::<i32>::new(),
        "no process is left"
    );
}

#[test]
fn settings_given_to_run_all_as_flags_reach_every_process() {
    let mut run_all = RunAll::start_with(
        "127.0.0.1",
        &["--tz", "Europe/Berlin", "run-all", "--currency", "EUR"],
    );
    run_all.children();

    let about: serde_json::Value = http()
        .get(format!("http://127.0.0.1:{}/api/about", run_all.port))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(about["currency"], "EUR", "{about}");

    // Each process names the instance time zone in its start line.
    for (service, binary) in SERVICES {
        let prefix = format!("{service:<12}| ");
        let start = format!("starting {binary}");
        let output = run_all.output();
        let line = output
            .lines()
            .find(|l| l.starts_with(&prefix) && l.contains(&start))
            .unwrap_or_else(|| panic!("{service} started:\n{output}"));
        assert!(line.contains("Europe/Berlin"), "{service}: {line}");
    }
}
