//! Helpers for tests that start the real BillTracker binaries as separate
//! processes on a temporary data directory.
//!
//! The binaries are those of the workspace's target directory (build them
//! with `cargo build --workspace` first; `make test` does).

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use rusqlite::Connection;

/// The four long-running services and their binaries.
pub const SERVICES: [(&str, &str); 4] = [
    ("web", "billtracker-web"),
    ("sync-worker", "billtracker-sync-worker"),
    ("notifier", "billtracker-notifier"),
    ("janitor", "billtracker-janitor"),
];

/// The directory holding the workspace's binaries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // Tests live in target/<profile>/deps, binaries such as the benchmark in
    // target/<profile>: the suite's binaries are in target/<profile>.
    let parent = exe.parent().expect("binary directory");
    let dir = if parent.ends_with("deps") {
        parent.parent().expect("target/<profile>").to_path_buf()
    } else {
        parent.to_path_buf()
    };
    assert!(
        dir.join("billtracker-web").exists(),
        "the suite's binaries are missing from {}: run `cargo build --workspace` first",
        dir.display()
    );
    dir
}

/// A path to one of the suite's binaries.
pub fn bin(name: &str) -> PathBuf {
    bin_dir().join(name)
}

/// A TCP port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Polls `check` until it returns `Some` or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One suite on its own temporary data directory and port.
pub struct Suite {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub env: Vec<(String, String)>,
    processes: Vec<Running>,
    starts: usize,
}

/// A process of the suite started by a test.
pub struct Running {
    pub service: &'static str,
    pub child: Child,
    pub log: PathBuf,
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

impl Suite {
    /// A suite with fast heartbeats and polling, so that tests are quick.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let data = dir.path().join("data");
        let env = vec![
            ("DATA_DIR".to_string(), data.display().to_string()),
            ("PORT".to_string(), port.to_string()),
            ("BIND_ADDRESS".to_string(), "127.0.0.1".to_string()),
            ("HEARTBEAT_INTERVAL_SECS".to_string(), "1".to_string()),
            ("QUEUE_HEARTBEAT_SECS".to_string(), "1".to_string()),
            ("QUEUE_POLL_MS".to_string(), "100".to_string()),
            ("LOG_FORMAT".to_string(), "text".to_string()),
            ("RUST_LOG".to_string(), "info".to_string()),
            ("TZ".to_string(), "UTC".to_string()),
        ];
        Suite {
            dir,
            port,
            env,
            processes: Vec::new(),
            starts: 0,
        }
    }

