//! The operations runbook, run against the real suite.
//!
//! Reads the operator pages of `runbook/docs/operations/`, takes the
//! commands of their `sh` code blocks that can run without Docker, runs them
//! in page order against the four real processes, and checks each exit code
//! and the answer the page promises next to the command. The conventions
//! (which lines run, `# expect:`, `# not run in tests`, `<id>`, script
//! blocks) are written in a comment at the top of `operations/index.md`.
//!
//! A page that shows a command the suite no longer has, or an answer the
//! suite no longer gives, fails here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use billtracker_integration_tests::Suite;
use serde_json::Value;

/// The pages whose commands are run, in this order.
const PAGES: [&str; 3] = [
    "operations/index.md",
    "operations/backups.md",
    "operations/upgrade.md",
];

/// Written on the line before a code block that runs as one script.
const SCRIPT_MARKER: &str = "<!-- runbook-test: script -->";

/// A trailing comment that keeps a line out of the test.
const SKIP_MARKER: &str = "not run in tests";

/// A trailing comment that states what the output contains.
const EXPECT_MARKER: &str = "expect:";

/// Programs the pages run inside a container that the test runs on the host.
const HOST_TOOLS: [&str; 4] = ["sqlite3", "sha256sum", "du", "df"];

/// Shell syntax a CLI line may not use (it is run without a shell).
const SHELL_OPERATORS: [&str; 8] = ["|", "||", "&&", ";", ">", ">>", "<", "2>&1"];

/// What the test does with one command of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `billtracker <args>`, however the page reaches the CLI.
    Cli(Vec<String>),
    /// A curl or host-tool line, run by bash; `dir` comes from `docker exec -w`.
    Shell { text: String, dir: Option<String> },
    /// A whole code block, run by bash as one script.
    Script(String),
    /// Not runnable here, and why.
    Skip(&'static str),
    /// A line the test cannot take as the page shows it.
    Invalid(String),
}

/// One command of a page.
#[derive(Debug, Clone)]
struct Command {
    page: &'static str,
    /// The 1-based line of the page where the command starts.
    line: usize,
    /// The command as the page shows it, without its trailing comment.
    source: String,
    /// What the output must contain, in order.
    expect: Vec<String>,
    step: Step,
}

impl Command {
    fn place(&self) -> String {
        format!("{}:{}: {}", self.page, self.line, self.source)
    }
}

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runbook/docs")
}

fn read_page(page: &str) -> String {
    let path = docs_dir().join(page);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A line split into shell words, each with its byte offset, and the text
/// of a trailing comment.
struct Words {
    words: Vec<(usize, String)>,
    /// Where the command ends (the comment's `#`, or the line's end).
    end: usize,
    comment: Option<String>,
}

/// Splits like a POSIX shell does for simple commands: blanks separate
/// words, quotes group, `#` at the start of a word starts a comment.
fn split_words(line: &str) -> Words {
    let mut words = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some((_, next)) = chars.next() {
                    current.get_or_insert((at, String::new())).1.push(next);
                }
            }
            (Some(_), c) => current.get_or_insert((at, String::new())).1.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.get_or_insert((at, String::new()));
            }
            (None, '\\') => {
                if let Some((_, next)) = chars.next() {
                    current.get_or_insert((at, String::new())).1.push(next);
                }
            }
            (None, '#') if current.is_none() => {
                return Words {
                    words,
                    end: at,
                    comment: Some(line[at + 1..].trim().to_string()),
                };
            }
            (None, c) if c.is_whitespace() => words.extend(current.take()),
            (None, c) => current.get_or_insert((at, String::new())).1.push(c),
        }
    }
    words.extend(current);
    Words {
        words,
        end: line.len(),
        comment: None,
    }
}

/// The commands of a page's `sh` code blocks, continuation lines joined.
fn commands(page: &'static str, text: &str) -> Vec<Command> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut previous = "";
    while let Some((_, line)) = lines.next() {
        let trimmed = line.trim();
        let Some(info) = trimmed.strip_prefix("```") else {
            if !trimmed.is_empty() {
                previous = trimmed;
            }
            continue;
        };
        let script = previous == SCRIPT_MARKER;
        previous = "";

        let mut body: Vec<(usize, String)> = Vec::new();
        for (index, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            body.push((index + 1, line.trim().to_string()));
        }
        if info.trim() != "sh" {
            continue;
        }

        let mut joined: Vec<(usize, String)> = Vec::new();
        let mut open: Option<(usize, String)> = None;
        for (number, line) in body {
            let (start, mut text) = open.take().unwrap_or((number, String::new()));
            match line.strip_suffix('\\') {
                Some(head) => {
                    text.push_str(head.trim_end());
                    text.push(' ');
                    open = Some((start, text));
                }
                None => {
                    text.push_str(&line);
                    joined.push((start, text));
                }
            }
        }
        joined.extend(open);
        joined.retain(|(_, text)| !text.trim().is_empty());

        if script {
            found.push(script_command(page, &joined));
        } else {
            found.extend(joined.iter().map(|(n, text)| classify(page, *n, text)));
        }
    }
    found
}

