//! Stable document ids: from the canonical URL when there is one, else from source,
//! title and body; the same article read twice gets the same id.

use vigie_schemas::DocId;
use xxhash_rust::xxh3::xxh3_128;

/// Query parameters that track the reader, not the article.
fn is_tracking_param(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.starts_with("utm_")
        || k.starts_with("at_")
        || matches!(
            k.as_str(),
            "fbclid"
                | "gclid"
                | "xtor"
                | "xtref"
                | "ref"
                | "ref_src"
                | "cmpid"
                | "mc_cid"
                | "mc_eid"
                | "ocid"
                | "smid"
                | "partner"
                | "feature"
                | "rss"
                | "from"
        )
}

/// The URL without scheme, `www.`, fragment, tracking parameters and trailing slash,
/// with the remaining query sorted: http/https and syndication variants meet.
pub fn canonical_url(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let mut params: Vec<(String, String)> =
        u.query_pairs().filter(|(k, _)| !is_tracking_param(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    params.sort();
    let mut path = u.path().to_string();
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    let mut out = format!("{host}{path}");
    if let Some(p) = u.port() {
        out = format!("{host}:{p}{path}");
    }
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
    }
    Some(out)
}

/// A 32-hex-digit id: of the canonical URL, else of source + title + body.
pub fn doc_id(url: Option<&str>, source: Option<&str>, title: &str, body: &str) -> DocId {
    let key = match url.and_then(canonical_url) {
        Some(c) => format!("url\u{1f}{c}"),
        None => format!("text\u{1f}{}\u{1f}{}\u{1f}{}", source.unwrap_or(""), title, body),
    };
    DocId(format!("{:032x}", xxh3_128(key.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_url_drops_tracking_and_variants() {
        assert_eq!(
            canonical_url("https://www.Example.com/a/b/?utm_source=rss&id=3&xtor=RSS-1#top").as_deref(),
            Some("example.com/a/b?id=3")
        );
        assert_eq!(canonical_url("not a url"), None);
    }
}
