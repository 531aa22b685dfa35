//! Repairs of the NER head's spans before linking, from what the article itself says: a
//! place cut at a spaced hyphen is joined again ("Etats - Unis"), a person the article
//! or the knowledge base knows at the end of an organization span is split off ("Kyutai
//! de Xavier Niel"), quantities ("1 To",
//! "200 MW"), tickers ("BUD.N") and fragments without a proper noun (a headline's "Le
//! Nouveau", lowercase words) are dropped, punctuation at a span's ends and legal forms
//! alone ("Co Ltd") go, two names joined at "and" are split. `vigie eval ner` scores the head's own spans on gold words; these
//! repairs only shape the product's entity list (their effect on the dev sets is measured
//! by the ignored test `repairs_keep_the_dev_f1`).

use super::kb::{fold, Kb};
use crate::ner::Span;
use crate::stories::is_stopword;
use std::collections::HashSet;
use std::ops::Range;
use vigie_schemas::EntityType;

/// An article as the extractor cuts it: `text` (title, a line break, the body;
/// `title_len` bytes of title), its words (byte spans into `text`) and sentences (word
/// ranges).
pub struct Article<'a> {
    pub text: &'a str,
    pub title_len: usize,
    pub words: &'a [(usize, usize)],
    pub sentences: &'a [Range<usize>],
}

/// Generic terms of the domain the head sometimes tags: never entities alone.
pub const GENERIC: &[&str] = &["ia", "ai", "l'ia", "gpu", "gpus", "cpu", "pdg", "ceo", "ia generative", "genai", "llm", "llms"];

/// Units written after a number ("1 To", "200 MW", "3 nm"): a span of numbers and these
/// is a quantity, not a name.
const UNITS: &[&str] = &[
    "To", "Go", "Mo", "Ko", "Po", "TB", "GB", "MB", "KB", "kB", "PB", "TiB", "GiB", "MiB", "Tb", "Gb", "Mb", "Tbit", "Gbit", "Mbit", "W",
    "kW", "MW", "GW", "TW", "Wh", "kWh", "MWh", "GWh", "TWh", "nm", "µm", "mm", "cm", "km", "Hz", "kHz", "MHz", "GHz", "THz", "V", "kV",
    "mAh", "Ah", "FLOPS", "TFLOPS", "PFLOPS", "EFLOPS", "TOPS", "Tops", "Gbps", "Mbps", "Tbps", "ms", "ns", "µs", "°C", "°F", "€", "$",
    "£", "%", "M€", "Md€", "Mds", "Md", "Mrd", "bn", "Bn",
];

/// Legal forms and their abbreviations as Reuters and others write them after a
/// company's name ("Nissan Motor Co Ltd", "Hooker Corp Ltd"): never a name alone.
pub const LEGAL_FORMS: &[&str] = &[
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "cos",
    "ltd",
    "ltd.",
    "limited",
    "llc",
    "plc",
    "sa",
    "sas",
    "se",
    "ag",
    "gmbh",
    "nv",
    "bv",
    "spa",
    "ab",
    "asa",
    "oyj",
    "kk",
    "bhd",
    "pty",
    "lp",
    "llp",
    "cie",
    "&",
];

/// `name` without the legal forms at its end ("Nissan Motor Co Ltd" is "Nissan
/// Motor"), one word at least kept: the id of a company the knowledge base does not know
/// is the same with and without them.
pub fn without_legal_forms(name: &str) -> &str {
    let mut name = name.trim();
    while let Some((rest, last)) = name.rsplit_once(' ') {
        if !LEGAL_FORMS.contains(&fold(last).as_str()) || rest.trim().is_empty() {
            break;
        }
        name = rest.trim_end_matches([',', ' ']);
    }
    name
}

/// Words that end no name: a span that the head ran on into "and" or "of" ("British
/// Gas and" before "Scottish Power") is cut before them.
const NO_END: &[&str] = &["and", "et", "or", "ou", "of", "de", "du", "des", "the", "le", "la", "les", "with", "avec"];

/// A stock ticker with its exchange suffix, as Reuters writes it after a company's name
/// ("BUD.N", "7203.T", "VOD.L"); "U.S" and "U.K" are no tickers.
fn is_ticker(w: &str) -> bool {
    let Some((sym, exch)) = w.split_once('.') else { return false };
    (2..=6).contains(&sym.len())
        && (1..=2).contains(&exch.len())
        && sym.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && exch.chars().all(|c| c.is_ascii_uppercase())
}

/// Punctuation that a span may pick up at its ends ("Virgin Media O2." at the end of a
/// sentence): never part of a name there.
fn is_edge_punct(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| !c.is_alphanumeric() && c != '&')
}