fn expectation(comment: Option<&str>) -> Option<String> {
    comment
        .and_then(|c| c.strip_prefix(EXPECT_MARKER))
        .map(|e| e.trim().to_string())
}

fn script_command(page: &'static str, lines: &[(usize, String)]) -> Command {
    let expect = lines
        .iter()
        .filter_map(|(_, text)| expectation(split_words(text).comment.as_deref()))
        .collect();
    let text: Vec<&str> = lines.iter().map(|(_, text)| text.as_str()).collect();
    Command {
        page,
        line: lines.first().map_or(0, |(n, _)| *n),
        source: text.join("\n"),
        expect,
        step: Step::Script(text.join("\n")),
    }
}

fn classify(page: &'static str, line: usize, text: &str) -> Command {
    let words = split_words(text);
    let source = text[..words.end].trim_end().to_string();
    let comment = words.comment.as_deref();
    let step = if comment == Some(SKIP_MARKER) {
        Step::Skip("marked as not run in tests")
    } else {
        step_for(&source, &words.words)
    };
    Command {
        page,
        line,
        source,
        expect: expectation(comment).into_iter().collect(),
        step,
    }
}

/// Options of `docker exec` and `docker compose run` that take a value.
const VALUED_OPTIONS: [&str; 12] = [
    "-w",
    "--workdir",
    "-u",
    "--user",
    "-e",
    "--env",
    "--name",
    "--entrypoint",
    "-v",
    "--volume",
    "-p",
    "--publish",
];

/// Where the program starts after `docker exec [options] <container>` or
/// `docker compose run [options] <service>`, and the working directory.
fn after_docker(names: &[&str], first_option: usize) -> Result<(usize, Option<String>), Step> {
    let mut dir = None;
    let mut at = first_option;
    while let Some(word) = names.get(at) {
        if !word.starts_with('-') {
            return Ok((at + 1, dir));
        }
        if VALUED_OPTIONS.contains(word) {
            if matches!(*word, "-w" | "--workdir") {
                dir = names.get(at + 1).map(|d| d.to_string());
            }
            at += 2;
        } else if *word == "--tty" || (!word.starts_with("--") && word.contains('t')) {
            return Err(Step::Skip("needs a terminal"));
        } else {
            at += 1;
        }
    }
    Err(Step::Invalid("no container or service named".into()))
}

fn step_for(source: &str, words: &[(usize, String)]) -> Step {
    let names: Vec<&str> = words.iter().map(|(_, w)| w.as_str()).collect();
    let docker = match names.as_slice() {
        ["docker", "exec", ..] => after_docker(&names, 2),
        ["docker", "compose", "run", ..] => after_docker(&names, 3),
        _ => Ok((0, None)),
    };
    let (program_at, dir) = match docker {
        Ok(found) => found,
        Err(step) => return step,
    };
    let Some(program) = names.get(program_at) else {
        return Step::Skip("not a command that runs without Docker");
    };
    let from_program = || source[words[program_at].0..].to_string();

    match *program {
        "billtracker" => {
            let args: Vec<String> = names[program_at + 1..]
                .iter()
                .map(|a| a.to_string())
                .collect();
            if let Some(op) = args.iter().find(|a| SHELL_OPERATORS.contains(&a.as_str())) {
                return Step::Invalid(format!(
                    "a CLI line with the shell operator {op:?}: put it in a script block \
                     or end it with `# {SKIP_MARKER}`"
                ));
            }
            if args.first().map(String::as_str) == Some("run-all") {
                return Step::Skip("runs until stopped");
            }
            Step::Cli(args)
        }
        "curl" if source.contains("127.0.0.1:3030") => Step::Shell {
            text: from_program(),
            dir,
        },
        "curl" if source.contains(":8055") => Step::Skip("the docs container does not run here"),
        "curl" => Step::Skip("another host"),
        tool if HOST_TOOLS.contains(&tool) => Step::Shell {
            text: from_program(),
            dir,
        },
        _ => Step::Skip("needs Docker or the operator's host"),
    }
}

