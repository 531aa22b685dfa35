//! Keyword alerts: saved rules matched against the documents committed since each
//! rule's watermark (reverse search over an in-memory index of the new batch), and
//! delivered once per story (or, for a rule that asks for every development, once per
//! copy group) to stdout, a file or a webhook, at once or in digests.

mod rules;
mod sinks;
mod state;
mod store;
/// A valid rule (query "nvidia", stdout) for the engine's tests to vary.
#[cfg(test)]
pub(crate) use store::tests::rule as a_rule;

pub use rules::{add_rule, digest_schedule, get_rule, list_rules, remove_rule, test_rule, ListedRule, NewRule, RuleTest};
pub use sinks::{describe, parse_sink, Failed, Notifier, Sinks, WebhookPolicy};
pub use state::RuleState;
pub use store::{check_name, check_rule, save_json, AlertStore, RULE_VERSION};

use crate::{Clock, DataDir, Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use vigie_index::alerts::{BatchDoc, BatchIndex, RuleQuery};
use vigie_index::{Filters, VigieIndex};
use vigie_schemas::{AlertRule, Digest, Document, EntityId, Notification, NotifyPer, NotifySink};

/// Documents matched per in-memory batch index.
const MATCH_CHUNK: u64 = 5000;

/// What one alerts run did.
#[derive(Debug, Default, Clone, Serialize, schemars::JsonSchema)]
pub struct RunSummary {
    pub rules: usize,
    /// documents matched against (the batch since the oldest watermark)
    pub documents: usize,
    /// rule/document matches, copies and already notified stories included
    pub matches: usize,
    /// new notifications (one per rule and story)
    pub notifications: usize,
    pub delivered: usize,
    pub digests: usize,
    pub dead_lettered: usize,
    /// waiting in outboxes (digest periods not over, or a sink that failed)
    pub pending: usize,
    pub match_ms: f64,
    /// deliveries that failed for good, their notifications written to the dead-letter
    /// file (absent from the JSON when there is none)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<DeliveryFailure>,
}

/// A delivery given up on.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DeliveryFailure {
    pub rule: String,
    pub reason: String,
    pub notifications: usize,
    pub dead_letter: std::path::PathBuf,
}

impl std::fmt::Display for DeliveryFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "alert {}: {} ({} notifications written to {})", self.rule, self.reason, self.notifications, self.dead_letter.display())
    }
}

/// The filters of a rule, as the matcher takes them.
pub fn rule_query(r: &AlertRule) -> RuleQuery {
    RuleQuery {
        query: r.query.clone(),
        filters: Filters {
            lang: r.lang.clone(),
            source: r.source.clone(),
            entity: r.entity.as_ref().map(|e| e.0.clone()),
            ..Default::default()
        },
    }
}

/// The key a rule notifies once: per story, the story, else the original a copy
/// duplicates, else the document itself; per copy group, the original a copy duplicates,
/// else the document itself.
fn notify_key(per: NotifyPer, doc: &Document, index: &VigieIndex, originals: &mut HashMap<String, Option<String>>) -> String {
    if per == NotifyPer::CopyGroup {
        return doc.dup_of.as_ref().unwrap_or(&doc.id).0.clone();
    }
    if let Some(s) = &doc.story_id {
        return s.clone();
    }
    if let Some(orig) = &doc.dup_of {
        let story =
            originals.entry(orig.0.clone()).or_insert_with(|| index.get(orig.as_str()).ok().flatten().and_then(|d| d.story_id)).clone();
        return story.unwrap_or_else(|| orig.0.clone());
    }
    doc.id.0.clone()
}

/// The notification of one matched document.
pub fn notification(rule: &str, d: &BatchDoc, terms: Vec<String>) -> Notification {
    let doc = &d.doc;
    Notification {
        rule: rule.to_string(),
        document_id: doc.id.clone(),
        title: doc.title.clone(),
        url: doc.url.clone(),
        source: doc.source.clone(),
        published: doc.published,
        lang: doc.lang.0.clone(),
        story_id: doc.story_id.clone(),
        matched_terms: terms,
        entities: doc.entities.iter().map(|e| e.id.clone()).collect::<Vec<EntityId>>(),
    }
}

