//! Saved searches: a name, a query and filters, kept in `DATA/searches.json` (versioned)
//! so that the dashboard can list them and alerts can start from one. The filters are
//! kept as the user gave them: `since: 7d` stays "the last seven days".

use crate::params::FilterSpec;
use crate::versioned::{add_version, Kind};
use crate::{DataDir, Error, Result};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// One saved search (`vigie searches list --json`, `/api/searches`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedSearch {
    /// letters, digits, `_ . -`, at most 64, starting with a letter or digit
    pub name: String,
    /// tantivy query syntax, as for search (`*`: everything)
    pub query: String,
    /// language code (fr, en)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// published at or after (2025-01-29, RFC 3339, or 7d ago: kept relative)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// published before
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// source name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// an entity id (company:nvidia)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// a topic id
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

impl SavedSearch {
    /// The filters other than the entity, as the read commands take them.
    pub fn filter_spec(&self) -> FilterSpec {
        FilterSpec {
            lang: self.lang.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            source: self.source.clone(),
            topic: self.topic.clone(),
        }
    }

    /// Checks the name, the query's syntax and the dates (not whether the topic exists:
    /// topics change when they are re-clustered).
    pub fn check(&self) -> Result<()> {
        crate::alerts::check_name(&self.name).map_err(|_| {
            Error::Config(format!("search name {:?}: use letters, digits, _ . - (at most 64, starting with a letter or digit)", self.name))
        })?;
        if self.query.trim() != "*" {
            vigie_index::alerts::check_query(&self.query).map_err(|e| Error::Config(format!("search {}: {e}", self.name)))?;
        }
        self.filter_spec().build_without_topic("")?;
        Ok(())
    }
}

/// What an alert rule takes of a saved search (`vigie alerts add --from-search`).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFilters {
    pub query: String,
    pub lang: Option<String>,
    pub entity: Option<String>,
    pub source: Option<String>,
}

impl SavedSearch {
    /// The query, language, entity and source of the search, for an alert rule. Its
    /// dates do not apply (a rule watches what is ingested next); a topic filter is
    /// refused, since rules have none (topics change when re-clustered).
    pub fn alert_filters(&self) -> Result<AlertFilters> {
        if self.topic.is_some() {
            return Err(Error::Config(format!("search {}: a topic filter cannot start an alert (rules have no topic)", self.name)));
        }
        Ok(AlertFilters { query: self.query.clone(), lang: self.lang.clone(), entity: self.entity.clone(), source: self.source.clone() })
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    searches: Vec<SavedSearch>,
}

const SEARCHES: Kind = Kind {
    what: "saved searches",
    version: 1,
    migrate: |found, v| match found {
        0 => add_version(1)(v),
        _ => Err(crate::versioned::MigrateError::Unknown),
    },
};

/// One change at a time within a process (the server answers requests in parallel)
/// and between processes (`searches.json.lock`, e.g. `vigie searches add` beside a
/// running `vigie serve`); each write replaces the file atomically.
static WRITING: Mutex<()> = Mutex::new(());

/// How long a change waits for another process's change to finish (each takes
/// milliseconds: a longer wait means a stuck holder).
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Both locks, held while one change reads, edits and writes the file.
struct Writing {
    _file: std::fs::File,
    _process: std::sync::MutexGuard<'static, ()>,
}

fn writing(data: &DataDir) -> Result<Writing> {
    let process = WRITING.lock().unwrap_or_else(|p| p.into_inner());
    let path = data.searches_path().with_extension("json.lock");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file = crate::filelock::lock_file(&path, LOCK_TIMEOUT, "the saved searches lock", "")?;
    Ok(Writing { _file: file, _process: process })
}

fn load(data: &DataDir) -> Result<Vec<SavedSearch>> {
    Ok(SEARCHES.load::<File>(&data.searches_path())?.map(|f| f.searches).unwrap_or_default())
}

fn save(data: &DataDir, searches: Vec<SavedSearch>) -> Result<()> {
    crate::alerts::save_json(&data.searches_path(), &File { version: SEARCHES.version, searches })
}

/// Every saved search, by name.
pub fn list(data: &DataDir) -> Result<Vec<SavedSearch>> {
    load(data)
}

/// The saved search of this name.
pub fn get(data: &DataDir, name: &str) -> Result<Option<SavedSearch>> {
    Ok(load(data)?.into_iter().find(|s| s.name == name))
}

/// Checks and saves a new search; a name already taken is refused unless `replace`.
pub fn add(data: &DataDir, search: SavedSearch, replace: bool) -> Result<()> {
    search.check()?;
    let _w = writing(data)?;
    let mut all = load(data)?;
    if let Some(i) = all.iter().position(|s| s.name == search.name) {
        if !replace {
            return Err(Error::Config(format!("search {} exists (vigie searches rm {} first, or --replace)", search.name, search.name)));
        }
        all.remove(i);
    }
    all.push(search);
    all.sort_by(|a, b| a.name.cmp(&b.name));
    save(data, all)
}

/// Removes a saved search and gives it back; `None` when there was none of this name.
pub fn remove(data: &DataDir, name: &str) -> Result<Option<SavedSearch>> {
    let _w = writing(data)?;
    let mut all = load(data)?;
    let Some(i) = all.iter().position(|s| s.name == name) else { return Ok(None) };
    let gone = all.remove(i);
    save(data, all)?;
    Ok(Some(gone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(name: &str, query: &str) -> SavedSearch {
        SavedSearch {
            name: name.into(),
            query: query.into(),
            lang: None,
            since: None,
            until: None,
            source: None,
            entity: None,
            topic: None,
        }
    }

    /// Another process holding `searches.json.lock` (taken here through a descriptor of
    /// its own, which flock treats like another process's) holds a change back until it
    /// lets go; the change is then made on the file as the other left it.
    #[test]
    fn a_change_waits_for_another_process_holding_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        add(&data, search("first", "nvidia"), false).unwrap();
        let lock_path = data.searches_path().with_extension("json.lock");
        let other = crate::filelock::lock_file(&lock_path, std::time::Duration::ZERO, "test", "").unwrap();
        let waiting = {
            let data = DataDir::new(tmp.path());
            std::thread::spawn(move || add(&data, search("second", "amd"), false))
        };
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!waiting.is_finished(), "the change went ahead while another process held the lock");
        // the other process's own change, written while it holds the lock
        let mut all = load(&data).unwrap();
        all.push(search("other", "intel"));
        save(&data, all).unwrap();
        drop(other);
        waiting.join().unwrap().unwrap();
        let names: Vec<String> = list(&data).unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["first", "other", "second"]);
    }

