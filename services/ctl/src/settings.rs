//! The settings of a command line as clap describes them: each argument
//! that has an environment variable, with its value and where it came from.
//!
//! Read from clap's own description of the arguments, so a setting added to
//! any process shows up in `config check` and reaches the processes of
//! `run-all` without a second list.

use std::ffi::OsString;

use clap::parser::ValueSource;
use serde::Serialize;

/// One environment variable as the processes would read it now.
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub name: String,
    /// The value, `None` when unset.
    pub value: Option<String>,
    /// `environment`, `flag`, `default` or `unset`.
    pub source: &'static str,
    /// Declared with hidden values (a key, a password, a client secret).
    #[serde(skip)]
    pub secret: bool,
}

impl Setting {
    /// The setting as it may be shown: a secret's value reads "set (redacted)".
    pub fn redacted(self) -> Setting {
        if self.secret && self.value.is_some() {
            Setting {
                value: Some("set (redacted)".to_string()),
                ..self
            }
        } else {
            self
        }
    }
}

/// Every argument of `command` and of the subcommands chosen in `args` that
/// has an environment variable, in the order of `--help`, with raw values.
pub fn read(command: clap::Command, args: impl IntoIterator<Item = OsString>) -> Vec<Setting> {
    // The arguments were parsed once already, so this cannot fail in practice.
    let Ok(matches) = command.clone().try_get_matches_from(args) else {
        return Vec::new();
    };

    let mut scopes = vec![(command, matches)];
    while let Some((command, matches)) = scopes.last() {
        let Some((name, sub_matches)) = matches.subcommand() else {
            break;
        };
        let Some(sub_command) = command.find_subcommand(name) else {
            break;
        };
        scopes.push((sub_command.clone(), sub_matches.clone()));
    }

    let mut settings = Vec::new();
    for (command, matches) in &scopes {
        for arg in command.get_arguments() {
            let Some(env) = arg.get_env() else { continue };
            let id = arg.get_id().as_str();
            let value = matches.get_raw(id).map(|values| {
                values
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            let source = match matches.value_source(id) {
                Some(ValueSource::EnvVariable) => "environment",
                Some(ValueSource::CommandLine) => "flag",
                Some(ValueSource::DefaultValue) => "default",
                _ => "unset",
            };
            settings.push(Setting {
                name: env.to_string_lossy().into_owned(),
                value,
                source,
                secret: arg.is_hide_env_values_set(),
            });
        }
    }
    settings
}
