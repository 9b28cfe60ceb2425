//! The deployment files, checked against the binaries (there is no Docker
//! engine on our machines): container names, ports, the shared volume,
//! commands, health checks and the variables of `.env.example`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use billtracker_integration_tests::bin;
use serde_yaml::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compose() -> Value {
    let text = std::fs::read_to_string(repo().join("compose/docker-compose.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn help(binary: &str, args: &[&str]) -> String {
    let output = Command::new(bin(binary))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{binary} {args:?} --help");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// (service key, container name, binary, health check service)
const APP_SERVICES: [(&str, &str, &str, &str); 4] = [
    ("web", "bill-tracker", "billtracker-web", "web"),
    (
        "sync-worker",
        "bill-tracker-sync",
        "billtracker-sync-worker",
        "sync-worker",
    ),
    (
        "notifier",
        "bill-tracker-notifier",
        "billtracker-notifier",
        "notifier",
    ),
    (
        "janitor",
        "bill-tracker-janitor",
        "billtracker-janitor",
        "janitor",
    ),
];

#[test]
fn every_app_container_runs_a_real_binary_on_the_shared_data_volume() {
    let compose = compose();
    let services = &compose["services"];
    for (key, container, binary, health) in APP_SERVICES {
        let service = &services[key];
        assert_eq!(service["container_name"].as_str(), Some(container), "{key}");
        assert!(
            container.starts_with("bill-tracker"),
            "runbook filters on the name"
        );
        assert!(
            service["image"].as_str().is_some_and(|i| !i.is_empty()),
            "{key} names an image for pull"
        );
        assert_eq!(
            service["build"]["dockerfile"].as_str(),
            Some("compose/Dockerfile"),
            "{key}"
        );
        assert_eq!(service["build"]["context"].as_str(), Some(".."), "{key}");
        assert_eq!(service["restart"].as_str(), Some("unless-stopped"), "{key}");

        let command = service["command"].as_str().unwrap();
        assert_eq!(command, binary, "{key} runs its binary");
        assert!(bin(binary).exists(), "{binary} is built by the workspace");

        let volumes: Vec<&str> = service["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            volumes,
            ["billtracker-data:/data"],
            "{key} shares the one /data volume"
        );
        assert_eq!(
            service["environment"]["DATA_DIR"].as_str(),
            Some("/data"),
            "{key}"
        );

        let test: Vec<&str> = service["healthcheck"]["test"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(test, ["CMD", "billtracker", "health", health], "{key}");
    }
    assert!(
        compose["volumes"]["billtracker-data"].is_mapping()
            || compose["volumes"]["billtracker-data"].is_null()
    );

    // The health check command is one the CLI accepts.
    let health_help = help("billtracker", &["health"]);
    assert!(health_help.contains("SERVICE"), "{health_help}");
}

#[test]
fn ports_are_those_of_the_runbook() {
    let compose = compose();
    let services = &compose["services"];
    let ports = |key: &str| -> Vec<String> {
        services[key]["ports"]
            .as_sequence()
            .map(|s| s.iter().map(|p| p.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ports("web"), ["3030:3030"]);
    for worker in ["sync-worker", "notifier", "janitor"] {
        assert!(ports(worker).is_empty(), "{worker} publishes nothing");
    }

    let docs = &services["docs"];
    assert_eq!(docs["container_name"].as_str(), Some("billtracker-docs"));
    assert_eq!(ports("docs"), ["8055:8000"]);
    assert_eq!(docs["restart"].as_str(), Some("unless-stopped"));
    let command = docs["command"].as_str().unwrap();
    assert!(
        command.contains("serve") && command.contains("0.0.0.0:8000"),
        "{command}"
    );
    // Pull and build both work for the docs too, and the image carries the
    // site, so a pulled image needs no checkout beside it.
    assert!(
        docs["image"].as_str().is_some_and(|i| !i.is_empty()),
        "docs names an image for pull"
    );
    assert_eq!(docs["build"]["context"].as_str(), Some(".."));
    assert_eq!(
        docs["build"]["dockerfile"].as_str(),
        Some("compose/docs.Dockerfile")
    );
    assert!(docs["volumes"].is_null(), "the docs image carries runbook/");
    assert!(
        docs["healthcheck"]["test"].is_sequence(),
        "docs has a health check"
    );
    let dockerfile = std::fs::read_to_string(repo().join("compose/docs.Dockerfile")).unwrap();
    assert!(dockerfile.contains("COPY runbook/ /docs/"), "{dockerfile}");
    assert!(repo().join("runbook/mkdocs.yml").exists());

    // The image's MkDocs Material is the one the docs build is tested with.
    let requirements = std::fs::read_to_string(repo().join("runbook/requirements.txt")).unwrap();
    let version = requirements
        .lines()
        .find_map(|l| l.strip_prefix("mkdocs-material=="))
        .expect("requirements.txt pins mkdocs-material");
    assert!(
        dockerfile.contains(&format!("FROM squidfunk/mkdocs-material:{version}\n")),
        "the docs image uses mkdocs-material {version}"
    );

    // The web binary listens on 3030 unless told otherwise.
    assert!(help("billtracker-web", &[]).contains("[env: PORT=] [default: 3030]"));
}

#[test]
fn every_variable_of_env_example_is_read_by_a_binary() {
    let text = std::fs::read_to_string(repo().join("compose/.env.example")).unwrap();
    let listed: BTreeSet<String> = text
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('='))
        .map(|(name, _)| name.trim().to_string())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();

    let mut known: BTreeSet<String> = BTreeSet::new();
    for (_, _, binary, _) in APP_SERVICES {
        for line in help(binary, &[]).lines() {
            if let Some(rest) = line.split("[env: ").nth(1) {
                known.insert(rest.split(['=', ']']).next().unwrap().to_string());
            }
        }
    }
    // Read by tracing-subscriber and by Compose itself, not by clap.
    let outside_clap = [
        "RUST_LOG",
        "BILLTRACKER_VERSION",
        "BILLTRACKER_BUILD_COMMIT",
    ];

    for name in &listed {
        assert!(
            known.contains(name) || outside_clap.contains(&name.as_str()),
            ".env.example lists {name}, which no binary reads"
        );
    }
    for name in &known {
        assert!(
            listed.contains(name),
            "{name} is read by a binary but missing from .env.example"
        );
    }
}

#[test]
fn the_dockerfile_builds_the_spa_and_ships_every_binary_as_a_non_root_user() {
    let text = std::fs::read_to_string(repo().join("compose/Dockerfile")).unwrap();
    assert!(
        text.contains("npm ci") && text.contains("npm run build"),
        "a Node stage builds the SPA"
    );
    for binary in [
        "billtracker-web",
        "billtracker-sync-worker",
        "billtracker-notifier",
        "billtracker-janitor",
        "billtracker",
    ] {
        assert!(text.contains(binary), "{binary} is in the image");
    }
    assert!(
        text.contains("tzdata"),
        "time zone data for the daily run and reminders"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("USER ") && !l.contains("root")),
        "runs as non-root"
    );
    assert!(text.contains("VOLUME") && text.contains("/data"));
    let (name, value) = billtracker::process::MALLOC_SETTING;
    assert!(
        text.contains(&format!("{name}={value}")),
        "the image runs with the suite's malloc setting"
    );
}