    /// Sets or replaces an environment variable for processes started later.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn bills_db(&self) -> PathBuf {
        self.data_dir().join("db").join("bills.db")
    }

    pub fn queue_db(&self) -> PathBuf {
        self.data_dir().join("db").join("queue.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn command(&self, binary: &str) -> Command {
        let mut command = Command::new(bin(binary));
        command.env_clear();
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Starts one service; its output goes to a log file of its own.
    pub fn start(&mut self, service: &'static str) -> &Running {
        let binary = SERVICES
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, b)| *b)
            .expect("a known service");
        self.starts += 1;
        let log = self
            .dir
            .path()
            .join(format!("{service}-{}.log", self.starts));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = self
            .command(binary)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start the binary");
        self.processes.push(Running {
            service,
            child,
            log,
        });
        self.processes.last().expect("just pushed")
    }

    /// Starts all four services at the same moment.
    pub fn start_all(&mut self) {
        for (service, _) in SERVICES {
            self.start(service);
        }
    }

    /// The running process of a service (the most recently started one).
    pub fn process(&mut self, service: &str) -> &mut Running {
        self.processes
            .iter_mut()
            .rev()
            .find(|p| p.service == service)
            .expect("the service was started")
    }

    /// Sends a signal to the latest process of a service and waits for it
    /// to exit; returns its exit status.
    pub fn signal(
        &mut self,
        service: &str,
        signal: Signal,
        timeout: Duration,
    ) -> std::process::ExitStatus {
        let running = self.process(service);
        let pid = Pid::from_raw(running.child.id() as i32);
        kill(pid, signal).expect("send the signal");
        wait_for(timeout, || running.child.try_wait().ok().flatten())
            .unwrap_or_else(|| panic!("{service} did not exit within {timeout:?} after {signal}"))
    }

    /// Sends a signal to the latest process of a service without waiting
    /// for it to exit (`SIGSTOP` and `SIGCONT` pause and resume it).
    pub fn send(&mut self, service: &str, signal: Signal) {
        let running = self.process(service);
        let pid = Pid::from_raw(running.child.id() as i32);
        kill(pid, signal).expect("send the signal");
    }

    /// Every log line written so far by all processes of a service.
    pub fn logs(&self, service: &str) -> String {
        self.processes
            .iter()
            .filter(|p| p.service == service)
            .map(|p| std::fs::read_to_string(&p.log).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("")
    }

    /// All log lines of every process.
    pub fn all_logs(&self) -> String {
        self.processes
            .iter()
            .map(|p| std::fs::read_to_string(&p.log).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("")
    }

    /// Runs the `billtracker` CLI with this suite's environment.
    pub fn ctl(&self, args: &[&str]) -> Output {
        self.command("billtracker")
            .args(args)
            .output()
            .expect("run the billtracker CLI")
    }

    /// Runs the CLI and parses its `--json` answer.
    pub fn ctl_json(&self, args: &[&str]) -> serde_json::Value {
        let output = self.ctl(args);
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "`billtracker {}` did not print JSON ({e}): {}{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }

    /// Waits until `billtracker status` shows every listed service up.
    pub fn wait_until_up(&self, services: &[&str], timeout: Duration) -> bool {
        wait_for(timeout, || {
            let output = self.ctl(&["status", "--json"]);
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
            let all = report["services"].as_array()?;
            services
                .iter()
                .all(|name| {
                    all.iter()
                        .any(|s| s["service"] == *name && s["state"] == "up")
                })
                .then_some(())
        })
        .is_some()
    }

    /// Waits until `/api/health` answers 200.
    pub fn wait_for_web(&self, timeout: Duration) -> bool {
        let client = http();
        wait_for(timeout, || {
            client
                .get(self.url("/api/health"))
                .send()
                .ok()
                .filter(|r| r.status().is_success())
        })
        .is_some()
    }

    /// Opens `bills.db` like any other process would.
    pub fn bills(&self) -> Connection {
        let conn = Connection::open(self.bills_db()).expect("open bills.db");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }

    /// Opens `queue.db`.
    pub fn queue(&self) -> Connection {
        let conn = Connection::open(self.queue_db()).expect("open queue.db");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }
}

impl Drop for Suite {
    fn drop(&mut self) {
        for process in &mut self.processes {
            if let Ok(None) = process.child.try_wait() {
                let _ = kill(Pid::from_raw(process.child.id() as i32), Signal::SIGTERM);
            }
        }
        for process in &mut self.processes {
            let exited = wait_for(Duration::from_secs(10), || {
                process.child.try_wait().ok().flatten()
            });
            if exited.is_none() {
                let _ = process.child.kill();
                let _ = process.child.wait();
            }
        }
    }
}

/// A blocking HTTP client with a short timeout and no redirects.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// Counts probe rows whose key starts with `prefix`.
pub fn probe_rows(conn: &Connection, prefix: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM queue_probes WHERE probe_key >= ?1 AND probe_key < ?2",
        [format!("{prefix}-"), format!("{prefix}.")],
        |row| row.get(0),
    )
    .expect("count probe rows")
}

/// Reads the probe prefix from `billtracker queue probe` output.
pub fn probe_prefix(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout);
    text.split("key prefix ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no probe prefix in: {text}"))
        .to_string()
}