/// Words between an organization and its owner or head: "Tesla d'Elon Musk", "SpaceX of
/// Elon Musk", and "'s" the other way round ("Elon Musk's Tesla").
fn connector(w: &str) -> Option<bool> {
    match w.to_lowercase().replace('’', "'").as_str() {
        "de" | "d'" | "du" | "des" | "of" => Some(true),
        "'s" => Some(false),
        _ => None,
    }
}

fn is_dash(w: &str) -> bool {
    matches!(w, "-" | "\u{2010}" | "\u{2011}" | "\u{2012}" | "\u{2013}")
}

/// A number as written in a text: "200", "3,5", "1.5", or one with its unit glued on
/// ("200MW", "3nm").
fn is_number(w: &str) -> bool {
    let digits = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
    w.starts_with(|c: char| c.is_ascii_digit()) && (digits.is_empty() || UNITS.contains(&digits))
}

/// Name tokens of a text: its words folded, punctuation left out.
pub fn name_tokens(name: &str) -> Vec<String> {
    name.split_whitespace().map(fold).filter(|t| !t.is_empty()).collect()
}

/// Whether `short` names the same person as `full` in a shorter form: the given names
/// alone or the family name alone, whichever comes first ("Masayoshi", "Son" of
/// "Masayoshi Son"; "Xi" of "Xi Jinping"; "von der Leyen" of "Ursula von der Leyen"), or
/// the first and last names of a longer one ("Melinda Gates" of "Melinda French Gates").
pub fn short_person(short: &[String], full: &[String]) -> bool {
    let n = short.len();
    n > 0
        && n < full.len()
        && (full.starts_with(short) || full.ends_with(short) || (n == 2 && short[0] == full[0] && short[1] == full[full.len() - 1]))
}

/// Whether `short` is the first words of the organization `full` ("Ampere" of "Ampere
/// Computing"), holding a word that is not a function word.
pub fn short_org(short: &[String], full: &[String]) -> bool {
    !short.is_empty() && short.len() < full.len() && full.starts_with(short) && short.iter().any(|t| !is_stopword(t))
}

/// What the article says about its words and names, gathered over all its spans.
struct Context {
    /// folded words the article writes in lowercase somewhere (common words)
    lowercase: HashSet<String>,
    /// folded names of the person spans of two words or more
    persons: HashSet<String>,
    /// folded one-word person spans ("Niel a déclaré")
    person_words: HashSet<String>,
    /// folded names of the location spans
    places: HashSet<String>,
    /// folded names of spans found in the body after another word of their sentence,
    /// where a capital is evidence of a proper noun
    mid_sentence: HashSet<String>,
    /// name tokens of the spans of two words or more, and whether each is a person
    long_names: Vec<(Vec<String>, bool)>,
}

