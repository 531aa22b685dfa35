//! Entities of one article from its encoder pass: words and sentences of the text, the
//! NER head over each sentence, GPU and knowledge-base matches, then linking.

use super::gpu::GpuCatalog;
use super::kb::Kb;
use super::link::{link_typed, resolve, Candidate, Source};
use super::mention_type::MentionTyper;
use super::spans::{repair, Article};
use crate::encoder::EncodedText;
use crate::ner::{decode_spans, NerHead, Span};
use crate::ner::{gather_words, word_first_tokens};
use regex::Regex;
use std::path::Path;
use std::sync::OnceLock;
use vigie_schemas::{Entity, Mention};

/// Sentences longer than this many words are cut (the head was trained on sentences).
const MAX_SENTENCE_WORDS: usize = 120;

pub struct EntityExtractor {
    pub head: NerHead,
    pub kb: Kb,
    pub gpus: GpuCatalog,
    gazetteer: Regex,
    gazetteer_ids: std::collections::HashMap<String, usize>,
    /// [kb-scale] generated company lists, cues and the mention-type classifier
    pub typer: MentionTyper,
}

/// Words as the NER data splits them: French elisions (`l'`, `qu'`) and English
/// possessives (`'s`) apart, punctuation apart, hyphenated and dotted words kept whole
/// (whatever the hyphen: "États‑Unis" with a non-breaking one too), and the period of an
/// initial or an abbreviation kept with it as the data does ("John F. Kennedy", "M.",
/// "U.S.", "Inc."), so that such a period does not end the sentence inside a name.
pub fn words(text: &str) -> Vec<(usize, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i:\b(?:qu|[cdjlmnst])['’])|['’]s\b|\w+(?:[-\x{2010}-\x{2013}.&]\w+)*|[^\w\s]").expect("static regex")
    });
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(m) = re.find_at(text, at) {
        let end = if text[m.end()..].starts_with('.') && keeps_period(m.as_str()) { m.end() + 1 } else { m.end() };
        out.push((m.start(), end));
        at = end;
    }
    out
}

/// Abbreviations written with a period in names and titles.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Pr", "Prof", "St", "Ste", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "Bros", "Mme", "Mlle", "Me", "Mgr", "Gen",
    "Sen", "Rep", "Gov", "Lt", "Col", "Capt", "Cie",
];

/// Whether the period after `w` belongs to it: an initial ("F", "Jean-M"), a dotted
/// abbreviation ("U.S") or one of [`ABBREVIATIONS`].
fn keeps_period(w: &str) -> bool {
    let initial = |p: &str| {
        let mut c = p.chars();
        c.next().is_some_and(char::is_uppercase) && c.next().is_none()
    };
    let last = w.rsplit(['-', '\u{2010}', '\u{2011}']).next().unwrap_or(w);
    initial(last) || (w.contains('.') && w.split('.').all(|p| p.chars().count() == 1)) || ABBREVIATIONS.contains(&w)
}

/// A name's span without an adjective made of a place before it ("Guernsey-based
/// Aberdeen Retail 1 Ltd") or a year after it ("BBC 2019").
fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    static LEAD: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    static YEAR: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let lead = LEAD.get_or_init(|| Regex::new(r"^\S+-(?:based|owned|backed|listed|led|run)\s+").expect("static regex"));
    let year = YEAR.get_or_init(|| Regex::new(r"\s+(?:19|20)\d\d$").expect("static regex"));
    let s = &text[start..end];
    let a = lead.find(s).map_or(0, |m| m.end());
    let b = year.find(&s[a..]).map_or(s.len(), |m| a + m.start());
    if a < b {
        (start + a, start + b)
    } else {
        (start, end)
    }
}

/// Whether the text is hard-wrapped, as Reuters' wires are (lines of 35 to 80
/// characters, paragraphs indented): there a single line break inside a paragraph is no
/// sentence end ("Dean Witter\nReynolds Inc" is one name).
fn hard_wrapped(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let wrapped = lines.iter().filter(|l| (35..=80).contains(&l.chars().count())).count();
    lines.len() >= 6 && wrapped * 10 >= lines.len() * 6
}

