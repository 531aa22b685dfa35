//! Managing rules, as every front end does it: adding one (checked as a rule file is),
//! listing them with their delivery state, removing one, and testing one against the
//! whole index (what it would notify, delivering nothing).

use super::state::RuleState;
use super::store::{check_name, check_rule, AlertStore, RULE_VERSION};
use crate::{Clock, DataDir, Error, Result};
use serde::Serialize;
use std::collections::HashSet;
use vigie_index::alerts::{BatchDoc, BatchIndex};
use vigie_index::{SearchRequest, SortBy, VigieIndex};
use vigie_schemas::{AlertRule, EntityId, Notification, NotifyPer, NotifySink};

/// A rule as a front end takes it, before it is checked and saved.
#[derive(Debug, Clone)]
pub struct NewRule {
    pub name: String,
    /// tantivy query syntax, as for search
    pub query: String,
    pub lang: Option<String>,
    pub entity: Option<EntityId>,
    pub source: Option<String>,
    pub notify: NotifySink,
    /// one digest per period instead of each match at once
    pub digest_seconds: Option<u64>,
    /// where in the period its end falls (see `AlertRule::digest_offset_seconds`)
    pub digest_offset_seconds: Option<u64>,
    /// what is notified once: each story, or each copy group
    pub per: NotifyPer,
}

/// A digest period and its offset as given (`1d`, `8h`) in seconds: the period above
/// zero, the offset from zero (the rule's checks bound both). The error names the value
/// by `names` (the flag or field it came from) and says how to write it.
pub fn digest_schedule(
    period: Option<&str>,
    offset: Option<&str>,
    names: (&str, &str),
) -> std::result::Result<(Option<u64>, Option<u64>), String> {
    let seconds = |v: &str, min: i64| crate::params::duration(v).map(|d| d.num_seconds()).filter(|s| *s >= min).map(|s| s as u64);
    let period =
        period.map(|d| seconds(d, 1).ok_or_else(|| format!("{} {d:?}: use a period such as 90s, 30m, 1h, 1d", names.0))).transpose()?;
    let offset = offset.map(|d| seconds(d, 0).ok_or_else(|| format!("{} {d:?}: use a duration such as 8h or 30m", names.1))).transpose()?;
    Ok((period, offset))
}

/// Checks and saves a new rule. It watches what is ingested from now on (its watermark
/// is the index's next sequence number; [`test_rule`] shows the back catalogue).
pub fn add_rule(data: &DataDir, new: NewRule, clock: &dyn Clock) -> Result<AlertRule> {
    check_name(&new.name)?;
    let checker = BatchIndex::build(Vec::new())?;
    checker.check(&new.query).map_err(|e| Error::Config(format!("alert {}: malformed query: {e}", new.name)))?;
    let store = AlertStore::new(data);
    let _lock = store.lock()?;
    if store.get(&new.name)?.is_some() {
        return Err(Error::Config(format!("alert {} exists (vigie alerts rm {} first)", new.name, new.name)));
    }
    let next_seq = match VigieIndex::open(&data.index_dir()) {
        Ok(i) => i.next_seq()?,
        Err(vigie_index::Error::Missing(_)) => 0,
        Err(e) => return Err(e.into()),
    };
    let rule = AlertRule {
        version: RULE_VERSION,
        name: new.name,
        query: new.query,
        lang: new.lang,
        entity: new.entity,
        source: new.source,
        notify: new.notify,
        digest_seconds: new.digest_seconds,
        digest_offset_seconds: new.digest_offset_seconds,
        per: new.per,
        created: clock.now(),
    };
    // the checks a rule file written by hand goes through (one place for both)
    check_rule(&rule, &checker)?;
    store.add(&rule, next_seq)?;
    Ok(rule)
}

/// A saved rule with its delivery state (a line of `vigie alerts list --json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ListedRule {
    #[serde(flatten)]
    pub rule: AlertRule,
    /// documents below this sequence number were matched already
    pub watermark: u64,
    /// stories notified (copy groups, for a rule that notifies each copy group)
    pub notified_stories: usize,
    pub delivered: u64,
    /// matched, not yet confirmed by the sink
    pub pending: usize,
    pub dead_lettered: u64,
    /// when the running digest period ends (digest rules)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_digest: Option<chrono::DateTime<chrono::Utc>>,
}

/// Every valid rule, sorted by name, with its delivery state.
pub fn list_rules(data: &DataDir) -> Result<Vec<ListedRule>> {
    let store = AlertStore::new(data);
    let marks = store.watermarks()?;
    let mut rows = Vec::new();
    for rule in store.rules()? {
        let st = store.state(&rule.name)?.unwrap_or_else(|| RuleState::new(0, rule.created));
        rows.push(ListedRule {
            watermark: st.next_seq.max(marks.get(&rule.name).copied().unwrap_or(0)),
            notified_stories: st.notified.len(),
            delivered: st.delivered,
            pending: st.outbox.len(),
            dead_lettered: st.dead_lettered,
            next_digest: rule
                .digest_seconds
                .and_then(|p| super::digest_period_end(st.last_digest, p, rule.digest_offset_seconds.unwrap_or(0))),
            rule,
        });
    }
    Ok(rows)
}

/// One saved rule; a usage error when there is none of that name.
pub fn get_rule(data: &DataDir, name: &str) -> Result<AlertRule> {
    AlertStore::new(data).get(name)?.ok_or_else(|| no_such_rule(name))
}

fn no_such_rule(name: &str) -> Error {
    Error::Config(format!("no alert named {name}"))
}