/// Matches every rule of the data directory against the documents of `index` committed
/// since its watermark, queues the new notifications, and delivers what is due. Holds
/// the alerts lock throughout.
pub fn run(data: &DataDir, index: &VigieIndex, notifier: &mut dyn Notifier, clock: &dyn Clock) -> Result<RunSummary> {
    let store = AlertStore::new(data);
    let rules = store.rules()?;
    let mut summary = RunSummary { rules: rules.len(), ..Default::default() };
    if rules.is_empty() {
        return Ok(summary);
    }
    let _lock = store.lock()?;
    let now = clock.now();
    let next = index.next_seq()?;
    let mut states = Vec::with_capacity(rules.len());
    for r in &rules {
        // a rule file written by hand has no state yet: it watches the documents
        // ingested since it was written (the later of its `created` and the file's
        // time, so that an old rule copied in does not replay the archive), and its
        // state is saved at once: before, every run started it "from now" again and it
        // never saw a document
        let st = match store.state(&r.name)? {
            Some(st) => st,
            None => {
                let written = store.rule_modified(&r.name).map_or(r.created, |m| m.max(r.created));
                let from = if written > now { next } else { index.first_seq_ingested_since(written)?.unwrap_or(next).min(next) };
                let st = RuleState::new(from, now);
                store.save_state(&r.name, &st)?;
                tracing::info!(rule = %r.name, watermark = from, "new rule file: watching from {written}");
                st
            }
        };
        states.push(st);
    }
    let marks = store.watermarks()?;
    for (r, st) in rules.iter().zip(states.iter_mut()) {
        st.next_seq = st.next_seq.max(marks.get(&r.name).copied().unwrap_or(0));
        // a file delivery a crash interrupted: what reached the file leaves the outbox
        if let (Some(off), NotifySink::File { path }) = (st.file_mark, &r.notify) {
            recover_file(Path::new(path), off, r, st);
            st.file_mark = None;
            store.save_state(&r.name, st)?;
        }
    }

    // digests whose period ended before this run go out with what was queued before it:
    // what this run matches belongs to the period running now
    for (r, st) in rules.iter().zip(states.iter_mut()).filter(|(r, _)| r.digest_seconds.is_some()) {
        deliver(&store, notifier, r, st, now, &mut summary)?;
    }

    // match: in-memory indexes of what arrived since the oldest watermark, a chunk at a
    // time so that a large first ingest does not sit in memory at once
    let mut from = states.iter().map(|s| s.next_seq).min().unwrap_or(next);
    let t = std::time::Instant::now();
    let mut originals = HashMap::new();
    while from < next {
        let to = next.min(from.saturating_add(MATCH_CHUNK));
        let docs = index.documents_between(from, to)?;
        summary.documents += docs.len();
        let batch = BatchIndex::build(docs)?;
        for (r, st) in rules.iter().zip(states.iter_mut()) {
            if st.next_seq >= to {
                continue;
            }
            let matches =
                batch.run(&rule_query(r), st.next_seq).map_err(|e| Error::Rule { name: r.name.clone(), source: Box::new(e.into()) })?;
            summary.matches += matches.len();
            let queued = st.outbox.len();
            for m in matches {
                let d = &batch.docs()[m.doc];
                let key = notify_key(r.per, &d.doc, index, &mut originals);
                if st.notified.contains_key(&key) {
                    continue;
                }
                st.notified.insert(key, now);
                st.outbox.push(notification(&r.name, d, m.terms));
                summary.notifications += 1;
            }
            st.next_seq = to;
            if st.outbox.len() > queued {
                st.prune(now);
                if let (NotifySink::File { path }, None) = (&r.notify, r.digest_seconds) {
                    // delivery follows at once: its file mark rides on this write
                    st.file_mark = Some(file_len(path));
                }
                // the watermark and the queued notifications are written together
                store.save_state(&r.name, st)?;
            }
        }
        // the other rules' watermarks go in one shared file: one write per chunk instead
        // of one per rule (a crash before it only means matching the chunk again, which
        // finds nothing new for a rule that matched nothing)
        store.save_watermarks(rules.iter().zip(states.iter()).map(|(r, st)| (r.name.clone(), st.next_seq)).collect())?;
        from = to;
    }
    summary.match_ms = t.elapsed().as_secs_f64() * 1000.0;

    // deliver what is due
    for (r, st) in rules.iter().zip(states.iter_mut()) {
        deliver(&store, notifier, r, st, now, &mut summary)?;
        summary.pending += st.outbox.len();
    }
    Ok(summary)
}