/// The placeholders (`<id>`, `<name>`) in a text.
fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close)
                if close > 0
                    && after[..close].starts_with(|c: char| c.is_ascii_lowercase())
                    && after[..close].chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || " -".contains(c)
                    }) =>
            {
                found.push(after[..close].to_string());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// Replaces `/data` (a whole path or its start) with the suite's data
/// directory, and the web port 3030 with the suite's port.
fn rewrite(text: &str, suite: &Suite) -> String {
    let data = suite.data_dir().display().to_string();
    assert!(
        !data.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)),
        "the temporary data directory needs no quoting: {data}"
    );
    let mut out = String::new();
    let mut copied = 0;
    for (at, _) in text.match_indices("/data") {
        let before = text[..at].chars().next_back();
        let after = text[at + "/data".len()..].chars().next();
        let starts = before.is_none_or(|c| c.is_whitespace() || "'\"=:".contains(c));
        let ends = after.is_none_or(|c| c.is_whitespace() || "/'\"".contains(c));
        if starts && ends {
            out.push_str(&text[copied..at]);
            out.push_str(&data);
            copied = at + "/data".len();
        }
    }
    out.push_str(&text[copied..]);
    out.replace("127.0.0.1:3030", &format!("127.0.0.1:{}", suite.port))
}

fn text_of(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A real id for `<id>`: the newest failed job for the queue commands, else
/// the newest backup.
fn real_id(suite: &Suite, command: &Command) -> Result<String, String> {
    let queue =
        matches!(&command.step, Step::Cli(args) if args.first().is_some_and(|a| a == "queue"));
    let (args, what): (&[&str], &str) = if queue {
        (
            &["queue", "list", "--state", "failed", "--json"],
            "a failed job",
        )
    } else {
        (&["backup", "list", "--json"], "a backup")
    };
    let list: Value = serde_json::from_slice(&suite.ctl(args).stdout)
        .map_err(|e| format!("`billtracker {}` printed no JSON: {e}", args.join(" ")))?;
    list.get(0)
        .and_then(|item| item["id"].as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("no {what} to fill in <id> with"))
}

/// Fills in the placeholders of a command with real values.
fn fill(suite: &Suite, command: &Command) -> Result<Step, String> {
    let text = match &command.step {
        Step::Cli(args) => args.join(" "),
        Step::Shell { text, .. } | Step::Script(text) => text.clone(),
        other => return Ok(other.clone()),
    };
    let wanted = placeholders(&text);
    if let Some(unknown) = wanted.iter().find(|p| *p != "id") {
        return Err(format!(
            "the placeholder <{unknown}> has no value in this test: use <id>, teach the test, \
             or end the line with `# {SKIP_MARKER}`"
        ));
    }
    if wanted.is_empty() {
        return Ok(command.step.clone());
    }
    let id = real_id(suite, command)?;
    Ok(match &command.step {
        Step::Cli(args) => Step::Cli(args.iter().map(|a| a.replace("<id>", &id)).collect()),
        Step::Shell { text, dir } => Step::Shell {
            text: text.replace("<id>", &id),
            dir: dir.clone(),
        },
        Step::Script(text) => Step::Script(text.replace("<id>", &id)),
        other => other.clone(),
    })
}

fn bash(suite: &Suite, script: &str, options: &str, dir: Option<&str>) -> Output {
    let dir = match dir {
        Some(dir) => PathBuf::from(rewrite(dir, suite)),
        None => suite.dir.path().to_path_buf(),
    };
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("set {options}\n{}", rewrite(script, suite)))
        .current_dir(dir)
        .output()
        .expect(
            "run bash (curl, sqlite3 and the coreutils must be installed; .ci/run installs them)",
        )
}

/// Runs one command; the error says what went wrong.
fn run(suite: &Suite, command: &Command) -> Result<(), String> {
    let output = match fill(suite, command)? {
        Step::Cli(args) => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            suite.ctl(&args)
        }
        Step::Shell { text, dir } => bash(suite, &text, "-o pipefail", dir.as_deref()),
        Step::Script(text) => bash(suite, &text, "-euo pipefail", None),
        Step::Skip(_) => return Ok(()),
        Step::Invalid(reason) => return Err(reason),
    };
    let (stdout, stderr) = text_of(&output);
    if !output.status.success() {
        return Err(format!(
            "exited with {:?}\nstdout: {stdout}\nstderr: {stderr}",
            output.status.code()
        ));
    }
    let mut rest = stdout.as_str();
    for expected in &command.expect {
        match rest.find(expected.as_str()) {
            Some(at) => rest = &rest[at + expected.len()..],
            None => {
                return Err(format!(
                    "the page says the output contains {expected:?} (in order); it was:\n{stdout}"
                ));
            }
        }
    }
    Ok(())
}