/// Deletes a rule and its delivery state. Returns how many undelivered notifications
/// went with it.
pub fn remove_rule(data: &DataDir, name: &str) -> Result<usize> {
    let store = AlertStore::new(data);
    let _lock = store.lock()?;
    if store.get(name)?.is_none() {
        return Err(no_such_rule(name));
    }
    Ok(store.remove(name)?.map_or(0, |s| s.outbox.len()))
}

/// What a rule matches in the whole index (`vigie alerts test`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RuleTest {
    /// documents in the index the rule matches
    pub total: usize,
    /// the notifications the rule would send for the newest `limit` stories, newest
    /// first, matched terms included (nothing is delivered)
    pub notifications: Vec<Notification>,
}

/// Matches `rule` against the whole index: how many documents, and the notifications
/// of the newest `limit` stories (at least one), one per story as the rule notifies (one
/// per copy group for a rule that notifies each copy group).
pub fn test_rule(index: &VigieIndex, rule: &AlertRule, limit: usize) -> Result<RuleTest> {
    let q = super::rule_query(rule);
    let total = index.count(&q.query, &q.filters)?;
    let limit = limit.max(1);
    // newest first; five hits read per story shown, as copies and stories repeat
    let res = index.search(&SearchRequest {
        query: q.query.clone(),
        filters: q.filters.clone(),
        limit: limit.min(10_000).saturating_mul(5),
        offset: 0,
        sort: SortBy::Date,
    })?;
    let mut seen = HashSet::new();
    let hits: Vec<_> = res
        .hits
        .into_iter()
        .filter(|h| {
            let group = h.dup_of.clone().unwrap_or_else(|| h.id.clone());
            seen.insert(match rule.per {
                NotifyPer::Story => h.story_id.clone().unwrap_or(group),
                NotifyPer::CopyGroup => group,
            })
        })
        .take(limit)
        .collect();
    // the notifications the rule would send, matched terms included
    let mut docs = Vec::with_capacity(hits.len());
    for h in &hits {
        if let Some(d) = index.get(&h.id)? {
            docs.push(BatchDoc { seq: docs.len() as u64, doc: d });
        }
    }
    let batch = BatchIndex::build(docs)?;
    let mut terms: Vec<Vec<String>> = vec![Vec::new(); batch.docs().len()];
    for m in batch.run(&q, 0)? {
        terms[m.doc] = m.terms;
    }
    let notifications = batch.docs().iter().zip(terms).map(|(d, t)| super::notification(&rule.name, d, t)).collect();
    Ok(RuleTest { total, notifications })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IngestOptions, Session, SystemClock};
    use vigie_pipeline::ingest::{FormatChoice, Input};
    use vigie_pipeline::lang::{LangConfig, LangDetector};

    fn new_rule(name: &str, query: &str) -> NewRule {
        NewRule {
            name: name.into(),
            query: query.into(),
            lang: None,
            entity: None,
            source: None,
            notify: NotifySink::Stdout,
            digest_seconds: None,
            digest_offset_seconds: None,
            per: NotifyPer::Story,
        }
    }

    /// A rule added after two stories watches from there on; testing it shows the back
    /// catalogue (each story once, matched terms included); removing it is final.
    #[test]
    fn rules_are_added_listed_tested_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path().join("data"));
        let e = add_rule(&data, new_rule("broken", "nvidia AND ("), &SystemClock).unwrap_err();
        assert!(e.to_string().starts_with("alert broken: malformed query"), "{e}");
        assert!(add_rule(&data, new_rule("../x", "nvidia"), &SystemClock).is_err());
        let lines = [
            serde_json::json!({"id": "a", "title": "Nvidia opens a lab in Paris", "body": "The chip maker will hire engineers in the French capital over three years.", "lang": "en"}),
            serde_json::json!({"id": "b", "title": "Nvidia sponsors a cycling team", "body": "The Tour de France squad will carry the logo of the company on its jerseys.", "lang": "en"}),
        ];
        let input = tmp.path().join("a.jsonl");
        std::fs::write(&input, lines.iter().map(|l| l.to_string() + "\n").collect::<String>()).unwrap();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let mut s = Session::open(data.clone()).unwrap();
        let opts = IngestOptions::new(FormatChoice::Auto, &lang, None);
        s.ingest(&[Input::Path(input)], &opts, &mut (), &std::sync::atomic::AtomicBool::new(false)).unwrap();

        let rule = add_rule(&data, new_rule("chips", "nvidia"), &SystemClock).unwrap();
        let e = add_rule(&data, new_rule("chips", "amd"), &SystemClock).unwrap_err();
        assert!(e.to_string().contains("alert chips exists"), "{e}");
        let listed = list_rules(&data).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].rule.name.as_str(), listed[0].watermark, listed[0].pending), ("chips", 2, 0));
        let json = serde_json::to_value(&listed[0]).unwrap();
        assert_eq!((json["query"].as_str(), json["watermark"].as_u64()), (Some("nvidia"), Some(2)), "{json}");

        let t = test_rule(s.index(), &rule, 20).unwrap();
        assert_eq!(t.total, 2);
        let mut ids: Vec<&str> = t.notifications.iter().map(|n| n.document_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
        assert!(t.notifications.iter().all(|n| n.rule == "chips" && !n.matched_terms.is_empty()), "{:?}", t.notifications);
        assert_eq!(test_rule(s.index(), &rule, 0).unwrap().notifications.len(), 1, "at least one story");

        assert_eq!(remove_rule(&data, "chips").unwrap(), 0);
        assert!(list_rules(&data).unwrap().is_empty());
        assert_eq!(remove_rule(&data, "chips").unwrap_err().to_string(), "no alert named chips");
        assert_eq!(get_rule(&data, "chips").unwrap_err().kind(), crate::ErrorKind::Usage);
        s.close().unwrap();
    }
}