impl<'a> Article<'a> {
    fn word(&self, i: usize) -> &'a str {
        &self.text[self.words[i].0..self.words[i].1]
    }

    fn surface(&self, r: Range<usize>) -> &'a str {
        &self.text[self.words[r.start].0..self.words[r.end - 1].1]
    }

    fn context(&self, spans: &[Vec<Span>]) -> Context {
        let mut c = Context {
            lowercase: HashSet::new(),
            persons: HashSet::new(),
            person_words: HashSet::new(),
            places: HashSet::new(),
            mid_sentence: HashSet::new(),
            long_names: Vec::new(),
        };
        for w in self.text.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().any(char::is_lowercase) && !w.chars().any(char::is_uppercase) {
                c.lowercase.insert(fold(w));
            }
        }
        for (r, ss) in self.sentences.iter().zip(spans) {
            for s in ss {
                let name = fold(self.surface(s.start..s.end));
                let tokens = name_tokens(self.surface(s.start..s.end));
                match s.kind.as_str() {
                    "PER" if tokens.len() >= 2 => {
                        c.persons.insert(name.clone());
                    }
                    "PER" => {
                        c.person_words.insert(name.clone());
                    }
                    "LOC" => {
                        c.places.insert(name.clone());
                    }
                    _ => {}
                }
                if tokens.len() >= 2 {
                    c.long_names.push((tokens, s.kind == "PER"));
                }
                let prev = (s.start > r.start).then(|| self.word(s.start - 1));
                if self.words[s.start].0 >= self.title_len && prev.is_some_and(|p| p.chars().any(char::is_alphanumeric) || p == ",") {
                    c.mid_sentence.insert(name);
                }
            }
        }
        c
    }

    /// Joins a span, a dash and the word or span after it when the knowledge base knows
    /// the whole ("Etats - Unis", "États – Unis").
    fn join_dashes(&self, r: &Range<usize>, spans: &mut Vec<Span>, kb: &Kb) {
        spans.sort_by_key(|s| s.start);
        let mut i = 0;
        while i < spans.len() {
            let j = spans[i].end;
            if j + 1 < r.end && is_dash(self.word(j)) {
                let next = spans.get(i + 1).filter(|b| b.start == j + 1).map(|b| b.end);
                let end = next.unwrap_or(j + 2);
                if kb.lookup(&join_dashes(self.surface(spans[i].start..end))).is_some() {
                    spans[i].end = end;
                    if next.is_some() {
                        spans.remove(i + 1);
                    }
                }
            }
            i += 1;
        }
    }

    /// Punctuation at the ends of each span cut off, and a connector at its end ("and",
    /// "of"); a span of legal forms alone ("Co
    /// Ltd", "Corp") joined to the name right before it, dropped when there is none.
    fn trim(&self, spans: &mut Vec<Span>) {
        spans.sort_by_key(|s| s.start);
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        for mut s in spans.drain(..) {
            while s.start < s.end && is_edge_punct(self.word(s.start)) {
                s.start += 1;
            }
            // a closing bracket whose opening is inside stays: "Zeleznik ( B )"
            let closes = |s: &Span| {
                let w = self.word(s.end - 1);
                matches!(w, ")" | "]") && (s.start..s.end - 1).any(|i| matches!(self.word(i), "(" | "["))
            };
            while s.start < s.end
                && !closes(&s)
                && (is_edge_punct(self.word(s.end - 1)) || NO_END.contains(&fold(self.word(s.end - 1)).as_str()))
            {
                s.end -= 1;
            }
            if s.start == s.end {
                continue;
            }
            if (s.start..s.end).all(|i| LEGAL_FORMS.contains(&fold(self.word(i)).as_str())) {
                if let Some(prev) = out.last_mut().filter(|p| p.end == s.start && p.kind != "PER") {
                    prev.end = s.end;
                }
                continue;
            }
            out.push(s);
        }
        *spans = out;
    }

    /// Two names the head joined at "and"/"et", split where they end a list of names
    /// ("Eon, British Gas and Scottish Power") with two words or more each, or where the
    /// knowledge base knows one of them ("Nvidia et Mistral AI"); "Procter and Gamble",
    /// "National Oceanic and Atmospheric Administration" stay whole.
    fn split_coordination(&self, s: Span, listed: bool, kb: &Kb) -> Vec<Span> {
        if !matches!(s.kind.as_str(), "ORG" | "LOC" | "MISC") {
            return vec![s];
        }
        let Some(k) = (s.start + 1..s.end.saturating_sub(1)).find(|&k| matches!(self.word(k), "and" | "et")) else { return vec![s] };
        let (a, b) = (s.start..k, k + 1..s.end);
        let capital = |r: &Range<usize>| self.word(r.start).starts_with(char::is_uppercase);
        let known = |r: &Range<usize>| kb.lookup(self.surface(r.clone())).is_some();
        if capital(&a) && capital(&b) && ((listed && a.len() >= 2 && b.len() >= 2) || known(&a) || known(&b)) {
            let part = |r: Range<usize>| Span { start: r.start, end: r.end, kind: s.kind.clone() };
            return vec![part(a), part(b)];
        }
        vec![s]
    }

    /// Whether the words `r` name a person the article or the knowledge base knows.
    fn known_person(&self, c: &Context, r: Range<usize>, kb: &Kb) -> bool {
        let surface = self.surface(r.clone());
        let name = fold(surface);
        kb.lookup(surface).is_some_and(|e| e.kind == EntityType::Person)
            || c.persons.contains(&name)
            || (r.len() >= 2 && c.person_words.contains(&fold(self.word(r.end - 1))))
    }

    /// An organization span that ends with its owner's or head's name, split in two:
    /// "Nvidia de Jensen Huang" is the company "Nvidia" and the person "Jensen Huang".
    fn split_person(&self, c: &Context, s: Span, kb: &Kb) -> Vec<Span> {
        if !matches!(s.kind.as_str(), "ORG" | "MISC") || s.end - s.start < 2 {
            return vec![s];
        }
        let per = |r: Range<usize>| Span { start: r.start, end: r.end, kind: "PER".into() };
        let same = |r: Range<usize>| Span { start: r.start, end: r.end, kind: s.kind.clone() };
        // the last connector inside the span
        if let Some(k) = (s.start + 1..s.end - 1).rev().find(|&k| connector(self.word(k)).is_some()) {
            let (head, tail) = (s.start..k, k + 1..s.end);
            if connector(self.word(k)) == Some(false) {
                if self.known_person(c, head.clone(), kb) {
                    return vec![per(head), same(tail)];
                }
            } else if self.known_person(c, tail.clone(), kb) {
                return vec![same(head), per(tail)];
            }
            return vec![s];
        }
        // "Nvidia Jensen Huang": the longest known person at the end
        for n in (2..s.end - s.start).rev() {
            let tail = s.end - n..s.end;
            if self.known_person(c, tail.clone(), kb) {
                return vec![same(s.start..tail.start), per(tail)];
            }
        }
        vec![s]
    }

    /// A number with its unit ("1 To", "200 MW", "3,5 GHz"), or a unit the head tagged
    /// alone after its number ("80 Go").
    fn is_quantity(&self, r: &Range<usize>, s: &Span) -> bool {
        let ws: Vec<&str> = (s.start..s.end).map(|i| self.word(i)).collect();
        let part = |w: &&str| is_number(w) || UNITS.contains(w) || matches!(*w, "," | "." | "/" | "s");
        (ws.iter().all(part) && ws.iter().any(|w| is_number(w)))
            || (UNITS.contains(&ws[0]) && s.start > r.start && is_number(self.word(s.start - 1)))
    }

    /// A stock ticker alone ("BUD.N").
    fn is_ticker(&self, s: &Span) -> bool {
        (s.start..s.end).all(|i| is_ticker(self.word(i)))
    }

    /// A span with no proper noun in it: all lowercase, only function words, or only
    /// words the article also writes in lowercase and never capitalized inside a sentence
    /// of the body (a headline's "Le Nouveau"). The short form of a longer name of the
    /// article stays ("Son" of "Masayoshi Son"), and so do the knowledge base's names.
    fn is_fragment(&self, c: &Context, s: &Span, kb: &Kb) -> bool {
        let surface = self.surface(s.start..s.end);
        let tokens = name_tokens(surface);
        if tokens.is_empty() {
            return true;
        }
        if kb.lookup(surface).is_some()
            || c.long_names.iter().any(|(full, person)| if *person { short_person(&tokens, full) } else { short_org(&tokens, full) })
        {
            return false;
        }
        // a title in quotes ("Certains l'aiment chaud"), a capital after the first word in
        // the body ("le jour du Non"; a headline capitalizes every word)
        let quoted = s.start > 0 && matches!(self.word(s.start - 1), "\"" | "«" | "“" | "'" | "‘");
        let body = self.words[s.start].0 >= self.title_len;
        // an acronym ("U.S", "BT") is a name, though "us" is a function word
        let acronym = (s.start..s.end).any(|i| {
            let w = self.word(i);
            w.chars().filter(|c| c.is_uppercase()).count() >= 2 && !w.chars().any(char::is_lowercase)
        });
        if quoted || acronym || (body && (s.start + 1..s.end).any(|i| self.word(i).starts_with(char::is_uppercase))) {
            return false;
        }
        let function = |t: &String| is_stopword(t) || GENERIC.contains(&t.as_str());
        !surface.chars().any(char::is_uppercase)
            || tokens.iter().all(function)
            || (tokens.iter().all(|t| function(t) || c.lowercase.contains(t)) && !c.mid_sentence.contains(&fold(surface)))
    }
}