/// Two jobs that failed, for the page's `queue show|retry|kill <id>`.
fn fail_two_jobs(suite: &Suite) {
    let probe = suite.ctl(&[
        "queue", "probe", "--queue", "sync", "--count", "2", "--wait", "30",
    ]);
    assert!(probe.status.success(), "{:?}", text_of(&probe));
    let done = suite.ctl_json(&[
        "queue", "list", "--queue", "sync", "--state", "done", "--limit", "2", "--json",
    ]);
    let ids: Vec<&str> = done
        .as_array()
        .expect("a list of jobs")
        .iter()
        .filter_map(|job| job["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{done}");
    let queue = suite.queue();
    for id in ids {
        queue
            .execute(
                r#"
                UPDATE Jobs
                SET status = 'Failed',
                    last_result = '{"Err":"failed on purpose by the runbook test"}'
                WHERE id = ?1
                "#,
                [id],
            )
            .expect("mark the job failed");
    }
}

#[test]
fn every_runnable_command_of_the_runbook_works_against_the_real_suite() {
    let mut suite = Suite::new();
    suite.set_env("ADMIN_USERNAME", "admin");
    suite.set_env("ADMIN_PASSWORD", "correct-horse-battery");
    suite.start_all();
    assert!(
        suite.wait_for_web(Duration::from_secs(20)),
        "{}",
        suite.all_logs()
    );
    assert!(
        suite.wait_until_up(
            &["web", "sync-worker", "notifier", "janitor"],
            Duration::from_secs(20)
        ),
        "{}",
        suite.all_logs()
    );
    fail_two_jobs(&suite);

    let mut ran: BTreeMap<&str, usize> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for page in PAGES {
        for command in commands(page, &read_page(page)) {
            if let Step::Skip(why) = command.step {
                *skipped.entry(why).or_default() += 1;
                continue;
            }
            *ran.entry(page).or_default() += 1;
            if let Err(error) = run(&suite, &command) {
                failures.push(format!(
                    "{}\n  {}",
                    command.place(),
                    error.replace('\n', "\n  ")
                ));
            }
        }
    }
    eprintln!("runbook commands run per page: {ran:?}; skipped, by reason: {skipped:?}");

    assert!(
        failures.is_empty(),
        "{} documented command(s) failed:\n\n{}\n\nlogs:\n{}",
        failures.len(),
        failures.join("\n\n"),
        suite.all_logs()
    );
    for page in PAGES {
        assert!(
            ran.get(page).copied().unwrap_or(0) >= 3,
            "{page}: too few commands were run ({ran:?}); did the extraction break?"
        );
    }
}

/// The command of a page with this source, or a panic naming the page.
fn documented<'a>(all: &'a [Command], page: &str, source: &str) -> &'a Command {
    all.iter()
        .find(|c| c.page == page && c.source == source)
        .unwrap_or_else(|| panic!("{page} no longer shows `{source}` in an sh code block"))
}

#[test]
fn the_runbook_shows_the_checks_operators_rely_on() {
    let all: Vec<Command> = PAGES
        .iter()
        .flat_map(|page| commands(page, &read_page(page)))
        .collect();
    let index = "operations/index.md";

    // Run by the test above.
    for source in [
        "curl -fsSI http://127.0.0.1:3030/",
        "curl -fsS http://127.0.0.1:3030/api/about",
        "curl -fsS http://127.0.0.1:3030/api/health",
        "curl -fsS http://127.0.0.1:3030/api/auth/mode",
        "docker exec bill-tracker billtracker status",
        "docker exec bill-tracker billtracker db check",
        "docker exec bill-tracker billtracker backup create",
        "docker exec bill-tracker sqlite3 /data/db/bills.db 'PRAGMA integrity_check;'",
        "docker compose run --rm --no-deps web billtracker backup restore <id>",
    ] {
        let command = documented(&all, index, source);
        assert!(
            !matches!(command.step, Step::Skip(_) | Step::Invalid(_)),
            "{} is not run: {:?}",
            command.place(),
            command.step
        );
    }
    for (page, source) in [
        (
            "operations/backups.md",
            "docker exec bill-tracker billtracker backup verify <id>",
        ),
        (
            "operations/backups.md",
            "docker exec -w /data/backups bill-tracker sha256sum -c <id>.sha256",
        ),
        (
            "operations/backups.md",
            "docker compose run --rm --no-deps web billtracker backup restore <id>",
        ),
        (
            "operations/upgrade.md",
            "docker exec bill-tracker billtracker db version",
        ),
    ] {
        let command = documented(&all, page, source);
        assert!(
            matches!(command.step, Step::Cli(_) | Step::Shell { .. }),
            "{}",
            command.place()
        );
    }

    // Not run here (no Docker engine, no docs server), but on the page.
    for source in [
        "curl -fsSI http://127.0.0.1:8055/",
        "docker restart billtracker-docs",
        "docker ps --filter name=bill-tracker",
        "docker logs --tail 100 bill-tracker",
        "docker logs --since 30m bill-tracker",
        "docker compose pull",
        "docker compose up -d",
    ] {
        let command = documented(&all, index, source);
        assert!(matches!(command.step, Step::Skip(_)), "{}", command.place());
    }
    assert!(
        all.iter().any(|c| c.page == index
            && c.source.contains("mkdocs-material")
            && c.source.contains("build --strict")),
        "the runbook checks the docs with `mkdocs build --strict` before a restart"
    );
    assert!(
        all.iter()
            .any(|c| matches!(c.step, Step::Script(_)) && c.expect == ["204", "403"]),
        "the CSRF check runs as one script and expects 204, then 403"
    );
}

