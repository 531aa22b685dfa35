//! `timeline --plot FILE.svg`: the series as a line chart in plain SVG (axes, ticks,
//! legend), readable in any browser or report without a plotting dependency.

use std::fmt::Write;
use vigie_index::analytics::Timeline;

const W: f64 = 900.0;
const H: f64 = 420.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
const COLOURS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A "nice" axis maximum and tick step for values up to `max`.
fn ticks(max: u64) -> (f64, f64) {
    let max = max.max(1) as f64;
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag).max(1.0);
    ((max / step).ceil() * step, step)
}

pub fn svg(t: &Timeline, title: &str) -> String {
    let n = t.rows.len().max(1);
    let max = t.rows.iter().flat_map(|(_, c)| c.iter().map(|x| x.documents)).max().unwrap_or(0);
    let (ymax, step) = ticks(max);
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * if n > 1 { i as f64 / (n - 1) as f64 } else { 0.5 };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / ymax);
    let mut s = String::new();
    let _ = write!(s, r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">"#);
    let _ = write!(s, r#"<rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="20" font-size="14">{}</text>"#, esc(title));
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let (x2, yv, xl, yl) = (W - RIGHT, y(v), LEFT - 6.0, y(v) + 4.0);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{yv:.1}" y2="{yv:.1}" stroke="#ddd"/><text x="{xl}" y="{yl:.1}" text-anchor="end">{v}</text>"##
        );
        v += step;
    }
    let every = n.div_ceil(12).max(1);
    for (i, (p, _)) in t.rows.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="end" transform="rotate(-40 {:.1} {})">{p}</text>"#,
            x(i),
            H - BOTTOM + 16.0,
            x(i),
            H - BOTTOM + 16.0
        );
    }
    for (k, name) in t.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let pts: Vec<String> =
            t.rows.iter().enumerate().map(|(i, (_, c))| format!("{:.1},{:.1}", x(i), y(c[k].documents as f64))).collect();
        let _ = write!(s, r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#, pts.join(" "));
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}">{}</text>"#,
            W - 220.0,
            TOP + 14.0 * k as f64,
            W - 205.0,
            TOP + 9.0 + 14.0 * k as f64,
            esc(name)
        );
    }
    let _ = write!(s, r#"<text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">documents</text></svg>"#, H / 2.0, H / 2.0);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn nice_ticks() {
        assert_eq!(super::ticks(7), (8.0, 2.0));
        assert_eq!(super::ticks(0), (1.0, 1.0));
        assert_eq!(super::ticks(230), (250.0, 50.0));
    }
}