/// `text` with the spaces around its dashes removed and every dash made a hyphen:
/// "Etats - Unis" and "États–Unis" become "Etats-Unis" and "États-Unis".
pub fn join_dashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if is_dash(ch.encode_utf8(&mut [0; 4])) {
            while out.ends_with(char::is_whitespace) {
                out.pop();
            }
            out.push('-');
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// The head's spans of each sentence of `a` (word indices within the sentence)
/// repaired, as spans of the article's words.
pub fn repair(a: &Article<'_>, spans: &[Vec<Span>], kb: &Kb) -> Vec<Span> {
    let mut by_sentence: Vec<Vec<Span>> = a
        .sentences
        .iter()
        .zip(spans)
        .map(|(r, ss)| ss.iter().map(|s| Span { start: r.start + s.start, end: r.start + s.end, kind: s.kind.clone() }).collect())
        .collect();
    for (r, ss) in a.sentences.iter().zip(by_sentence.iter_mut()) {
        a.trim(ss);
        a.join_dashes(r, ss, kb);
    }
    let c = a.context(&by_sentence);
    let mut out = Vec::new();
    for (r, ss) in a.sentences.iter().zip(by_sentence) {
        // a span right after another and a comma ends a list of names
        let listed: Vec<bool> =
            ss.iter().map(|s| s.start >= 2 && a.word(s.start - 1) == "," && ss.iter().any(|o| o.end == s.start - 1)).collect();
        for (s, listed) in ss.into_iter().zip(listed) {
            for s in a.split_coordination(s, listed, kb).into_iter().flat_map(|s| a.split_person(&c, s, kb)) {
                if !a.is_quantity(r, &s) && !a.is_ticker(&s) && !a.is_fragment(&c, &s, kb) {
                    out.push(s);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{sentences, words};
    use crate::ner::{decode_spans, join_words, read_gold, score};
    use std::path::PathBuf;

    /// The repaired spans of `text` (a title line, then the body) given the head's tags of
    /// each sentence (one tag per word, `O` where not given), as (surface, label).
    fn repaired(text: &str, tagged: &[(&str, &str)]) -> Vec<(String, String)> {
        let ws = words(text);
        let ranges = sentences(text, &ws);
        let title_len = text.find('\n').unwrap_or(text.len());
        // tags by word: each (surface, label) tags the words of its first occurrence
        let mut tags = vec!["O".to_string(); ws.len()];
        let mut from = 0;
        for (surface, label) in tagged {
            let at = text[from..].find(surface).map(|p| p + from).unwrap_or_else(|| panic!("{surface:?} in {text:?}"));
            let inside: Vec<usize> = (0..ws.len()).filter(|&i| ws[i].0 >= at && ws[i].1 <= at + surface.len()).collect();
            for (k, &i) in inside.iter().enumerate() {
                tags[i] = format!("{}-{label}", if k == 0 { "B" } else { "I" });
            }
            from = at + surface.len();
        }
        let spans: Vec<Vec<Span>> = ranges.iter().map(|r| decode_spans(&tags[r.clone()])).collect();
        let a = Article { text, title_len, words: &ws, sentences: &ranges };
        repair(&a, &spans, &Kb::builtin()).into_iter().map(|s| (a.surface(s.start..s.end).to_string(), s.kind)).collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn persons_are_split_off_organizations() {
        // the head's mistakes as seen on real sentences: the owner inside the company
        let text = "Iliad rachète un opérateur\nLe groupe Iliad de Xavier Niel rachète un opérateur. La société Kyutai de Xavier Niel publie un modèle. Xavier Niel a confirmé.";
        let got =
            repaired(text, &[("Iliad", "ORG"), ("Iliad de Xavier Niel", "ORG"), ("Kyutai de Xavier Niel", "ORG"), ("Xavier Niel", "PER")]);
        let want =
            [("Iliad", "ORG"), ("Iliad", "ORG"), ("Xavier Niel", "PER"), ("Kyutai", "ORG"), ("Xavier Niel", "PER"), ("Xavier Niel", "PER")];
        assert_eq!(got, pairs(&want));
        // a team named after its city is no owner: "les Spurs de San Antonio"
        let text = "NBA\nLes Spurs de San Antonio et le Lightning de Tampa Bay gagnent.";
        let tagged = [("Spurs de San Antonio", "ORG"), ("Lightning de Tampa Bay", "ORG")];
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // a person of the knowledge base, with or without "de", and "'s" the other way round
        let text = "Nvidia\nLe PDG de Nvidia Jensen Huang a parlé. Tesla d'Elon Musk recule. Elon Musk's Tesla recule. SpaceX of Elon Musk launched.";
        let got = repaired(
            text,
            &[("Nvidia Jensen Huang", "ORG"), ("Tesla d'Elon Musk", "ORG"), ("Elon Musk's Tesla", "ORG"), ("SpaceX of Elon Musk", "ORG")],
        );
        let want = [
            ("Nvidia", "ORG"),
            ("Jensen Huang", "PER"),
            ("Tesla", "ORG"),
            ("Elon Musk", "PER"),
            ("Elon Musk", "PER"),
            ("Tesla", "ORG"),
            ("SpaceX", "ORG"),
            ("Elon Musk", "PER"),
        ];
        assert_eq!(got, pairs(&want));
        // a person the article names elsewhere, by full name or surname
        let text = "Acme\nAcme Robotics de Jean Martin lève des fonds. Martin a confirmé.";
        assert_eq!(
            repaired(text, &[("Acme Robotics de Jean Martin", "ORG"), ("Martin", "PER")]),
            pairs(&[("Acme Robotics", "ORG"), ("Jean Martin", "PER"), ("Martin", "PER")])
        );
    }

    /// Institutions and places named "X de Y" stay whole.
    #[test]
    fn institutions_of_places_stay_whole() {
        let text = "Banques\nLa Banque de France, la Bank of New York, le Museum of Modern Art, la Caisse des Dépôts et l'Université de Paris Saclay.";
        let names = ["Banque de France", "Bank of New York", "Museum of Modern Art", "Caisse des Dépôts", "Université de Paris Saclay"];
        let tagged: Vec<(&str, &str)> = names.iter().map(|n| (*n, "ORG")).collect();
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // a tour or a festival: the head's MISC spans are split only for a known person
        let text = "Tour\nLe Tour de France Femmes part de Rotterdam.";
        assert_eq!(repaired(text, &[("Tour de France Femmes", "MISC")]), pairs(&[("Tour de France Femmes", "MISC")]));
    }

    #[test]
    fn quantities_are_dropped() {
        let text = "Stockage\nLe SSD de 1 To et la centrale de 200 MW, gravée en 3 nm, à 3,5 GHz. The 200MW campus offers 80 GB of HBM3 at 3.35 TB/s. Le modèle de 80 Go.";
        let got = repaired(
            text,
            &[
                ("1 To", "MISC"),
                ("200 MW", "MISC"),
                ("3 nm", "MISC"),
                ("3,5 GHz", "MISC"),
                ("200MW", "MISC"),
                ("80 GB", "MISC"),
                ("HBM3", "MISC"),
                ("TB/s", "MISC"),
                ("Go", "MISC"),
            ],
        );
        assert_eq!(got, pairs(&[("HBM3", "MISC")]));
        // numbers inside names stay
        let text = "3M\n3M et 7-Eleven rachètent la Route 66 et le Fonds 2030.";
        let tagged = [("3M", "ORG"), ("7-Eleven", "ORG"), ("Route 66", "LOC"), ("Fonds 2030", "ORG")];
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // "Go" after no number is a name (the language)
        let text = "Langages\nLe langage Go de Google progresse.";
        assert_eq!(repaired(text, &[("Go", "MISC"), ("Google", "ORG")]), pairs(&[("Go", "MISC"), ("Google", "ORG")]));
    }

    #[test]
    fn fragments_without_a_proper_noun_are_dropped() {
        // a headline's capitalized words that the body writes in lowercase; lowercase spans
        let text = "Le Nouveau Disque De Samsung\nLe nouveau disque de Samsung consomme peu, selon la presse coréenne.";
        let got = repaired(
            text,
            &[("Le", "ORG"), ("Nouveau Disque", "MISC"), ("Samsung", "ORG"), ("Samsung", "ORG"), ("presse coréenne", "ORG")],
        );
        assert_eq!(got, pairs(&[("Samsung", "ORG"), ("Samsung", "ORG")]));
        // a name made of common words stays where the body capitalizes it inside a sentence
        let text = "Le Monde révèle un accord\nL'accord, selon Le Monde, couvre le monde entier. It was first reported by The Information, citing information from insiders.";
        let got = repaired(text, &[("Le Monde", "ORG"), ("Le Monde", "ORG"), ("The Information", "ORG")]);
        assert_eq!(got, pairs(&[("Le Monde", "ORG"), ("Le Monde", "ORG"), ("The Information", "ORG")]));
        // the short form of a person of the article stays, function word or not
        let text = "Masayoshi Son\nMasayoshi Son a parlé. Son fonds investit. Son a précisé que son groupe resterait patient.";
        let got = repaired(text, &[("Masayoshi Son", "PER"), ("Masayoshi Son", "PER"), ("Son", "PER")]);
        assert_eq!(got, pairs(&[("Masayoshi Son", "PER"), ("Masayoshi Son", "PER"), ("Son", "PER")]));
    }

    #[test]
    fn places_cut_at_a_spaced_dash_are_joined() {
        let text = "États-Unis\nLes Etats - Unis et les États – Unis, mais Paris - Berlin en train.";
        let got = repaired(text, &[("Etats", "LOC"), ("Unis", "ORG"), ("États", "LOC"), ("Paris", "LOC"), ("Berlin", "LOC")]);
        assert_eq!(got, pairs(&[("Etats - Unis", "LOC"), ("États – Unis", "LOC"), ("Paris", "LOC"), ("Berlin", "LOC")]));
        assert_eq!(join_dashes("États – Unis"), "États-Unis");
        assert_eq!(join_dashes("Rhénanie-du-Nord\u{2011}Westphalie"), "Rhénanie-du-Nord-Westphalie");
    }

    /// What the annotation of real Reuters and Guardian articles showed: legal forms and
    /// tickers apart, a period at a sentence's end, two companies joined at "and".
    #[test]
    fn reuters_fragments_tickers_and_joined_names() {
        let text = "Nissan\nNissan Motor Co Ltd said sales rose. Hooker Corp Ltd of Australia said it would buy Corp. Anheuser-Busch InBev (BUD.N) fell.";
        let got = repaired(
            text,
            &[
                ("Nissan Motor", "ORG"),
                ("Co Ltd", "ORG"),
                ("Hooker Corp Ltd", "ORG"),
                ("Australia", "LOC"),
                ("Corp.", "ORG"),
                ("Anheuser-Busch InBev", "ORG"),
                ("BUD.N", "ORG"),
            ],
        );
        let want = [("Nissan Motor Co Ltd", "ORG"), ("Hooker Corp Ltd", "ORG"), ("Australia", "LOC"), ("Anheuser-Busch InBev", "ORG")];
        assert_eq!(got, pairs(&want));
        let text = "Ofgem\nLarger than BT, EE and Virgin Media O2. The deal was delayed after Eon, British Gas and Scottish Power raised concerns. Procter and Gamble and Marks and Spencer too.";
        let got = repaired(
            text,
            &[
                ("BT", "ORG"),
                ("EE", "ORG"),
                ("Virgin Media O2.", "ORG"),
                ("Eon", "ORG"),
                ("British Gas and Scottish Power", "ORG"),
                ("Procter and Gamble", "ORG"),
                ("Marks and Spencer", "ORG"),
            ],
        );
        let want = [
            ("BT", "ORG"),
            ("EE", "ORG"),
            ("Virgin Media O2", "ORG"),
            ("Eon", "ORG"),
            ("British Gas", "ORG"),
            ("Scottish Power", "ORG"),
            ("Procter and Gamble", "ORG"),
            ("Marks and Spencer", "ORG"),
        ];
        assert_eq!(got, pairs(&want));
        // a name with "and" inside, in no list, stays whole
        let text = "NOAA\nLa National Oceanic and Atmospheric Administration préfère parler d'un signal tropical.";
        let tagged = [("National Oceanic and Atmospheric Administration", "ORG")];
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // quoted titles and names with a capital after their first word stay
        let text = "Films\nLe film \"Certains l'aiment chaud\" de Billy Wilder. Le jour du Non est une fête.";
        let tagged = [("Certains l'aiment chaud", "MISC"), ("Billy Wilder", "PER"), ("jour du Non", "MISC")];
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // an acronym that folds to a function word, a bracket closed inside the span
        let text = "Avocats\nMexican avocados not expected in U.S . Mladost ( BJ ) 4 0 1.";
        let tagged = [("U.S", "LOC"), ("Mladost ( BJ )", "ORG")];
        assert_eq!(repaired(text, &tagged), pairs(&tagged));
        // the head's run-on into "and"; legal forms left out of an id
        let text = "Ofgem\nEon, British Gas and Scottish Power raised concerns.";
        let got = repaired(text, &[("Eon", "ORG"), ("British Gas and", "ORG"), ("Scottish Power", "ORG")]);
        assert_eq!(got, pairs(&[("Eon", "ORG"), ("British Gas", "ORG"), ("Scottish Power", "ORG")]));
        assert_eq!(without_legal_forms("Nissan Motor Co., Ltd."), "Nissan Motor");
        assert_eq!(without_legal_forms("Acme Robotics Inc"), "Acme Robotics");
        assert_eq!(without_legal_forms("Corp Ltd"), "Corp");
        // a known company on one side is enough: "Nvidia et Mistral AI"
        let text = "Accord\nUn accord entre Nvidia et Mistral AI.";
        assert_eq!(repaired(text, &[("Nvidia et Mistral AI", "ORG")]), pairs(&[("Nvidia", "ORG"), ("Mistral AI", "ORG")]));
    }

    #[test]
    fn short_forms_of_names() {
        let t = |s: &str| name_tokens(s);
        assert!(short_person(&t("Masayoshi"), &t("Masayoshi Son")));
        assert!(short_person(&t("Son"), &t("Masayoshi Son")));
        assert!(short_person(&t("Xi"), &t("Xi Jinping")));
        assert!(short_person(&t("von der Leyen"), &t("Ursula von der Leyen")));
        assert!(short_person(&t("Melinda Gates"), &t("Melinda French Gates")));
        assert!(short_person(&t("Kennedy"), &t("John F. Kennedy")));
        assert!(!short_person(&t("Bill Gates"), &t("Melinda French Gates")));
        assert!(!short_person(&t("French"), &t("Melinda French Gates")));
        assert!(!short_person(&t("Lisa Su"), &t("Lisa Su")));
        assert!(short_org(&t("Ampere"), &t("Ampere Computing")));
        assert!(!short_org(&t("Computing"), &t("Ampere Computing")));
        assert!(!short_org(&t("Le"), &t("Le Monde")));
    }

    fn models() -> Option<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let p = std::env::var_os("VIGIE_MODELS").map(PathBuf::from).unwrap_or_else(|| root.join("models"));
        if p.join("e5-small/model.safetensors").exists() {
            Some(p)
        } else {
            crate::testing::absent(&p, "run `make models`");
            None
        }
    }

    /// The repairs, applied to the head's spans on the gold words of the three NER dev
    /// sets (each sentence its own article), do not lower F1 against the gold spans.
    /// A measurement (the encoder over 5,500 sentences): `cargo test -p vigie-pipeline
    /// --lib repairs_keep_the_dev_f1 -- --ignored --nocapture`. On the first 600 sentences
    /// of each set (`VIGIE_REPAIRS_SENTENCES=600`, auto precision, 2026-12-01): F1
    /// wikineural_fr_val 0.8931 -> 0.9008, wikineural_en_val 0.8495 -> 0.8526,
    /// conll_en_val 0.9252 -> 0.9273; the full sets take about 20 minutes a set on the
    /// shared machine and were not run to the end with these repairs.
    #[test]
    #[ignore = "measurement over the three NER dev sets (minutes)"]
    fn repairs_keep_the_dev_f1() {
        use crate::encoder::{Device, Encoder, EncoderOptions};
        use crate::ner::{predict, sentence_features, NerHead};
        let Some(models) = models() else { return };
        let head = NerHead::builtin(Device::Cpu);
        // the precision `vigie eval ner` picks by default (auto)
        let opts = EncoderOptions { max_layers: head.cfg.layers.iter().copied().max(), ..Default::default() };
        let encoder = Encoder::open(&models.join("e5-small"), &opts).unwrap();
        let kb = Kb::builtin();
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ner");
        for set in ["wikineural_fr_val", "wikineural_en_val", "conll_en_val"] {
            let path = data.join(format!("{set}.conllu"));
            if !path.exists() {
                crate::testing::absent(&path, "the shared data sets live beside the checkout");
                continue;
            }
            let mut gold = read_gold(&format!("{}#dev", path.display())).unwrap();
            // VIGIE_REPAIRS_SENTENCES=N: the first N sentences of each set only (a quicker look)
            if let Some(n) = std::env::var("VIGIE_REPAIRS_SENTENCES").ok().and_then(|n| n.parse().ok()) {
                gold.truncate(n);
            }
            let mut feats = Vec::new();
            for chunk in gold.chunks(512) {
                let ws: Vec<Vec<String>> = chunk.iter().map(|s| s.words.clone()).collect();
                feats.extend(sentence_features(&encoder, &ws, &head.cfg.layers));
            }
            let pred = predict(&head, &feats);
            let fixed: Vec<Vec<String>> = gold
                .iter()
                .zip(&pred)
                .map(|(s, tags)| {
                    let (text, spans) = join_words(&s.words);
                    let ranges = std::iter::once(0..spans.len()).collect::<Vec<_>>();
                    let a = Article { text: &text, title_len: 0, words: &spans, sentences: &ranges };
                    let mut out = vec!["O".to_string(); spans.len()];
                    for sp in repair(&a, &[decode_spans(tags)], &kb) {
                        for (k, t) in out[sp.start..sp.end].iter_mut().enumerate() {
                            *t = format!("{}-{}", if k == 0 { "B" } else { "I" }, sp.kind);
                        }
                    }
                    out
                })
                .collect();
            let tags: Vec<Vec<String>> = gold.iter().map(|s| s.tags.clone()).collect();
            // the gold spans the head found and the repairs lost, to see which repair costs them
            for ((s, g), (p, f)) in gold.iter().zip(&tags).zip(pred.iter().zip(&fixed)) {
                let (g, f) = (decode_spans(g), decode_spans(f));
                for sp in decode_spans(p).into_iter().filter(|sp| g.contains(sp) && !f.contains(sp)) {
                    let now: Vec<String> = f
                        .iter()
                        .filter(|x| x.start < sp.end && sp.start < x.end)
                        .map(|x| format!("{}/{}", s.words[x.start..x.end].join(" "), x.kind))
                        .collect();
                    eprintln!("  lost {}/{} -> {now:?} in: {}", s.words[sp.start..sp.end].join(" "), sp.kind, s.words.join(" "));
                }
            }
            let (before, after) = (score(&tags, &pred), score(&tags, &fixed));
            eprintln!(
                "{set}: F1 {:.4} -> {:.4}, F1(PER,ORG,LOC) {:.4} -> {:.4}",
                before.f1, after.f1, before.f1_per_org_loc, after.f1_per_org_loc
            );
            for (k, b) in &before.by_type {
                let a = &after.by_type[k];
                eprintln!("  {k}: predicted {} -> {}, correct {} -> {}", b.predicted, a.predicted, b.correct, a.correct);
            }
            assert!(after.f1 >= before.f1 && after.f1_per_org_loc >= before.f1_per_org_loc, "{set}: repairs lower F1");
        }
    }
}