/// Digest periods are counted from this Monday, 1970-01-05 00:00 UTC: a daily period
/// ends at midnight UTC, a weekly one on Monday, an hourly one on the hour.
const DIGEST_ANCHOR_SECONDS: i64 = 4 * 86_400;

/// The end of the digest period that `t` falls in: the first period boundary after `t`
/// (boundaries at `anchor + offset + k * period`); `None` past the calendar's end.
pub fn digest_period_end(t: DateTime<Utc>, period: u64, offset: u64) -> Option<DateTime<Utc>> {
    let p = i64::try_from(period).ok().filter(|p| *p > 0)?;
    let base = DIGEST_ANCHOR_SECONDS.checked_add(i64::try_from(offset).ok()?)?;
    let k = t.timestamp().checked_sub(base)?.div_euclid(p).checked_add(1)?;
    DateTime::from_timestamp(base.checked_add(k.checked_mul(p)?)?, 0)
}

/// Delivers a rule's outbox: each notification at once, or one digest when its period
/// is over (on the calendar: see [`digest_period_end`]). The state is saved after every confirmation.
fn deliver(
    store: &AlertStore,
    sinks: &mut dyn Notifier,
    r: &AlertRule,
    st: &mut RuleState,
    now: DateTime<Utc>,
    summary: &mut RunSummary,
) -> Result<()> {
    if let Some(period) = r.digest_seconds {
        let offset = r.digest_offset_seconds.unwrap_or(0);
        // a period past the calendar's end never ends (rules are checked to 1,000 years)
        let due = digest_period_end(st.last_digest, period, offset);
        if due.is_none_or(|due| now < due) {
            return Ok(());
        }
        // the last period that ended: a run late by several periods closes them in one
        let until = digest_period_end(now, period, offset)
            .and_then(|next| next.checked_sub_signed(chrono::Duration::seconds(period as i64)))
            .unwrap_or(now);
        if !st.outbox.is_empty() {
            let digest =
                Digest { rule: r.name.clone(), since: st.last_digest, until, count: st.outbox.len(), notifications: st.outbox.clone() };
            let key = digest_key(&r.name, st.last_digest, &st.outbox);
            let res = send_marked(store, sinks, r, st, &key, std::slice::from_ref(&digest))?;
            if settle(store, r, st, summary, res, std::slice::from_ref(&digest), digest.count, now)? {
                summary.digests += 1;
            }
            st.outbox.clear();
        }
        st.last_digest = until;
        st.file_mark = None;
        store.save_state(&r.name, st)?;
        return Ok(());
    }
    if !matches!(r.notify, NotifySink::Webhook { .. }) {
        // stdout and files take the whole outbox in one write (one fsync for a file)
        if st.outbox.is_empty() {
            return Ok(());
        }
        let batch = st.outbox.clone();
        let res = send_marked(store, sinks, r, st, &r.name, &batch)?;
        st.outbox.clear();
        st.file_mark = None;
        settle(store, r, st, summary, res, &batch, batch.len(), now)?;
        store.save_state(&r.name, st)?;
        return Ok(());
    }
    // webhooks: one POST per notification, the state saved after each confirmation
    while let Some(n) = st.outbox.first().cloned() {
        let key = notification_key(&r.name, &n);
        let res = send_marked(store, sinks, r, st, &key, std::slice::from_ref(&n))?;
        st.outbox.remove(0);
        let delivered = settle(store, r, st, summary, res, std::slice::from_ref(&n), 1, now)?;
        store.save_state(&r.name, st)?;
        if !delivered {
            // the sink is down: the rest waits in the outbox for the next run
            break;
        }
    }
    Ok(())
}

