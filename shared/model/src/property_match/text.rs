//! How place names and must-haves are compared: case and spacing ignored, whole words only, so
//! "N1" is not found in "N12" and "pool" is not found in "spool".

/// Lower-cased, with runs of whitespace as one space and no space at either end.
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `needle` (folded) appears in `hay` (folded) starting at a word's start and ending at
/// a word's end or a plural "s" ("garden" is in "two gardens", not in "gardener").
pub(crate) fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(at) = hay[from..].find(needle) {
        let start = from + at;
        let end = start + needle.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let rest = &hay[end..];
        let after_ok = match rest.chars().next() {
            None => true,
            Some('s') => rest[1..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric()),
            Some(c) => !c.is_alphanumeric(),
        };
        if before_ok && after_ok {
            return true;
        }
        // Step past this occurrence's first character (kept on a char boundary).
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Postal codes compared without spaces, upper or lower case alike.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether the buyer's `area` (folded) names the listing's place: its city or region, its postal
/// code or that code's first part ("N1" for "N1 2AB", not for "N12 3CD"), or words of its street
/// lines (a neighbourhood).
pub(crate) fn area_matches(
    area: &str,
    city: &str,
    region: Option<&str>,
    postal_code: Option<&str>,
    street: &str,
) -> bool {
    if fold(city) == area || region.is_some_and(|r| fold(r) == area) {
        return true;
    }
    if let Some(code) = postal_code {
        let code = fold(code);
        if compact(&code) == compact(area)
            || code
                .split(' ')
                .next()
                .is_some_and(|outward| outward == area && code.len() > area.len())
        {
            return true;
        }
    }
    contains_words(street, area)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_matched_whole() {
        assert!(contains_words("private garden\nsunny", "garden"));
        assert!(contains_words("two gardens", "garden"));
        assert!(!contains_words("gardener's cottage", "garden"));
        assert!(!contains_words("a spool", "pool"));
        assert!(contains_words("heated pool.", "pool"));
        assert!(contains_words("off-street parking", "off-street parking"));
        assert!(!contains_words("", "pool"));
        assert!(!contains_words("pool", ""));
        // Non-ASCII text does not split a character.
        assert!(contains_words("élégant jardin", "jardin"));
        assert!(!contains_words("ééé", "é"));
    }

    #[test]
    fn areas_name_a_city_a_region_a_postal_district_or_a_street_word() {
        let m = |area: &str| {
            area_matches(
                &fold(area),
                "London",
                Some("Greater London"),
                Some("N1 2AB"),
                "12 upper street islington",
            )
        };
        assert!(m("london"));
        assert!(m("Greater  London"));
        assert!(m("N1"));
        assert!(m("n12ab"));
        assert!(m("Islington"));
        assert!(!m("N12"));
        assert!(!m("Leeds"));
        assert!(!m("isl"));
    }
}
