//! `--fetch-articles` for `vigie ingest` and `vigie watch`: the flags, the fetcher they
//! make, and its report.

use super::common::{parse_duration, user_error};
use clap::Args;
use vigie_engine::articles::{ArticleFetcher, ArticleOptions, ArticleStats};

#[derive(Args, Debug)]
pub struct ArticleArgs {
    /// Fetch the page behind each feed item whose text is only a summary and keep its
    /// main text (robots.txt honoured; the summary is kept when the page cannot be had)
    #[arg(long)]
    pub fetch_articles: bool,
    /// Time allowed to each page request (--fetch-articles)
    #[arg(long, default_value = "20s")]
    pub article_timeout: String,
    /// Least time between two page requests to one host (--fetch-articles)
    #[arg(long, default_value = "1s")]
    pub article_interval: String,
    /// Pages fetched at once, all hosts together (--fetch-articles)
    #[arg(long, default_value_t = 8)]
    pub article_concurrency: usize,
    /// Your URL or e-mail address, sent in the User-Agent so that site owners can
    /// reach you (--fetch-articles)
    #[arg(long, env = "VIGIE_CONTACT")]
    pub contact: Option<String>,
}

impl ArticleArgs {
    /// The fetcher, with `--fetch-articles`; its warnings go to stderr unless `quiet`.
    pub fn fetcher(&self, quiet: bool) -> anyhow::Result<Option<ArticleFetcher>> {
        if !self.fetch_articles {
            return Ok(None);
        }
        let seconds = |s: &str, flag: &str| {
            parse_duration(s)
                .filter(|d| d.num_milliseconds() >= 0)
                .and_then(|d| d.to_std().ok())
                .ok_or_else(|| user_error(format!("{flag} {s:?}: use 500ms, 20s, 1m")))
        };
        let timeout = seconds(&self.article_timeout, "--article-timeout")?;
        if timeout.is_zero() {
            return Err(user_error("--article-timeout 0s: use a positive time"));
        }
        let opts = ArticleOptions {
            timeout,
            host_interval: seconds(&self.article_interval, "--article-interval")?,
            concurrency: self.article_concurrency.max(1),
            contact: self.contact.clone(),
            ..Default::default()
        };
        let f = ArticleFetcher::new(opts)?.on_warning(move |w| {
            if !quiet {
                eprintln!("warning: fetch-articles: {}", super::common::one_line(w));
            }
        });
        Ok(Some(f))
    }
}

/// One line on stderr: what the fetcher did (nothing when it found no summary).
pub fn report(quiet: bool, s: &ArticleStats) {
    if quiet || s.summaries == 0 {
        return;
    }
    eprintln!(
        "fetch-articles: {} summaries: {} replaced by their page's text, {} kept (page not fuller), {} kept (fetch failed), {} kept (robots.txt)",
        s.summaries, s.fetched, s.kept_summary, s.failed, s.disallowed
    );
}
