//! GPUs and AI accelerators from the catalogue `data/kb/gpus.tsv`: no NER data set has a
//! GPU type, so products are found by patterns built from the catalogue's aliases, and
//! members of the catalogue's numbered families that it does not list (a prototype "GTX
//! 2080 Ti", next year's "MI600X") by family patterns with the catalogue's id scheme.

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

/// A GPU found in a text (byte offsets): a catalogue entry, or one made by a family
/// pattern (`catalogued` false) with the id the catalogue would give it.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuMention {
    pub gpu: GpuEntry,
    pub catalogued: bool,
    pub start: usize,
    pub end: usize,
    pub surface: String,
}

pub struct GpuCatalog {
    pub entries: Vec<GpuEntry>,
    re: Regex,
    /// normalized alias -> (entry, needs a chip word in the sentence)
    aliases: HashMap<String, (usize, bool)>,
    /// catalogue id -> entry
    ids: HashMap<String, usize>,
    families: Vec<Family>,
    context: Regex,
}

/// A numbered product family: its pattern (named groups `n` for the number, `x` for
/// the letters that follow) and how a member is named.
struct Family {
    re: Regex,
    vendor: &'static str,
    family: &'static str,
    kind: &'static str,
    /// (id, model) of the member matched, `None` when the match is not one
    member: fn(&regex::Captures<'_>) -> Option<(String, String)>,
    /// found only with a chip word in the sentence (short codes such as "B400")
    needs_context: bool,
}

/// The letters after a model number, normalized: "Ti Super" -> ["Ti", "Super"].
fn suffix_words(c: &regex::Captures<'_>) -> Vec<String> {
    let x = c.name("x").map_or("", |m| m.as_str());
    x.split([' ', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| if w.eq_ignore_ascii_case("super") { "Super".into() } else { w.to_string() })
        .collect()
}

fn families() -> Vec<Family> {
    let f = |re: &str, vendor, family, kind, member| Family {
        re: Regex::new(&format!(r"\b(?P<m>{re})(?P<suf>{SUFFIX})\b")).expect("static regex"),
        vendor,
        family,
        kind,
        member,
        needs_context: false,
    };
    let in_context = |re: &str, vendor, family, kind, member| Family { needs_context: true, ..f(re, vendor, family, kind, member) };
    vec![
        // GeForce RTX/GTX + 3-4 digits + Ti/Super/D
        f(
            r"(?P<geforce>GeForce\s+)?(?P<line>RTX|GTX)[\s\-]?(?P<n>\d{3,4})(?P<x>(?:[\s\-]?(?:Ti|Super|SUPER|D)\b)*)",
            "Nvidia",
            "GeForce",
            "gpu",
            |c| {
                // GeForce model numbers end in 0 ("RTX 4090", "GTX 980"): "GTX 2024" is a car's trim
                if c.name("geforce").is_none() && !c["n"].ends_with('0') {
                    return None;
                }
                let line = &c["line"];
                let words = suffix_words(c);
                let id = format!(
                    "gpu:nvidia-{}-{}{}",
                    line.to_lowercase(),
                    &c["n"],
                    words.iter().map(|w| format!("-{}", w.to_lowercase())).collect::<String>()
                );
                let model = format!("GeForce {line} {}{}", &c["n"], words.iter().map(|w| format!(" {w}")).collect::<String>());
                Some((id, model))
            },
        ),
        // Instinct MI + 3 digits + a letter (MI325X)
        f(r"(?:Instinct\s+)?MI[\s\-]?(?P<n>\d{3})(?P<x>[A-Z]?)", "AMD", "Instinct", "accelerator", |c| {
            let (n, x) = (&c["n"], &c["x"]);
            Some((format!("gpu:amd-mi{n}{}", x.to_lowercase()), format!("Instinct MI{n}{x}")))
        }),
        // Radeon RX + 4 digits (3 only after "Radeon": "RX100" is a camera) + XT/XTX/GRE
        f(r"(?P<radeon>Radeon\s+)?RX[\s\-]?(?P<n>\d{3,4})(?P<x>(?:\s?(?:XTX|XT|GRE)\b)?)", "AMD", "Radeon", "gpu", |c| {
            let n = &c["n"];
            if n.len() == 3 && c.name("radeon").is_none() {
                return None;
            }
            let words = suffix_words(c);
            let id = format!("gpu:amd-rx-{n}{}", words.iter().map(|w| format!("-{}", w.to_lowercase())).collect::<String>());
            Some((id, format!("Radeon RX {n}{}", words.iter().map(|w| format!(" {w}")).collect::<String>())))
        }),
        // Gaudi + generation
        f(r"Gaudi[\s\-]?(?P<n>\d)", "Intel", "Gaudi", "accelerator", |c| {
            Some((format!("gpu:intel-gaudi-{}", &c["n"]), format!("Gaudi {}", &c["n"])))
        }),
        // TPU v + generation + variant letter
        f(r"TPU[\s\-]?v(?P<n>\d{1,2})(?P<x>[a-z]?)", "Google", "TPU", "tpu", |c| {
            let (n, x) = (&c["n"], &c["x"]);
            Some((format!("gpu:google-tpu-v{n}{x}"), format!("TPU v{n}{x}")))
        }),
        // Ascend + 3 digits + up to two letters (910C, 950PR); Huawei's old phones were "Ascend P7"
        f(r"Ascend[\s\-]?(?P<n>\d{3})(?P<x>[A-Z]{0,2})", "Huawei", "Ascend", "accelerator", |c| {
            let (n, x) = (&c["n"], &c["x"]);
            Some((format!("gpu:huawei-ascend-{n}{}", x.to_lowercase()), format!("Ascend {n}{x}")))
        }),
        // AWS Trainium and Inferentia generations
        f(r"(?P<line>Trainium|Inferentia)[\s\-]?(?P<n>\d)", "AWS", "Trainium", "accelerator", |c| {
            let (line, n) = (&c["line"], &c["n"]);
            Some((format!("gpu:aws-{}{n}", line.to_lowercase()), format!("{line}{n}")))
        }),
        // Cerebras Wafer Scale Engine generations
        f(r"(?:WSE|Wafer[\s\-]Scale[\s\-]Engine)[\s\-]?(?P<n>\d)", "Cerebras", "WSE", "accelerator", |c| {
            Some((format!("gpu:cerebras-wse-{}", &c["n"]), format!("WSE-{}", &c["n"])))
        }),
        // Microsoft Maia + 3 digits (Maia 100, 200)
        f(r"Maia[\s\-]?(?P<n>\d{3})", "Microsoft", "Maia", "accelerator", |c| {
            Some((format!("gpu:microsoft-maia-{}", &c["n"]), format!("Maia {}", &c["n"])))
        }),
        // Meta's MTIA generations (MTIA v2, MTIA 2i)
        f(r"MTIA[\s\-]?v?(?P<n>\d)(?P<x>[a-z]?)", "Meta", "MTIA", "accelerator", |c| {
            let (n, x) = (&c["n"], &c["x"]);
            Some((format!("gpu:meta-mtia-v{n}{x}"), format!("MTIA v{n}{x}")))
        }),
        // Intel Arc + series letter + 3 digits (A770, B580)
        f(r"Arc[\s\-]?(?P<l>[AB])(?P<n>\d{3})", "Intel", "Arc", "gpu", |c| {
            let (l, n) = (&c["l"], &c["n"]);
            Some((format!("gpu:intel-arc-{}{n}", l.to_lowercase()), format!("Arc {l}{n}")))
        }),
        // Nvidia data-centre parts: B/H + hundreds, GB/GH + hundreds (B400, H300, GB400);
        // short codes, so only beside a chip word
        in_context(r"(?P<p>GB|GH|B|H)(?P<n>[1-9]00)", "Nvidia", "data center", "gpu", |c| {
            let (p, n) = (&c["p"], &c["n"]);
            Some((format!("gpu:nvidia-{}{n}", p.to_lowercase()), format!("{p}{n}")))
        }),
    ]
}

const BUILTIN: &str = include_str!("../../../data/kb/gpus.tsv");

/// Variant suffixes that keep the canonical model: form factors, memory sizes, rack
/// configurations, plurals, mobile versions.
const SUFFIX: &str =
    r"(?:[\s\-]?(?:SXM\d?|PCIe|NVL\d*|\d{2,3}\s?(?:Go|GB|Gb|Gio)|HBM3e?|mobile|Mobile|Laptop(?:\s+GPU)?|Max-Q))*(?:s|’s|'s)?";

/// Words that make an ambiguous alias (Ampere, Ada, T4, Arc...) a chip.
const CONTEXT: &str = r"(?i)\b(?:gpus?|puces?|chips?|nvidia|amd|intel|huawei|graphi\w*|accélérateurs?|accelerators?|geforce|rtx|radeon|cuda|tpus?|processeurs? graphiques?|cartes? graphiques?|superchips?|architecture|datacenter|data center|data centres?|centres? de (?:données|calcul)|supercalculateurs?|supercomputers?|inférence|inference|entraînement|training|google|tensor processing units?|ai|ia|cloud|blackwell|hopper|pods?|racks?|serveurs?|servers?)\b";

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
        let ids = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
        Ok(GpuCatalog { entries, re, aliases, ids, families: families(), context: Regex::new(CONTEXT).expect("static regex") })
    }

