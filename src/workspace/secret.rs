//! Secrets (passwords, tokens, sensitive header values) that must never be written to disk.
//!
//! A secret is either a reference to an environment variable (`env:NAME`), which is saved as
//! that reference, or a value typed in this session, which lives in memory only and is saved
//! as nothing at all.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub enum Secret {
    #[default]
    Empty,
    /// Read from this environment variable when a request is made.
    Env(String),
    /// Typed by the user; kept for this session only.
    Session(String),
}

impl Secret {
    /// Interprets what the user typed: `env:NAME` is a reference, anything else a value.
    pub fn from_input(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() {
            Self::Empty
        } else if let Some(name) = text.strip_prefix("env:") {
            Self::Env(name.trim().to_owned())
        } else {
            Self::Session(text.to_owned())
        }
    }

    /// The text to show in an edit field: the reference, or the typed value.
    pub fn input_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Env(name) => format!("env:{name}"),
            Self::Session(value) => value.clone(),
        }
    }

    /// The value to send, if there is one.
    pub fn resolve(&self) -> Result<Option<String>, String> {
        match self {
            Self::Empty => Ok(None),
            Self::Session(v) => Ok(Some(v.clone())),
            Self::Env(name) => std::env::var(name)
                .map(Some)
                .map_err(|_| format!("environment variable {name} is not set")),
        }
    }

    pub fn is_session_only(&self) -> bool {
        matches!(self, Self::Session(_))
    }
}

/// Never prints the value, so a secret cannot leak through a log line.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Secret::Empty"),
            Self::Env(name) => write!(f, "Secret::Env({name})"),
            Self::Session(_) => f.write_str("Secret::Session(<redacted>)"),
        }
    }
}

/// Saved as `"env:NAME"`, or `""` for an empty or session-only secret.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Env(name) => s.serialize_str(&format!("env:{name}")),
            Self::Empty | Self::Session(_) => s.serialize_str(""),
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A literal value in a file was put there by hand: it is honoured for this session and
        // never written back.
        Ok(Self::from_input(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_reference_is_kept_and_session_value_is_not_serialized() {
        assert_eq!(
            ron::to_string(&Secret::from_input("env:PROM_TOKEN")).unwrap(),
            "\"env:PROM_TOKEN\""
        );
        assert_eq!(
            ron::to_string(&Secret::from_input("hunter2")).unwrap(),
            "\"\""
        );
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::from_input("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn missing_environment_variable_is_a_clear_error() {
        let s = Secret::Env("SIGNALSCOPE_TEST_SURELY_UNSET".into());
        assert_eq!(
            s.resolve().unwrap_err(),
            "environment variable SIGNALSCOPE_TEST_SURELY_UNSET is not set"
        );
    }
}
