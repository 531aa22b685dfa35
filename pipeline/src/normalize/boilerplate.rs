//! Feed boilerplate lines ("Lire la suite", "[…]", paywall notices), from the list in
//! `data/boilerplate.txt`.

use crate::{Error, Result};
use regex::{Regex, RegexSet};

/// Whole-line and end-of-line boilerplate patterns.
pub struct Boilerplate {
    lines: RegexSet,
    tails: Vec<Regex>,
    /// the tails in one set: a line none of them matches (nearly all) is searched once
    any_tail: RegexSet,
}

const BUILTIN: &str = include_str!("../../../data/boilerplate.txt");

impl Boilerplate {
    /// The list shipped in `data/boilerplate.txt`.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN).expect("data/boilerplate.txt is valid (checked by a test)")
    }

    /// Parses a list: one regex a line, `#` comments, `tail ` for end-of-line patterns.
    pub fn parse(list: &str) -> Result<Self> {
        let mut lines = Vec::new();
        let mut tails = Vec::new();
        for (i, raw) in list.lines().enumerate() {
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let err = |source| Error::Pattern { file: "boilerplate".into(), line: Some(i + 1), source };
            if let Some(t) = l.strip_prefix("tail ") {
                tails.push(Regex::new(&format!("(?i){}", t.trim())).map_err(err)?);
            } else {
                Regex::new(l).map_err(err)?;
                lines.push(format!("(?i)^(?:{l})$"));
            }
        }
        let lines = RegexSet::new(&lines).map_err(|source| Error::Pattern { file: "boilerplate".into(), line: None, source })?;
        let any_tail = RegexSet::new(tails.iter().map(Regex::as_str)).map_err(|source| Error::Pattern {
            file: "boilerplate".into(),
            line: None,
            source,
        })?;
        Ok(Boilerplate { lines, tails, any_tail })
    }

    /// Drops boilerplate lines and strips boilerplate line endings; keeps paragraph
    /// breaks.
    pub fn strip(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut pending_break = "";
        for line in text.split('\n') {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                if !out.is_empty() {
                    pending_break = "\n\n";
                }
                continue;
            }
            if self.lines.is_match(trimmed) {
                continue;
            }
            // when no tail matches the line, none is cut and none matches what is left
            let kept: std::borrow::Cow<str> = if self.any_tail.is_match(trimmed) {
                let mut kept = trimmed.to_string();
                for t in &self.tails {
                    if let Some(m) = t.find(&kept) {
                        kept.truncate(m.start());
                    }
                }
                kept.into()
            } else {
                trimmed.into()
            };
            let kept = kept.trim_end();
            if kept.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push_str(if pending_break.is_empty() { "\n" } else { pending_break });
            }
            pending_break = "";
            out.push_str(kept);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_pattern_names_its_line_and_keeps_the_regex_error() {
        use std::error::Error as _;
        let e = Boilerplate::parse("# list\nLire la suite\ntail (unclosed\n").err().expect("unclosed group");
        assert!(matches!(e, Error::Pattern { line: Some(3), .. }), "{e}");
        assert!(e.to_string().starts_with("boilerplate:3: "), "{e}");
        assert!(e.source().is_some_and(|s| s.is::<regex::Error>()));
    }

    #[test]
    fn drops_the_issue_examples() {
        let b = Boilerplate::builtin();
        let text = "Nvidia a présenté Blackwell.\nLire la suite\n[…]\nRead more of this story at Slashdot.\n© Site. 2025\nIl reste 88% de l'article à découvrir\n\nOpenAI répond. Lire la suite »";
        assert_eq!(b.strip(text), "Nvidia a présenté Blackwell.\n\nOpenAI répond.");
    }

    #[test]
    fn keeps_ordinary_sentences_that_mention_the_words() {
        let b = Boilerplate::builtin();
        let text = "Il faut lire la suite du rapport pour comprendre.\nThe share price fell 5%.";
        assert_eq!(b.strip(text), text);
    }
}