    /// Every GPU mention in `text`, in text order: the catalogue's, then the members of
    /// its families that it does not list (where no catalogue mention is).
    pub fn find(&self, text: &str) -> Vec<GpuMention> {
        let mut out = self.find_catalogued(text);
        for f in &self.families {
            for c in f.re.captures_iter(text) {
                let whole = c.get(0).expect("group 0");
                let overlaps = |m: &GpuMention| m.start < whole.end() && whole.start() < m.end;
                // a longer family match wins over the family name alone ("Instinct" in
                // "Instinct MI600X"); an equal or longer catalogue match stays
                let inside = |m: &GpuMention| whole.start() <= m.start && m.end <= whole.end() && m.end - m.start < whole.len();
                if out.iter().any(|m| overlaps(m) && !inside(m)) {
                    continue;
                }
                if f.needs_context && !self.has_context(text, whole.start(), whole.end()) {
                    continue;
                }
                let Some((id, model)) = (f.member)(&c) else { continue };
                out.retain(|m| !overlaps(m));
                let surface = whole.as_str().trim_end_matches("'s").trim_end_matches("’s").to_string();
                let (gpu, catalogued) = match self.ids.get(&id) {
                    Some(&i) => (self.entries[i].clone(), true),
                    None => (GpuEntry { id, vendor: f.vendor.into(), family: f.family.into(), model, kind: f.kind.into() }, false),
                };
                out.push(GpuMention { gpu, catalogued, start: whole.start(), end: whole.start() + surface.len(), surface });
            }
        }
        out.sort_by_key(|m| m.start);
        // a family's name written before one of its members ("AMD Instinct MI450") is that member
        let generic = |m: &GpuMention| m.gpu.model == m.gpu.family;
        let named_member = |g: &GpuMention| {
            out.iter().any(|m| {
                !generic(m) && m.gpu.vendor == g.gpu.vendor && m.start >= g.start && text[g.end..m.start.max(g.end)].trim().is_empty()
            })
        };
        let drop: Vec<bool> = out.iter().map(|g| generic(g) && named_member(g)).collect();
        let mut keep = drop.iter().map(|d| !d);
        out.retain(|_| keep.next().unwrap_or(true));
        out
    }

