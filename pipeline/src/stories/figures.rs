//! The figures of an article (amounts, percentages, counts, per-share values): two
//! reports of one development repeat its figures, and two developments of one company
//! or country carry different ones, whatever their shared entities and wording. Figures
//! are language-independent once written the same way, so a French report ("1,5
//! milliard", "3 000 mètres") meets its English version ("1.5 billion", "3,000 meters").

/// At most this many figures are kept of an article (the lead holds the main ones).
pub const MAX_FIGURES: usize = 32;

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "janvier",
    "feb",
    "february",
    "fevrier",
    "février",
    "mar",
    "march",
    "mars",
    "apr",
    "april",
    "avril",
    "may",
    "mai",
    "jun",
    "june",
    "juin",
    "jul",
    "july",
    "juillet",
    "aug",
    "august",
    "aout",
    "août",
    "sep",
    "sept",
    "september",
    "septembre",
    "oct",
    "october",
    "octobre",
    "nov",
    "november",
    "novembre",
    "dec",
    "december",
    "decembre",
    "décembre",
];

fn is_month(w: &str) -> bool {
    let w = w.trim_end_matches('.').to_lowercase();
    MONTHS.contains(&w.as_str())
}

/// A number as a canonical string ("40.80" and "40.8" give "40.8", "3,000" and "3 000"
/// give "3000", the French "1,5" gives "1.5"), and whether it had a fractional part.
fn canonical(int: &str, frac: &str) -> (String, bool) {
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() {
        (int.to_string(), false)
    } else {
        (format!("{int}.{frac}"), true)
    }
}

/// The distinct figures of `text` in order of appearance (at most [`MAX_FIGURES`]).
/// Left out as noise: integers under 10 (counts written as digits: "3 months"), years
/// (1900-2100, every article of a year shares them) and days of the month (a number of
/// at most two digits next to a month name).
pub fn figures(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() && out.len() < MAX_FIGURES {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.' || chars[i - 1] == ',')) {
            // digits glued to letters are names ("H100", "A-2", "5G"), not figures
            if chars[i].is_alphanumeric() {
                while i < chars.len() && (chars[i].is_alphanumeric()) {
                    i += 1;
                }
            } else {
                i += 1;
            }
            continue;
        }
        let start = i;
        // integer part with thousands groups: "3,000", "3 000", "3 000" (NBSP, thin space)
        let mut int = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            int.push(chars[i]);
            i += 1;
        }
        // a group separator only follows a first group of at most 3 digits ("1 000",
        // not "in 1987 300 people")
        if int.len() <= 3 {
            loop {
                let sep = chars.get(i).copied();
                let group = i + 4 <= chars.len() && chars[i + 1..i + 4].iter().all(char::is_ascii_digit);
                let more = chars.get(i + 4).is_some_and(char::is_ascii_digit);
                if matches!(sep, Some(',' | ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')) && group && !more {
                    int.extend(&chars[i + 1..i + 4]);
                    i += 4;
                } else {
                    break;
                }
            }
        }
        let mut frac = String::new();
        if matches!(chars.get(i), Some('.' | ',')) && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                frac.push(chars[j]);
                j += 1;
            }
            i = j;
        }
        // "17-1/4", "17 1/4": a mixed fraction
        if frac.is_empty() {
            if let (Some('-' | ' '), Some(a), Some('/'), Some(b)) = (chars.get(i), chars.get(i + 1), chars.get(i + 2), chars.get(i + 3)) {
                if let (Some(a), Some(b)) = (a.to_digit(10), b.to_digit(10)) {
                    if b != 0 && a < b && !chars.get(i + 4).is_some_and(char::is_ascii_digit) {
                        frac = format!("{:.4}", a as f64 / b as f64)[2..].to_string();
                        i += 4;
                    }
                }
            }
        }
        if chars.get(i).is_some_and(|c| c.is_alphabetic()) {
            // "10th", "3rd", "2kg": ordinals and units glued on; the unit does not matter
            // but ordinals are ranks, not figures
            let w: String = chars[i..].iter().take_while(|c| c.is_alphabetic()).collect();
            if matches!(w.to_lowercase().as_str(), "st" | "nd" | "rd" | "th" | "e" | "er" | "eme" | "ème") {
                i += w.chars().count();
                continue;
            }
        }
        let (fig, fractional) = canonical(&int, &frac);
        let value: f64 = fig.parse().unwrap_or(0.0);
        let words_before: String =
            chars[..start].iter().rev().skip_while(|c| c.is_whitespace()).take_while(|c| c.is_alphabetic() || **c == '.').collect();
        let word_before: String = words_before.chars().rev().collect();
        let word_after: String = chars[i..].iter().skip_while(|c| c.is_whitespace()).take_while(|c| c.is_alphabetic()).collect();
        let day = !fractional && int.len() <= 2 && (is_month(&word_before) || is_month(&word_after));
        let year = !fractional && int.len() == 4 && (1900.0..=2100.0).contains(&value);
        let small = !fractional && value < 10.0;
        if !(day || year || small || out.contains(&fig)) {
            out.push(fig);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_one_way_and_noise_is_left_out() {
        assert_eq!(
            figures("Net 3,149,000 vs 2,433,000 Revs 225.4 mln vs 225.90 mln, shr 1.15 dlrs"),
            ["3149000", "2433000", "225.4", "225.9", "1.15"]
        );
        // French: decimal comma, space and NBSP thousands
        assert_eq!(figures("1,5 milliard d'euros, 3 000 mètres et 12\u{a0}500 salariés"), ["1.5", "3000", "12500"]);
        assert_eq!(figures("1.5 billion euros, 3,000 meters and 12,500 employees"), ["1.5", "3000", "12500"]);
        // fractions of a dollar
        assert_eq!(figures("Qtly div 17-1/4 cts vs 17 1/2 cts"), ["17.25", "17.5"]);
        // dates, years, small counts, ordinals and model names are not figures
        assert!(figures("Pay April 15 Record March 31, in 1987, for 3 months; the 4th quarter").is_empty());
        assert!(figures("le 12 mars 2025, le H100 et la 5G").is_empty());
        // percentages and amounts stay
        assert_eq!(figures("up 9.6 pct to 720.0 mln dlrs from 656.8 mln"), ["9.6", "720", "656.8"]);
    }
}
