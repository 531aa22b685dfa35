//! GPUs and AI accelerators from the catalogue `data/kb/gpus.tsv`: no NER data set has a
//! GPU type, so products are found by patterns built from the catalogue's aliases.

use crate::{Error, Result};
use regex::Regex;
use std::collections::HashMap;

/// One catalogue row.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuEntry {
    pub id: String,
    pub vendor: String,
    pub family: String,
    pub model: String,
    pub kind: String,
}

/// A GPU found in a text (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub struct GpuMention {
    pub entry: usize,
    pub start: usize,
    pub end: usize,
    pub surface: String,
}

pub struct GpuCatalog {
    pub entries: Vec<GpuEntry>,
    re: Regex,
    /// normalized alias -> (entry, needs a chip word in the sentence)
    aliases: HashMap<String, (usize, bool)>,
    context: Regex,
}

const BUILTIN: &str = include_str!("../../../data/kb/gpus.tsv");

/// Variant suffixes that keep the canonical model: form factors, memory sizes, rack
/// configurations, plurals, mobile versions.
const SUFFIX: &str =
    r"(?:[\s\-]?(?:SXM\d?|PCIe|NVL\d*|\d{2,3}\s?(?:Go|GB|Gb|Gio)|HBM3e?|mobile|Mobile|Laptop(?:\s+GPU)?|Max-Q))*(?:s|’s|'s)?";

/// Words that make an ambiguous alias (Ampere, Ada, T4, Arc...) a chip.
const CONTEXT: &str = r"(?i)\b(?:gpus?|puces?|chips?|nvidia|amd|intel|huawei|graphi\w*|accélérateurs?|accelerators?|geforce|rtx|radeon|cuda|tpus?|processeurs? graphiques?|cartes? graphiques?|superchips?|architecture|datacenter|data center|centres? de (?:données|calcul)|supercalculateurs?|supercomputers?|inférence|inference|entraînement|training)\b";

fn key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn alias_pattern(alias: &str) -> String {
    let parts: Vec<String> = alias.split([' ', '-']).filter(|p| !p.is_empty()).map(regex::escape).collect();
    let body = parts.join(r"[\s\-]?");
    if alias.chars().any(|c| c.is_ascii_digit()) {
        format!("(?i:{body})")
    } else {
        body
    }
}

impl GpuCatalog {
    pub fn builtin() -> Self {
        Self::try_builtin().expect("data/kb/gpus.tsv is valid (checked by a test)")
    }

    /// [`GpuCatalog::builtin`], or an [`Error::Builtin`] when the catalogue built into
    /// this binary does not parse (a broken build).
    pub fn try_builtin() -> Result<Self> {
        Self::parse(BUILTIN).map_err(|e| Error::builtin("GPU catalogue", e))
    }

    /// A catalogue in the layout of `data/kb/gpus.tsv`; the error names the line.
    pub fn parse(tsv: &str) -> Result<Self> {
        let mut entries = Vec::new();
        let mut aliases: HashMap<String, (usize, bool)> = HashMap::new();
        let mut alts: Vec<(String, String)> = Vec::new();
        for (line, c) in super::tsv::rows(tsv, "gpus.tsv", 6)? {
            let idx = entries.len();
            entries.push(GpuEntry { id: c[0].into(), vendor: c[1].into(), family: c[2].into(), model: c[3].into(), kind: c[4].into() });
            for a in c[5].split('|').filter(|a| !a.is_empty()) {
                let (needs, a) = match a.strip_prefix('?') {
                    Some(rest) => (true, rest),
                    None => (false, a),
                };
                if let Some((prev, _)) = aliases.insert(key(a), (idx, needs)) {
                    if prev != idx {
                        let message = format!("alias {a:?} also names {}", entries[prev].id);
                        return Err(Error::Data { file: "gpus.tsv".into(), line, message });
                    }
                }
                alts.push((a.to_string(), alias_pattern(a)));
            }
        }
        // longest aliases first: "RTX 5070 Ti" before "RTX 5070", "Blackwell Ultra" before "Blackwell"
        alts.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
        let body: Vec<&str> = alts.iter().map(|(_, p)| p.as_str()).collect();
        let re = Regex::new(&format!(r"\b(?P<m>{})(?P<suf>{SUFFIX})\b", body.join("|"))).map_err(|source| Error::Pattern {
            file: "gpus.tsv".into(),
            line: None,
            source,
        })?;
        Ok(GpuCatalog { entries, re, aliases, context: Regex::new(CONTEXT).expect("static regex") })
    }

