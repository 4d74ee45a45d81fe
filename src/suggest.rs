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
        // The distance is at least the difference in length, and ASCII
        // words keep their length when normalized: most ids are skipped
        // before a distance is computed.
        if input.is_ascii() && candidate.is_ascii() && too_far(input, candidate, limit) {
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

/// Whether two ASCII words are surely more than `limit` edits apart once
/// normalized, by two lower bounds that cost no allocation: the difference
/// in length, and the bag distance (an edit adds or removes at most one
/// letter on each side, a transposition none), with letters counted in 32
/// buckets, which can only make the bound smaller.
fn too_far(a: &str, b: &str, limit: usize) -> bool {
    if a.len().abs_diff(b.len()) > limit {
        return true;
    }
    let bucket = |c: u8| {
        usize::from(
            if c == b'-' {
                b'_'
            } else {
                c.to_ascii_lowercase()
            } % 32,
        )
    };
    let mut count = [0i32; 32];
    for c in a.bytes() {
        count[bucket(c)] += 1;
    }
    for c in b.bytes() {
        count[bucket(c)] -= 1;
    }
    let only_a: i32 = count.iter().filter(|&&d| d > 0).sum();
    let only_b: i32 = -count.iter().filter(|&&d| d < 0).sum::<i32>();
    only_a.max(only_b) as usize > limit
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

    proptest::proptest! {
        /// The quick bounds only skip words that are really too far: they
        /// never change a hint.
        #[test]
        fn too_far_never_skips_a_word_within_reach(
            a in "[a-cA-C_-]{0,9}",
            b in "[a-cA-C_-]{0,9}",
            limit in 1usize..5,
        ) {
            if too_far(&a, &b, limit) {
                proptest::prop_assert!(
                    strsim::damerau_levenshtein(&normalize(&a), &normalize(&b)) > limit
                );
            }
        }
    }
}
