//! Values of a closed list that a user names: a filter's source, language or section, a search
//! mode, an order. [`Named`] is how every one is read, by the CLI, the HTTP API and the MCP
//! server alike, and the list of what is read, which the API's documentation is made from: a
//! spelling the parser takes is one the documentation names.

/// A value of a closed list, read from text by its name or by another spelling of it (an
/// alias), in any case, with white space around left out.
pub trait Named: Copy + PartialEq + 'static {
    /// Every value, in the order lists name them.
    fn values() -> &'static [Self];

    /// The value's name: what answers use and lists show (`experiments`, `bm25`).
    fn value_name(self) -> &'static str;

    /// Other spellings read as a value, lowercase, each with the value it names: none a name,
    /// none listed twice. None unless the type has some.
    fn aliases() -> Vec<(String, Self)> {
        Vec::new()
    }

    /// The value `text` names or spells, if any.
    fn read(text: &str) -> Option<Self> {
        let text = text.trim().to_lowercase();
        Self::values()
            .iter()
            .copied()
            .find(|value| value.value_name() == text)
            .or_else(|| Self::aliases().into_iter().find(|(alias, _)| *alias == text).map(|(_, value)| value))
    }
}

/// `spellings` without the ones that are a value's name or came earlier in the list: what
/// [`Named::aliases`] returns when it is made from several lists that overlap.
pub fn distinct_aliases<T: Named>(spellings: impl IntoIterator<Item = (String, T)>) -> Vec<(String, T)> {
    let mut aliases: Vec<(String, T)> = Vec::new();
    for (spelling, value) in spellings {
        let named = T::values().iter().any(|v| v.value_name() == spelling);
        if !named && !aliases.iter().any(|(seen, _)| *seen == spelling) {
            aliases.push((spelling, value));
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, SectionGroup, SourceFormat};

    /// Each name and each alias reads as its value, in any case and with spaces around; no
    /// alias is a name or listed twice (it would name two values, or the documentation would
    /// list it twice).
    fn every_spelling_reads_as_its_value<T: Named + std::fmt::Debug>() {
        for &value in T::values() {
            assert_eq!(T::read(value.value_name()), Some(value));
            assert_eq!(T::read(&format!(" {} ", value.value_name().to_uppercase())), Some(value));
        }
        let aliases = T::aliases();
        for (at, (alias, value)) in aliases.iter().enumerate() {
            assert_eq!(T::read(alias), Some(*value), "{alias}");
            assert_eq!(*alias, alias.to_lowercase(), "aliases are listed lowercase");
            assert!(T::values().iter().all(|v| v.value_name() != alias), "{alias} is a name");
            assert!(aliases[..at].iter().all(|(seen, _)| seen != alias), "{alias} is listed twice");
        }
    }

    #[test]
    fn every_spelling_reads_as_the_value_it_is_listed_with() {
        every_spelling_reads_as_its_value::<SectionGroup>();
        every_spelling_reads_as_its_value::<Lang>();
        every_spelling_reads_as_its_value::<SourceFormat>();
        let aliases = SectionGroup::aliases();
        for (alias, group) in [
            ("core_contribution", SectionGroup::Contribution),
            ("实验效果", SectionGroup::Experiments),
            ("摘要 abstract", SectionGroup::Abstract),
            ("experiment", SectionGroup::Experiments),
        ] {
            assert!(aliases.contains(&(alias.to_string(), group)), "{alias}");
        }
        assert_eq!(SectionGroup::read("Unheard Of"), None);
    }
}