#[test]
fn the_extraction_reads_each_kind_of_line() {
    let page = "\
Prose with `docker exec bill-tracker billtracker status` inline is not taken.

```sh
docker exec bill-tracker billtracker db check    # expect: ok
docker exec -w /data/backups bill-tracker sha256sum -c <id>.sha256
docker compose run --rm --no-deps web billtracker backup list --json
curl -fsS http://127.0.0.1:3030/api/about    # expect: \"name\":\"BillTracker\"
curl -fsSI http://127.0.0.1:8055/
docker run --rm -v vol:/data \\
  debian:bookworm-slim \\
  tar -C /data -czf x.tar.gz db
docker exec -it bill-tracker billtracker status
billtracker user reset-password <name>    # not run in tests
billtracker status | head -3
```

```text
billtracker db check
```

<!-- runbook-test: script -->
```sh
T=$(curl -fsS http://127.0.0.1:3030/api/auth/csrf-token)
echo \"$T\"    # expect: token
```
";
    let found = commands("example.md", page);
    let steps: Vec<&Step> = found.iter().map(|c| &c.step).collect();
    assert_eq!(
        steps,
        [
            &Step::Cli(vec!["db".into(), "check".into()]),
            &Step::Shell {
                text: "sha256sum -c <id>.sha256".into(),
                dir: Some("/data/backups".into())
            },
            &Step::Cli(vec!["backup".into(), "list".into(), "--json".into()]),
            &Step::Shell {
                text: "curl -fsS http://127.0.0.1:3030/api/about".into(),
                dir: None
            },
            &Step::Skip("the docs container does not run here"),
            &Step::Skip("needs Docker or the operator's host"),
            &Step::Skip("needs a terminal"),
            &Step::Skip("marked as not run in tests"),
            &Step::Invalid(
                "a CLI line with the shell operator \"|\": put it in a script block or end it \
                 with `# not run in tests`"
                    .into()
            ),
            &Step::Script(
                "T=$(curl -fsS http://127.0.0.1:3030/api/auth/csrf-token)\n\
                 echo \"$T\"    # expect: token"
                    .into()
            ),
        ]
    );
    assert_eq!(found[0].expect, ["ok"]);
    assert_eq!(found[3].expect, ["\"name\":\"BillTracker\""]);
    assert_eq!(
        found[5].line, 9,
        "a continued line counts from its first line"
    );
    assert_eq!(found[9].expect, ["token"]);
    assert_eq!(
        placeholders("restore <id> and <pre-upgrade id>, not 2>&1"),
        ["id", "pre-upgrade id"]
    );
}

#[test]
fn a_command_the_cli_no_longer_has_fails_the_test() {
    // No process needs to run: the CLI refuses an unknown subcommand itself.
    let suite = Suite::new();
    let page = "```sh\ndocker exec bill-tracker billtracker db chek    # expect: ok\n```\n";
    let command = commands("example.md", page).remove(0);
    let error = run(&suite, &command).expect_err("a misspelt subcommand must fail");
    assert!(error.contains("exited with Some(2)"), "{error}");

    let page = "```sh\ncurl -fsS http://127.0.0.1:3030/api/health\n```\n";
    let command = commands("example.md", page).remove(0);
    assert!(
        run(&suite, &command).is_err(),
        "nothing listens on the suite's port, so curl fails"
    );
}
