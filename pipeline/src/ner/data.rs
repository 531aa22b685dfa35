//! Gold data readers: CoNLL-style `idx<TAB>token<TAB>IOB2` files and CLEF-HIPE TSV,
//! with a deterministic held-out split (`FILE#train` / `FILE#dev`: every fifth
//! sentence is dev).

use crate::{Error, Result};
use std::path::Path;

/// One sentence: words and their IOB2 tags over PER, ORG, LOC, MISC.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub tags: Vec<String>,
}

/// Which part of a file to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    All,
    /// sentences whose index is not a multiple of 5
    Train,
    /// every fifth sentence
    Dev,
}

/// `path#train`, `path#dev` or `path`.
pub fn parse_spec(spec: &str) -> (&str, Split) {
    match spec.rsplit_once('#') {
        Some((p, "train")) => (p, Split::Train),
        Some((p, "dev")) => (p, Split::Dev),
        _ => (spec, Split::All),
    }
}

/// Reads `FILE[#train|#dev]`; `.tsv` files are read as HIPE. The error names the file
/// (and the line) that cannot be read.
pub fn read_gold(spec: &str) -> Result<Vec<Sentence>> {
    let (path, split) = parse_spec(spec);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let all = if Path::new(path).extension().is_some_and(|e| e == "tsv") { hipe(&text) } else { conll(&text, path)? };
    Ok(all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| match split {
            Split::All => true,
            Split::Train => i % 5 != 0,
            Split::Dev => i % 5 == 0,
        })
        .map(|(_, s)| s)
        .collect())
}

fn conll(text: &str, path: &str) -> Result<Vec<Sentence>> {
    let mut out = Vec::new();
    let mut cur = Sentence { words: vec![], tags: vec![] };
    let flush = |cur: &mut Sentence, out: &mut Vec<Sentence>| {
        if !cur.words.is_empty() && cur.words[0] != "-DOCSTART-" {
            out.push(std::mem::replace(cur, Sentence { words: vec![], tags: vec![] }));
        } else {
            cur.words.clear();
            cur.tags.clear();
        }
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            flush(&mut cur, &mut out);
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(Error::Gold { file: path.to_string(), line: n + 1, message: "expected idx<TAB>token<TAB>tag".into() });
        }
        cur.words.push(cols[1].to_string());
        cur.tags.push(normalize_tag(cols[2]));
    }
    flush(&mut cur, &mut out);
    Ok(out)
}

/// HIPE coarse literal tags: pers/org/loc kept as PER/ORG/LOC; prod and time dropped
/// (no counterpart in the CoNLL label set).
fn hipe(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut cur = Sentence { words: vec![], tags: vec![] };
    for line in text.lines() {
        if line.starts_with("TOKEN\t") {
            continue;
        }
        if line.starts_with("# document_id") || line.trim().is_empty() {
            if !cur.words.is_empty() {
                out.push(std::mem::replace(&mut cur, Sentence { words: vec![], tags: vec![] }));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 {
            continue;
        }
        let tag = match cols[1].split_once('-') {
            Some((bio, t)) => match t {
                "pers" => format!("{bio}-PER"),
                "org" => format!("{bio}-ORG"),
                "loc" => format!("{bio}-LOC"),
                _ => "O".into(),
            },
            None => "O".into(),
        };
        cur.words.push(cols[0].to_string());
        cur.tags.push(tag);
        if cols.last().is_some_and(|m| m.contains("PySBDSegment")) {
            out.push(std::mem::replace(&mut cur, Sentence { words: vec![], tags: vec![] }));
        }
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    out
}

fn normalize_tag(t: &str) -> String {
    let t = t.trim();
    match t.split_once('-') {
        Some((b, ty)) if matches!(b, "B" | "I") && matches!(ty, "PER" | "ORG" | "LOC" | "MISC") => t.to_string(),
        _ => "O".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_conll_and_hipe() {
        let c = conll("0\t-DOCSTART-\tO\n\n0\tEU\tB-ORG\n1\trejects\tO\n\n0\tParis\tB-LOC\n", "t").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].tags, vec!["B-ORG", "O"]);
        let h = hipe("TOKEN\tNE-COARSE-LIT\tX\n# document_id = a\nM\tB-pers\t_\n.\tI-pers\t_\nHagenbeck\tI-pers\tPySBDSegment\nle\tO\t_\n1888\tB-time\t_\n");
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].tags, vec!["B-PER", "I-PER", "I-PER"]);
        assert_eq!(h[1].tags, vec!["O", "O"]);
        assert_eq!(parse_spec("a.conllu#dev"), ("a.conllu", Split::Dev));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        use std::error::Error as _;
        let e = conll("0\tEU\tB-ORG\n\n0\tParis\n", "gold.conll").unwrap_err();
        assert!(matches!(e, Error::Gold { line: 3, .. }), "{e}");
        assert_eq!(e.to_string(), "gold.conll:3: expected idx<TAB>token<TAB>tag");
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.conll");
        let e = read_gold(&format!("{}#dev", missing.display())).unwrap_err();
        assert!(matches!(&e, Error::Io { path, .. } if path == &missing), "{e}");
        assert!(e.source().is_some_and(|s| s.is::<std::io::Error>()));
    }
}