    /// Whether the sentence of `text[a..b]` has a chip word besides the name itself
    /// ("TPU" calls for another word than "TPU"), and the name does not follow "level"
    /// (a "level L4" car drives itself).
    fn has_context(&self, text: &str, a: usize, b: usize) -> bool {
        static LEVEL: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let level = LEVEL.get_or_init(|| Regex::new(r"(?i)\b(?:level|niveau|stage|phase)[\s\-]*$").expect("static regex"));
        if level.is_match(&text[..a]) {
            return false;
        }
        let s = sentence_around(text, a, b);
        let at = s.as_ptr() as usize - text.as_ptr() as usize;
        let (before, after) = (&s[..a - at], &s[b - at..]);
        self.context.is_match(before) || self.context.is_match(after)
    }

    fn find_catalogued(&self, text: &str) -> Vec<GpuMention> {
        let mut out = Vec::new();
        for c in self.re.captures_iter(text) {
            let m = c.name("m").expect("group m");
            let Some(&(entry, needs_context)) = self.aliases.get(&key(m.as_str())) else { continue };
            // a company, not a chip: "Ampere Computing"
            if text[m.end()..].trim_start().starts_with("Computing") {
                continue;
            }
            if needs_context && !self.has_context(text, m.start(), m.end()) {
                continue;
            }
            // an ambiguous name followed by a model code no family knows is another
            // product ("Ascend P7", a phone)
            if needs_context && model_code().is_match(&text[m.end()..]) {
                continue;
            }
            let whole = c.get(0).expect("group 0");
            let surface = whole.as_str().trim_end_matches("'s").trim_end_matches("’s").to_string();
            out.push(GpuMention {
                gpu: self.entries[entry].clone(),
                catalogued: true,
                start: whole.start(),
                end: whole.start() + surface.len(),
                surface,
            });
        }
        out
    }
}