    #[test]
    fn searches_are_added_listed_replaced_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        assert_eq!(list(&data).unwrap(), []);
        let chips = SavedSearch { lang: Some("fr".into()), since: Some("7d".into()), ..search("chips", "nvidia OR amd") };
        add(&data, chips.clone(), false).unwrap();
        add(&data, search("air", "airbus"), false).unwrap();
        assert_eq!(list(&data).unwrap().iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["air", "chips"]);
        assert_eq!(get(&data, "chips").unwrap(), Some(chips.clone()));
        // the file is versioned, the relative date kept as given
        let text = std::fs::read_to_string(data.searches_path()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!((v["version"].as_u64(), v["searches"][1]["since"].as_str()), (Some(1), Some("7d")));
        assert!(v["searches"][0].get("lang").is_none(), "absent filters are left out: {text}");
        let e = add(&data, search("chips", "amd"), false).unwrap_err();
        assert!(e.to_string().starts_with("search chips exists"), "{e}");
        add(&data, search("chips", "amd"), true).unwrap();
        assert_eq!(get(&data, "chips").unwrap().unwrap().query, "amd");
        assert_eq!(remove(&data, "chips").unwrap().map(|s| s.query), Some("amd".into()));
        assert_eq!(remove(&data, "chips").unwrap(), None);
        assert_eq!(list(&data).unwrap().len(), 1);
        // an alert takes the query and filters, not the dates
        let a = chips.alert_filters().unwrap();
        assert_eq!((a.query.as_str(), a.lang.as_deref(), a.source), ("nvidia OR amd", Some("fr"), None));
        assert!(SavedSearch { topic: Some("t1".into()), ..chips }.alert_filters().is_err());
    }

    #[test]
    fn bad_names_queries_and_dates_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        for bad in ["", "a b", "../x", "-x"] {
            assert!(add(&data, search(bad, "x"), false).unwrap_err().to_string().starts_with("search name"), "{bad:?}");
        }
        assert!(add(&data, search("q", "title:(unclosed"), false).is_err());
        let e = add(&data, SavedSearch { since: Some("soon".into()), ..search("d", "x") }, false).unwrap_err();
        assert!(e.to_string().starts_with("since:"), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Usage);
        assert!(!data.searches_path().exists());
        // a file of a later vigie is refused, not misread
        std::fs::write(data.searches_path(), r#"{"version": 9, "searches": []}"#).unwrap();
        assert!(list(&data).unwrap_err().to_string().contains("upgrade vigie"));
    }
}
