//! "Did you mean" hints: the closest known word to a misspelt one.

/// The candidate closest to `input`, when one is close enough to be a
/// plausible typo (`depend_on` → `depends_on`, `runs-in` → `runs_in`).
pub(crate) fn did_you_mean<'c, I>(input: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let wanted = normalize(input);
    let limit = (input.chars().count() / 3).clamp(1, 4);
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let distance = if normalize(candidate) == wanted {
            0
        } else {
            strsim::damerau_levenshtein(&wanted, &normalize(candidate))
        };
        if distance <= limit && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `Runs-In` and `runs_in` are the same word to a reader.
fn normalize(word: &str) -> String {
    word.chars()
        .map(|c| if c == '-' { '_' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// "did you mean `x`?" or nothing. When no word is a plausible typo, ids
/// that contain the input (`pangyo` → `sk-pangyo-idc`) are offered instead.
pub(crate) fn hint<'c, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'c str>,
    I::IntoIter: Clone,
{
    let candidates = candidates.into_iter();
    if let Some(c) = did_you_mean(input, candidates.clone()) {
        return Some(format!("did you mean `{c}`?"));
    }
    if input.chars().count() < 3 {
        return None;
    }
    let wanted = normalize(input);
    let mut containing: Vec<&str> = candidates
        .filter(|c| normalize(c).contains(&wanted))
        .collect();
    containing.sort_unstable();
    containing.dedup();
    let shown: Vec<String> = containing
        .iter()
        .take(3)
        .map(|c| format!("`{c}`"))
        .collect();
    match shown.len() {
        0 => None,
        1 => Some(format!("did you mean {}?", shown[0])),
        _ => Some(format!("did you mean one of {}?", shown.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_typos_find_their_word() {
        let keys = ["depends_on", "runs_in", "requires", "tier", "users"];
        assert_eq!(did_you_mean("depend_on", keys), Some("depends_on"));
        assert_eq!(did_you_mean("runs-in", keys), Some("runs_in"));
        assert_eq!(did_you_mean("requries", keys), Some("requires"));
        assert_eq!(did_you_mean("Tier", keys), Some("tier"));
    }

    #[test]
    fn unrelated_words_get_no_hint() {
        assert_eq!(did_you_mean("colour", ["depends_on", "runs_in"]), None);
        assert_eq!(hint("xyz", ["tier"]), None);
    }

    #[test]
    fn a_part_of_an_id_finds_the_ids_containing_it() {
        let ids = ["sk-pangyo-idc", "pangyo-power", "kakaotalk"];
        assert_eq!(
            hint("pangyo", ids).as_deref(),
            Some("did you mean one of `pangyo-power`, `sk-pangyo-idc`?")
        );
    }
}