/// Sentences as word-index ranges: after `.`, `!`, `?`, `…` words, at line breaks (but
/// the soft ones of a hard-wrapped text), and every [`MAX_SENTENCE_WORDS`].
pub fn sentences(text: &str, words: &[(usize, usize)]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let wrapped = hard_wrapped(text);
    let title_end = text.find('\n').unwrap_or(text.len());
    let breaks = |gap: &str, at: usize| {
        gap.contains('\n')
            && !(wrapped
                && at > title_end
                && gap.matches('\n').count() == 1
                && !gap.split('\n').nth(1).is_some_and(|indent| indent.starts_with([' ', '\t'])))
    };
    for i in 0..words.len() {
        let w = &text[words[i].0..words[i].1];
        let end_here = matches!(w, "." | "!" | "?" | "…")
            || (i + 1 < words.len() && breaks(&text[words[i].1..words[i + 1].0], words[i].1))
            || i + 1 - start >= MAX_SENTENCE_WORDS;
        if end_here {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < words.len() {
        out.push(start..words.len());
    }
    out
}

impl EntityExtractor {
    /// The NER head from `head_dir`, else the one built into vigie, with the built-in
    /// knowledge base and GPU catalogue.
    pub fn load(head_dir: Option<&Path>) -> crate::Result<Self> {
        let head = match head_dir {
            Some(dir) => NerHead::load(dir, tch::Device::Cpu)?,
            None => NerHead::try_builtin(tch::Device::Cpu)?,
        };
        let mut x = Self::new(head, Kb::try_builtin()?, GpuCatalog::try_builtin()?);
        x.typer = MentionTyper::builtin()?;
        Ok(x)
    }

    pub fn new(head: NerHead, kb: Kb, gpus: GpuCatalog) -> Self {
        let mut ids = std::collections::HashMap::new();
        let mut alts = Vec::new();
        for (alias, idx) in &kb.gazetteer {
            ids.entry(alias.clone()).or_insert(*idx);
            alts.push(regex::escape(alias));
        }
        let gazetteer = Regex::new(&format!(r"\b(?:{})\b", alts.join("|"))).expect("escaped aliases");
        EntityExtractor { head, kb, gpus, gazetteer, gazetteer_ids: ids, typer: MentionTyper::empty() }
    }

    /// The encoder layers the head reads (ask the encoder for these).
    pub fn layers(&self) -> &[usize] {
        &self.head.cfg.layers
    }

    /// Entities of several texts: the NER head tags the sentences of all of them in one
    /// go (sentences of similar length batched together), then each text is matched
    /// against the catalogues and linked. Each text's encoder pass carries the head's
    /// layer mix ([`crate::encoder::Encoder::encode_mixed`] with
    /// [`NerHead::mix_weights`]).
    pub fn extract_many(&self, texts: &[Text<'_>]) -> Vec<(Vec<Entity>, Vec<Mention>)> {
        // words and sentences of each text, and the head's input per sentence
        let mut per_text = Vec::with_capacity(texts.len());
        let mut feats = Vec::new();
        for t in texts {
            let Some(states) = &t.enc.token_states else {
                per_text.push(None);
                continue;
            };
            assert_eq!(states.size()[0], 1, "token states mixed by the encoder with the head's weights");
            let ws = words(t.encoded);
            let ranges = sentences(t.encoded, &ws);
            let first = feats.len();
            feats.extend(ranges.iter().map(|r| gather_words(states, &word_first_tokens(&ws[r.clone()], &t.enc.encoding))));
            per_text.push(Some((ws, ranges, first)));
        }
        let tags = self.head.tag_many_mixed(&feats);
        texts
            .iter()
            .zip(per_text)
            .map(|(t, words)| {
                let mut cands = Vec::new();
                if let Some((ws, ranges, first)) = words {
                    let decoded: Vec<Vec<Span>> = tags[first..first + ranges.len()].iter().map(|t| decode_spans(t)).collect();
                    let article = Article { text: t.full, title_len: t.title_len, words: &ws, sentences: &ranges };
                    for s in repair(&article, &decoded, &self.kb) {
                        cands.push(Candidate { start: ws[s.start].0, end: ws[s.end - 1].1, source: Source::Ner(s.kind) });
                    }
                }
                for m in self.gpus.find(t.full) {
                    cands.push(Candidate { start: m.start, end: m.end, source: Source::Gpu(m.gpu) });
                }
                for m in self.gazetteer.find_iter(t.full) {
                    if let Some(&i) = self.gazetteer_ids.get(m.as_str()) {
                        cands.push(Candidate { start: m.start(), end: m.end(), source: Source::Kb(i) });
                    }
                }
                // [kb-scale hook] the mention typer sees the NER mentions and their encoder states
                let cands: Vec<Candidate> = resolve(cands)
                    .into_iter()
                    .map(|mut c| {
                        if matches!(c.source, Source::Ner(_)) {
                            (c.start, c.end) = trim_span(t.full, c.start, c.end);
                        }
                        c
                    })
                    .collect();
                let hints =
                    self.typer.hints(t.full, &super::mention_type::mentions_of(&cands, t, self.typer.classifier.as_ref(), &self.kb));
                link_typed(t.full, t.title_len, &cands, &self.kb, &hints)
            })
            .collect()
    }
}

/// One text for [`EntityExtractor::extract_many`]: `full` is title, a line break and the
/// body (`title_len` bytes of title); `encoded` is the start of it that went through the
/// encoder, `enc` its encoder pass.
pub struct Text<'a> {
    pub encoded: &'a str,
    pub full: &'a str,
    pub title_len: usize,
    pub enc: &'a EncodedText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_sentences_follow_the_training_data() {
        let t = "L'Élysée et qu'Nvidia's H100-SXM, etc. Fin\nNouvelle ligne";
        let w: Vec<&str> = words(t).iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(w, vec!["L'", "Élysée", "et", "qu'", "Nvidia", "'s", "H100-SXM", ",", "etc", ".", "Fin", "Nouvelle", "ligne"]);
        let ws = words(t);
        assert_eq!(sentences(t, &ws), vec![0..10, 10..11, 11..13]);
    }

    /// A hard-wrapped wire keeps a name cut by a line break in one sentence; a text of
    /// paragraphs, and the title, still end sentences at line breaks.
    #[test]
    fn hard_wrapped_lines_join() {
        let line = "Federal regulators said Dean Witter";
        let body = format!("{line}\nReynolds Inc agreed to a censure to settle charges it failed\nto fully report cash transactions in the period ended.\n    The SEC said the firm reported a large amount of deposits\nin cash and failed to report another amount to the Treasury.\n    Besides agreeing to the censure, Dean Witter agreed to\ntighten its oversight of its branch offices across the country.");
        let t = format!("SEARS UNIT AGREES TO CENSURE\n{body}");
        let ws = words(&t);
        let first: Vec<&str> = sentences(&t, &ws)[1].clone().map(|i| &t[ws[i].0..ws[i].1]).collect();
        assert_eq!(first[..8], ["Federal", "regulators", "said", "Dean", "Witter", "Reynolds", "Inc", "agreed"]);
        assert_eq!(sentences(&t, &ws)[0], 0..5, "the title is its own sentence");
        let p = "Titre\nUn paragraphe court.\nUn autre";
        assert_eq!(sentences(p, &words(p)).len(), 3);
        assert_eq!(trim_span("Guernsey-based Aberdeen Retail 1 Ltd", 0, 36), (15, 36));
        assert_eq!(trim_span("BBC 2019", 0, 8), (0, 3));
        assert_eq!(trim_span("2019", 0, 4), (0, 4));
    }

    /// Initials and abbreviations keep their period and end no sentence; hyphenated
    /// places stay one word whatever the hyphen.
    #[test]
    fn initials_and_hyphenated_names_stay_whole() {
        let t = "John F. Kennedy et M. Dupont aux États\u{2011}Unis. Apple Inc. a vu les U.S. regulators. Fin.";
        let ws = words(t);
        let w: Vec<&str> = ws.iter().map(|&(a, b)| &t[a..b]).collect();
        let want = [
            "John",
            "F.",
            "Kennedy",
            "et",
            "M.",
            "Dupont",
            "aux",
            "États\u{2011}Unis",
            ".",
            "Apple",
            "Inc.",
            "a",
            "vu",
            "les",
            "U.S.",
            "regulators",
            ".",
            "Fin",
            ".",
        ];
        assert_eq!(w, want);
        assert_eq!(sentences(t, &ws), vec![0..9, 9..17, 17..19]);
    }
}