    /// Every GPU mention in `text`.
    pub fn find(&self, text: &str) -> Vec<GpuMention> {
        let mut out = Vec::new();
        for c in self.re.captures_iter(text) {
            let m = c.name("m").expect("group m");
            let Some(&(entry, needs_context)) = self.aliases.get(&key(m.as_str())) else { continue };
            // a company, not a chip: "Ampere Computing"
            if text[m.end()..].trim_start().starts_with("Computing") {
                continue;
            }
            if needs_context && !self.context.is_match(sentence_around(text, m.start(), m.end())) {
                continue;
            }
            let whole = c.get(0).expect("group 0");
            let surface = whole.as_str().trim_end_matches("'s").trim_end_matches("’s").to_string();
            out.push(GpuMention { entry, start: whole.start(), end: whole.start() + surface.len(), surface });
        }
        out
    }
}

/// The sentence holding `[a, b)`: up to the nearest `.`, `!`, `?` or line break.
fn sentence_around(text: &str, a: usize, b: usize) -> &str {
    let start = text[..a].rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1);
    let end = text[b..].find(['.', '!', '?', '\n']).map_or(text.len(), |i| b + i);
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_rows_name_their_line() {
        let e = GpuCatalog::parse("id\tvendor\tfamily\tmodel\tkind\taliases\ngpu:x\tX\tF\tM\tgpu\n").err().expect("five columns");
        assert!(matches!(e, Error::Data { line: 2, .. }), "{e}");
        assert_eq!(e.to_string(), "gpus.tsv:2: expected 6 columns, found 5");
        assert!(GpuCatalog::try_builtin().is_ok());
    }

    fn ids(text: &str) -> Vec<String> {
        let c = GpuCatalog::builtin();
        c.find(text).iter().map(|m| c.entries[m.entry].id.clone()).collect()
    }

    #[test]
    fn finds_the_issue_forms_in_french_and_english() {
        assert_eq!(ids("Des H100 SXM5 80 Go et des H100s loués à la demande"), vec!["gpu:nvidia-h100", "gpu:nvidia-h100"]);
        assert_eq!(ids("a GB200 NVL72 rack"), vec!["gpu:nvidia-gb200"]);
        assert_eq!(ids("la RTX 5070 mobile et la GeForce RTX 5070 Ti"), vec!["gpu:nvidia-rtx-5070", "gpu:nvidia-rtx-5070-ti"]);
        assert_eq!(ids("AMD's Instinct MI325X and the MI355X"), vec!["gpu:amd-mi325x", "gpu:amd-mi355x"]);
        assert_eq!(ids("Google’s Ironwood TPU and TPU v5p"), vec!["gpu:google-ironwood", "gpu:google-tpu", "gpu:google-tpu-v5p"]);
        assert_eq!(ids("Nvidia's Blackwell Ultra"), vec!["gpu:nvidia-arch-blackwell"]);
        assert_eq!(ids("Trainium2 et Gaudi 3"), vec!["gpu:aws-trainium2", "gpu:intel-gaudi-3"]);
    }

    #[test]
    fn ambiguous_names_need_a_chip_context_and_non_gpus_are_ignored() {
        assert!(ids("Ampere Computing a été rachetée par SoftBank").is_empty());
        assert!(ids("Ada a visité Paris.").is_empty());
        assert_eq!(ids("l'architecture Ampere de Nvidia"), vec!["gpu:nvidia-arch-ampere"]);
        assert!(ids("The Core Ultra 9 288V laptop, GPT-5 and Claude Sonnet 4.5 on an iPhone 16 with a 4K monitor").is_empty());
        assert!(ids("He drove a T4 van").is_empty());
        assert_eq!(ids("inference on a T4 GPU"), vec!["gpu:nvidia-t4"]);
    }
}
