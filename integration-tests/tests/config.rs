//! Bad configuration stops every process with a message naming the
//! variable: never a panic trace.

use std::process::Command;

use billtracker_integration_tests::{SERVICES, bin};

fn run(binary: &str, env: &[(&str, String)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(bin(binary));
    command
        .env_clear()
        .env("DATA_DIR", dir.path().join("data"))
        .env("PORT", "0")
        .env("BIND_ADDRESS", "127.0.0.1");
    for (name, value) in env {
        command.env(name, value);
    }
    if binary == "billtracker" {
        command.args(["config", "check"]);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

fn binaries() -> Vec<&'static str> {
    SERVICES
        .iter()
        .map(|(_, b)| *b)
        .chain(["billtracker"])
        .collect()
}

#[test]
fn a_port_that_is_not_a_number_is_named() {
    for binary in ["billtracker-web", "billtracker"] {
        let (code, text) = run(binary, &[("PORT", "eighty".into())]);
        assert_eq!(code, Some(2), "{binary}: {text}");
        assert!(text.contains("PORT"), "{binary}: {text}");
        assert!(text.contains("eighty"), "{binary}: {text}");
        assert!(!text.contains("panicked"), "{binary}: {text}");
    }
}

#[test]
fn an_unwritable_data_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let inside_a_file = file.join("data").display().to_string();
    for binary in binaries() {
        let (code, text) = run(binary, &[("DATA_DIR", inside_a_file.clone())]);
        assert_eq!(code, Some(2), "{binary}: {text}");
        assert!(text.contains("DATA_DIR"), "{binary}: {text}");
        assert!(!text.contains("panicked"), "{binary}: {text}");
    }
}

#[test]
fn a_short_encryption_key_is_named_and_not_echoed() {
    for binary in binaries() {
        let (code, text) = run(
            binary,
            &[("TOKEN_ENCRYPTION_KEY", "tooshort-secret".into())],
        );
        assert_eq!(code, Some(2), "{binary}: {text}");
        assert!(text.contains("TOKEN_ENCRYPTION_KEY"), "{binary}: {text}");
        assert!(
            !text.contains("tooshort-secret"),
            "{binary} must not print the key: {text}"
        );
        assert!(!text.contains("panicked"), "{binary}: {text}");
    }
}

#[test]
fn worker_settings_out_of_range_are_named() {
    for (name, value) in [
        ("WORKER_CONCURRENCY", "0"),
        ("QUEUE_POLL_MS", "fast"),
        ("TZ", "Mars/Olympus"),
    ] {
        let (code, text) = run("billtracker-notifier", &[(name, value.into())]);
        assert_eq!(code, Some(2), "{name}: {text}");
        assert!(text.contains(name), "{name}: {text}");
    }
}

#[test]
fn a_port_in_use_is_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (code, text) = run("billtracker-web", &[("PORT", port.to_string())]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("PORT") && text.contains(&port.to_string()),
        "{text}"
    );
}

#[test]
fn config_check_lists_every_setting_with_its_source_and_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("not-yet");
    let output = Command::new(bin("billtracker"))
        .env_clear()
        .env("DATA_DIR", &data)
        .env("CURRENCY", "EUR")
        .env("OIDC_CLIENT_SECRET", "very-secret-client-value")
        .env("TOKEN_ENCRYPTION_KEY", "k".repeat(40))
        .args(["config", "check", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("very-secret-client-value") && !text.contains(&"k".repeat(40)));

    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let setting = |name: &str| {
        report["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} is listed: {text}"))
            .clone()
    };
    assert_eq!(setting("CURRENCY")["value"], "EUR");
    assert_eq!(setting("CURRENCY")["source"], "environment");
    assert_eq!(setting("DAILY_RUN_AT")["value"], "06:00");
    assert_eq!(setting("DAILY_RUN_AT")["source"], "default");
    assert_eq!(setting("OIDC_CLIENT_SECRET")["value"], "set (redacted)");
    assert_eq!(setting("TOKEN_ENCRYPTION_KEY")["value"], "set (redacted)");
    assert_eq!(setting("WORKER_CONCURRENCY")["value"], "4");
    assert!(setting("PUBLIC_URL")["value"].is_null());
    assert_eq!(report["data_dir_writable"], true);
    assert!(!data.exists(), "a check creates no data directory");
}