/// The Idempotency-Key of one notification: the rule and the document, the same on
/// every retry and after a crash. Kept to visible ASCII (a header value); a document id
/// that is not is hashed.
pub fn notification_key(rule: &str, n: &Notification) -> String {
    let id = n.document_id.as_str();
    if !id.is_empty() && id.len() <= 200 && id.bytes().all(|b| b.is_ascii_graphic()) {
        format!("{rule}:{id}")
    } else {
        format!("{rule}:x{:016x}", xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    }
}

/// The Idempotency-Key of a digest: the rule, the period's start and the notifications
/// it carries (their document ids, sorted), never the time of sending: a retry or a
/// run after a crash sends the same digest under the same key, and a digest that
/// gained notifications meanwhile gets a new one.
pub fn digest_key(rule: &str, since: DateTime<Utc>, notes: &[Notification]) -> String {
    let mut ids: Vec<&str> = notes.iter().map(|n| n.document_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let h = xxhash_rust::xxh3::xxh3_64(ids.join("\n").as_bytes());
    format!("{rule}:digest:{}:{:016x}", since.timestamp_millis(), h)
}

/// Counts the outcome of sending `payloads` (`count` notifications); what failed goes
/// to the dead-letter file, one record per payload. Returns whether it was delivered.
#[allow(clippy::too_many_arguments)]
fn settle<T: Serialize>(
    store: &AlertStore,
    r: &AlertRule,
    st: &mut RuleState,
    summary: &mut RunSummary,
    res: std::result::Result<(), Failed>,
    payloads: &[T],
    count: usize,
    now: DateTime<Utc>,
) -> Result<bool> {
    match res {
        Ok(()) => {
            summary.delivered += count;
            st.delivered += count as u64;
            Ok(true)
        }
        Err(f) => {
            for p in payloads {
                sinks::dead_letter(&store.dead_letter_path(), &r.name, &r.notify, &f, p, now)?;
            }
            summary.failures.push(DeliveryFailure {
                rule: r.name.clone(),
                reason: f.reason.clone(),
                notifications: count,
                dead_letter: store.dead_letter_path(),
            });
            summary.dead_lettered += count;
            st.dead_lettered += count as u64;
            Ok(false)
        }
    }
}

/// Sends payloads; for file sinks, the file's length is saved first so that a crash
/// after the write is recognised by [`recover_file`].
fn send_marked<T: Serialize>(
    store: &AlertStore,
    sinks: &mut dyn Notifier,
    r: &AlertRule,
    st: &mut RuleState,
    key: &str,
    payloads: &[T],
) -> Result<std::result::Result<(), Failed>> {
    if let (NotifySink::File { path }, None) = (&r.notify, st.file_mark) {
        st.file_mark = Some(file_len(path));
        store.save_state(&r.name, st)?;
    }
    let mut lines = String::new();
    for p in payloads {
        match serde_json::to_string(p) {
            Ok(t) => {
                lines.push_str(&t);
                lines.push('\n');
            }
            Err(e) => return Ok(Err(Failed { reason: format!("cannot serialize the notification: {e}"), attempts: 0 })),
        }
    }
    Ok(sinks.send(&r.notify, key, &lines))
}

fn file_len(path: &str) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// After a crash during a file delivery: notifications already in the file after the
/// mark leave the outbox instead of being written again.
fn recover_file(path: &Path, mark: u64, r: &AlertRule, st: &mut RuleState) {
    use std::io::{Read, Seek, SeekFrom};
    let mut text = String::new();
    let Ok(mut f) = std::fs::File::open(path) else { return };
    if f.seek(SeekFrom::Start(mark)).is_err() || f.read_to_string(&mut text).is_err() {
        return;
    }
    let mut written: HashSet<String> = HashSet::new();
    for line in text.lines() {
        if let Ok(n) = serde_json::from_str::<Notification>(line) {
            if n.rule == r.name {
                written.insert(n.document_id.0);
            }
        } else if let Ok(d) = serde_json::from_str::<Digest>(line) {
            if d.rule == r.name {
                written.extend(d.notifications.into_iter().map(|n| n.document_id.0));
                st.last_digest = d.until;
            }
        }
    }
    let before = st.outbox.len();
    st.outbox.retain(|n| !written.contains(&n.document_id.0));
    st.delivered += (before - st.outbox.len()) as u64;
    if before != st.outbox.len() {
        tracing::info!(rule = %r.name, recovered = before - st.outbox.len(), "file deliveries found after a crash");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(rule: &str, id: &str) -> Notification {
        Notification {
            rule: rule.into(),
            document_id: id.into(),
            title: "t".into(),
            url: None,
            source: None,
            published: None,
            lang: "en".into(),
            story_id: None,
            matched_terms: vec![],
            entities: vec![],
        }
    }

    #[test]
    fn lines_written_before_a_crash_leave_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let before = serde_json::to_string(&note("r", "old")).unwrap() + "\n";
        std::fs::write(&path, &before).unwrap();
        let mark = before.len() as u64;
        // the crash came after "a" was written (and another rule's line), before the save
        let after = [note("r", "a"), note("other", "b")].iter().map(|n| serde_json::to_string(n).unwrap() + "\n").collect::<String>();
        std::fs::write(&path, before + &after + "{\"partial").unwrap();
        let rule = AlertRule {
            version: 1,
            name: "r".into(),
            query: "x".into(),
            lang: None,
            entity: None,
            source: None,
            notify: NotifySink::File { path: path.display().to_string() },
            digest_seconds: None,
            digest_offset_seconds: None,
            per: Default::default(),
            created: Utc::now(),
        };
        let mut st = RuleState::new(0, Utc::now());
        st.outbox = vec![note("r", "a"), note("r", "b"), note("r", "old")];
        recover_file(&path, mark, &rule, &mut st);
        let left: Vec<&str> = st.outbox.iter().map(|n| n.document_id.as_str()).collect();
        // "old" was before the mark: not this delivery's, so it stays
        assert_eq!(left, ["b", "old"]);
        assert_eq!(st.delivered, 1);
    }

    /// A clock the test moves.
    struct At(std::sync::Mutex<DateTime<Utc>>);

    impl Clock for At {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    const T0: &str = "2026-03-02T08:00:00Z";

    /// A data directory with one rule (`name`, query "nvidia", created at [`T0`]) and
    /// three unrelated Nvidia stories ingested through a session.
    fn rule_and_stories(
        tmp: &std::path::Path,
        name: &str,
        notify: NotifySink,
        digest_seconds: Option<u64>,
    ) -> (crate::DataDir, crate::Session) {
        use crate::{DataDir, IngestOptions, Session};
        use vigie_pipeline::ingest::{FormatChoice, Input};
        use vigie_pipeline::lang::{LangConfig, LangDetector};
        let data = DataDir::new(tmp.join("data"));
        let created = T0.parse::<DateTime<Utc>>().unwrap();
        let rule = AlertRule { notify, digest_seconds, created, ..store::tests::rule(name) };
        AlertStore::new(&data).add(&rule, 0).unwrap();
        let stories = [
            (
                "n1",
                "Nvidia opens a research lab in Paris",
                "The chip maker will hire two hundred engineers in the French capital over three years.",
            ),
            (
                "n2",
                "Nvidia shares fall after export rules",
                "Washington tightened the rules on selling accelerators to several countries on Friday.",
            ),
            ("n3", "Nvidia sponsors a cycling team", "The Tour de France squad will carry the company's logo on its jerseys next summer."),
        ];
        let lines: Vec<String> =
            stories.iter().map(|(id, title, body)| serde_json::json!({"id": id, "title": title, "body": body}).to_string()).collect();
        let input = tmp.join("a.jsonl");
        std::fs::write(&input, lines.join("\n")).unwrap();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let mut session = Session::open(data.clone()).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        session.ingest(&[Input::Path(input)], &IngestOptions::new(FormatChoice::Auto, &lang, None), &mut (), &stop).unwrap();
        (data, session)
    }

    /// A digest rule queues its matches until its period is over on the engine's clock:
    /// a daily period ends at midnight UTC, whenever the rule was made; then one digest
    /// of what was queued goes out and the next period starts empty. No sleeping: the
    /// test moves the clock.
    #[test]
    fn digests_follow_the_injected_clock_and_end_on_the_calendar() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("digest.jsonl");
        let (data, session) = rule_and_stories(tmp.path(), "daily", NotifySink::File { path: out.display().to_string() }, Some(86_400));
        let t0 = T0.parse::<DateTime<Utc>>().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let clock = At(std::sync::Mutex::new(t0));
        let mut sinks = Sinks::new(WebhookPolicy::default());
        let mut run = |c: &At| run(&data, session.index(), &mut sinks, c).unwrap();
        // an hour later: matched and queued, not delivered
        *clock.0.lock().unwrap() = t0 + chrono::Duration::hours(1);
        let s = run(&clock);
        assert_eq!((s.notifications, s.digests, s.pending), (3, 0, 3), "{s:?}");
        assert!(!out.exists());
        assert_eq!(rules::list_rules(&data).unwrap()[0].next_digest, Some(at("2026-03-03T00:00:00Z")));
        // just before midnight: still the same period
        *clock.0.lock().unwrap() = at("2026-03-02T23:59:59Z");
        assert_eq!(run(&clock).digests, 0);
        // the first run after midnight: one digest of the three, for the day that ended
        *clock.0.lock().unwrap() = at("2026-03-03T00:01:00Z");
        let s = run(&clock);
        assert_eq!((s.digests, s.delivered, s.pending), (1, 3, 0), "{s:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        let d: Digest = serde_json::from_str(text.trim()).unwrap();
        assert_eq!((d.count, d.since, d.until), (3, t0, at("2026-03-03T00:00:00Z")));
        // the next period starts empty: nothing more, even days on
        *clock.0.lock().unwrap() = t0 + chrono::Duration::days(3);
        let s = run(&clock);
        assert_eq!((s.digests, s.delivered), (0, 0), "{s:?}");
        assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
        assert_eq!(rules::list_rules(&data).unwrap()[0].next_digest, Some(at("2026-03-06T00:00:00Z")));
        session.close().unwrap();
    }

    /// With an offset the period ends at that time of day; what a run matches after the
    /// period ended goes in the next digest, not the one that closes.
    #[test]
    fn an_offset_moves_the_period_end_and_late_matches_wait_for_the_next_digest() {
        use crate::IngestOptions;
        use vigie_pipeline::ingest::{FormatChoice, Input};
        use vigie_pipeline::lang::{LangConfig, LangDetector};
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("digest.jsonl");
        let (data, mut session) =
            rule_and_stories(tmp.path(), "morning", NotifySink::File { path: out.display().to_string() }, Some(86_400));
        let store = AlertStore::new(&data);
        let rule = AlertRule { digest_offset_seconds: Some(8 * 3600), ..store.get("morning").unwrap().unwrap() };
        store.add(&rule, 0).unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let clock = At(std::sync::Mutex::new(at("2026-03-02T09:00:00Z")));
        let mut sinks = Sinks::new(WebhookPolicy::default());
        assert_eq!(run(&data, session.index(), &mut sinks, &clock).unwrap().pending, 3);
        assert_eq!(rules::list_rules(&data).unwrap()[0].next_digest, Some(at("2026-03-03T08:00:00Z")));
        // a fourth story arrives after 08:00 the next day, before the run
        let input = tmp.path().join("late.jsonl");
        let late = serde_json::json!({"id": "late", "title": "Nvidia opens a Paris lab", "body": "Nvidia opened a research lab in Paris on Tuesday, its first in France."});
        std::fs::write(&input, late.to_string()).unwrap();
        let lang = LangDetector::new(&LangConfig::default()).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        session.ingest(&[Input::Path(input)], &IngestOptions::new(FormatChoice::Auto, &lang, None), &mut (), &stop).unwrap();
        *clock.0.lock().unwrap() = at("2026-03-03T08:30:00Z");
        let s = run(&data, session.index(), &mut sinks, &clock).unwrap();
        assert_eq!((s.digests, s.delivered, s.notifications, s.pending), (1, 3, 1, 1), "{s:?}");
        let d: Digest = serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
        assert_eq!((d.count, d.until), (3, at("2026-03-03T08:00:00Z")));
        assert!(d.notifications.iter().all(|n| n.document_id.as_str() != "late"));
        // the next morning: the late one
        *clock.0.lock().unwrap() = at("2026-03-04T08:00:00Z");
        let s = run(&data, session.index(), &mut sinks, &clock).unwrap();
        assert_eq!((s.digests, s.delivered, s.pending), (1, 1, 0), "{s:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        let d: Digest = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!((d.count, d.since, d.until), (1, at("2026-03-03T08:00:00Z"), at("2026-03-04T08:00:00Z")));
        assert_eq!(d.notifications[0].document_id.as_str(), "late");
        session.close().unwrap();
    }

    #[test]
    fn digest_periods_end_on_calendar_boundaries() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let end = |t: &str, p: u64, o: u64| digest_period_end(at(t), p, o);
        assert_eq!(end("2026-12-01T04:30:00Z", 86_400, 0), Some(at("2026-12-02T00:00:00Z")));
        // on a boundary: that period is over, the next one ends a period later
        assert_eq!(end("2026-12-02T00:00:00Z", 86_400, 0), Some(at("2026-12-03T00:00:00Z")));
        assert_eq!(end("2026-12-01T23:59:59.999Z", 86_400, 0), Some(at("2026-12-02T00:00:00Z")));
        assert_eq!(end("2026-12-01T04:30:00Z", 86_400, 8 * 3600), Some(at("2026-12-01T08:00:00Z")));
        assert_eq!(end("2026-12-01T04:30:00Z", 3600, 0), Some(at("2026-12-01T05:00:00Z")));
        // a week ends on Monday (2026-12-07 is one)
        assert_eq!(end("2026-12-01T04:30:00Z", 7 * 86_400, 0), Some(at("2026-12-07T00:00:00Z")));
        // past the calendar's end: never
        assert_eq!(end("2026-12-01T04:30:00Z", store::MAX_DIGEST_SECONDS * 1000, 0), None);
    }

    /// A notifier that records what it is given and refuses the calls it is told to.
    struct Recorder {
        refuse: Vec<usize>,
        calls: Vec<(String, String)>,
    }

    impl Notifier for Recorder {
        fn send(&mut self, _sink: &NotifySink, key: &str, lines: &str) -> std::result::Result<(), Failed> {
            self.calls.push((key.to_string(), lines.to_string()));
            if self.refuse.contains(&(self.calls.len() - 1)) {
                return Err(Failed { reason: "refused by the test".into(), attempts: 1 });
            }
            Ok(())
        }
    }

    /// Delivery goes through the Notifier trait: one call per webhook notification with
    /// its idempotency key; a refused one goes to the dead-letter file and the rest waits
    /// in the outbox for the next run, which sends only what is left.
    #[test]
    fn delivery_runs_through_any_notifier() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, session) = rule_and_stories(tmp.path(), "hook", NotifySink::Webhook { url: "http://127.0.0.1:9/hook".into() }, None);
        let clock = At(std::sync::Mutex::new(T0.parse::<DateTime<Utc>>().unwrap()));
        // the second call is refused: dead-lettered, and the third waits
        let mut rec = Recorder { refuse: vec![1], calls: Vec::new() };
        let s = run(&data, session.index(), &mut rec, &clock).unwrap();
        assert_eq!((s.notifications, s.delivered, s.dead_lettered, s.pending), (3, 1, 1, 1), "{s:?}");
        assert_eq!(rec.calls.len(), 2);
        assert!(rec.calls.iter().all(|(key, lines)| key.starts_with("hook:n") && lines.lines().count() == 1));
        let dead = std::fs::read_to_string(AlertStore::new(&data).dead_letter_path()).unwrap();
        assert!(dead.contains("refused by the test"), "{dead}");
        // the next run sends the one left, and nothing else
        let mut rec = Recorder { refuse: Vec::new(), calls: Vec::new() };
        let s = run(&data, session.index(), &mut rec, &clock).unwrap();
        assert_eq!((s.notifications, s.delivered, s.pending), (0, 1, 0), "{s:?}");
        assert_eq!(rec.calls.len(), 1);
        session.close().unwrap();
    }

    #[test]
    fn idempotency_keys_come_from_the_content_never_the_clock() {
        let since = "2025-11-17T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let a = [note("r", "b"), note("r", "a")];
        let k = digest_key("r", since, &a);
        // the same digest later (a retry, a run after a crash): the same key
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(digest_key("r", since, &a), k);
        // the order in the outbox does not matter; the content and the period do
        assert_eq!(digest_key("r", since, &[note("r", "a"), note("r", "b")]), k);
        assert_ne!(digest_key("r", since, &[note("r", "a")]), k);
        assert_ne!(digest_key("r", since + chrono::Duration::seconds(1), &a), k);
        assert_ne!(digest_key("s", since, &a), k);
        assert!(k.starts_with("r:digest:"));
        assert_eq!(notification_key("r", &note("r", "doc-1")), "r:doc-1");
        // ids that cannot go in a header are hashed, stably
        let odd = note("r", "é\nx");
        let k = notification_key("r", &odd);
        assert!(k.starts_with("r:x") && k.bytes().all(|b| b.is_ascii_graphic()), "{k}");
        assert_eq!(notification_key("r", &odd), k);
    }
}
