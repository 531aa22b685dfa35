//! The label set and BIO decoding into typed spans.

/// Label ids of the head's output.
pub const LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

pub fn label_id(tag: &str) -> i64 {
    LABELS.iter().position(|l| *l == tag).unwrap_or(0) as i64
}

/// A typed span of words `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

/// Spans of a tag sequence; an `I-` that does not continue a span of its type starts one
/// (CoNLL evaluation's convention).
pub fn decode_spans<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut open: Option<Span> = None;
    for (i, t) in tags.iter().enumerate() {
        let t = t.as_ref();
        let (bio, kind) = t.split_once('-').unwrap_or(("O", ""));
        let continues = bio == "I" && open.as_ref().is_some_and(|s| s.kind == kind);
        if continues {
            if let Some(s) = open.as_mut() {
                s.end = i + 1;
            }
            continue;
        }
        if let Some(s) = open.take() {
            out.push(s);
        }
        if bio == "B" || bio == "I" {
            open = Some(Span { start: i, end: i + 1, kind: kind.to_string() });
        }
    }
    if let Some(s) = open {
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bio_with_stray_inside_tags() {
        let s = decode_spans(&["B-PER", "I-PER", "O", "I-ORG", "I-ORG", "B-LOC", "B-LOC", "I-PER"]);
        let k: Vec<(usize, usize, &str)> = s.iter().map(|s| (s.start, s.end, s.kind.as_str())).collect();
        assert_eq!(k, vec![(0, 2, "PER"), (3, 5, "ORG"), (5, 6, "LOC"), (6, 7, "LOC"), (7, 8, "PER")]);
    }
}