/// A model code after a name: " P7", "-G300".
fn model_code() -> &'static Regex {
    static CODE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    CODE.get_or_init(|| Regex::new(r"^[ \-]+\p{Lu}{1,2}\d").expect("static regex"))
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
        c.find(text).into_iter().map(|m| m.gpu.id).collect()
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

    /// Issue 16: members of known families the catalogue does not list get the id the
    /// catalogue would give them; listed ones keep their entry; other products stay out.
    #[test]
    fn unknown_members_of_known_families_are_found_with_normalized_ids() {
        let c = GpuCatalog::builtin();
        let found = c.find("un prototype de GTX 2080 Ti, la RTX 6090 Super, l'Instinct MI600X et la Radeon RX 580");
        let got: Vec<(&str, &str, bool)> = found.iter().map(|m| (m.gpu.id.as_str(), m.gpu.model.as_str(), m.catalogued)).collect();
        assert_eq!(
            got,
            [
                ("gpu:nvidia-gtx-2080-ti", "GeForce GTX 2080 Ti", false),
                ("gpu:nvidia-rtx-6090-super", "GeForce RTX 6090 Super", false),
                ("gpu:amd-mi600x", "Instinct MI600X", false),
                ("gpu:amd-rx-580", "Radeon RX 580", false),
            ]
        );
        assert_eq!(found[0].surface, "GTX 2080 Ti");
        assert_eq!(ids("Gaudi 4, TPU v8p and Ascend 950B chips"), ["gpu:intel-gaudi-4", "gpu:google-tpu-v8p", "gpu:huawei-ascend-950b"]);
        // a catalogued member written another way is the catalogue's entry
        let m = c.find("the RTX5090D");
        assert_eq!((m[0].gpu.id.as_str(), m[0].catalogued), ("gpu:nvidia-rtx-5090-d", true));
        // H100s in a catalogue match are not found twice; cameras, CPUs, phones, model names are no GPUs
        assert_eq!(ids("Des H100 SXM5 et des RTX 4090"), ["gpu:nvidia-h100", "gpu:nvidia-rtx-4090"]);
        assert!(ids("Sony's RX100 camera, a Ryzen 9 9950X, the MI6 agency, an iPhone 16 Pro, GPT-4o, a 27GL850 monitor").is_empty());
    }

    /// The AI accelerator families of issue 16 with their ids; look-alikes stay out.
    #[test]
    fn accelerator_families_and_their_look_alikes() {
        assert_eq!(
            ids("Ascend 950PR, Trainium4, Inferentia 3, WSE-4, Maia 300, MTIA v2 and Arc B770 chips"),
            [
                "gpu:huawei-ascend-950pr",
                "gpu:aws-trainium4",
                "gpu:aws-inferentia3",
                "gpu:cerebras-wse-4",
                "gpu:microsoft-maia-300",
                "gpu:meta-mtia-v2",
                "gpu:intel-arc-b770"
            ]
        );
        assert_eq!(ids("Nvidia's B400 GPUs and GB400 racks"), ["gpu:nvidia-b400", "gpu:nvidia-gb400"]);
        assert_eq!(ids("Oracle will deploy AMD Instinct MI450 chips"), ["gpu:amd-mi450"]);
        assert_eq!(ids("Anthropic will rent a million TPUs from Google Cloud"), ["gpu:google-tpu"]);
        for text in [
            "The B400 form and the H300 bus",
            "the GTX 2024 trim of the sedan",
            "a phone case made of TPU, a thermoplastic",
            "the Vera Rubin Observatory in Chile",
            "Ironwood, Michigan, and the Trillium hospital",
            "Nvidia's chips for level L4 driving",
            "Huawei's Ascend P7 smartphone",
        ] {
            assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
        }
    }
}
