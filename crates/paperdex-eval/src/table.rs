//! The report as a text table, modes side by side.

use std::fmt::Write;

use crate::run::{EvalReport, Metrics};

impl EvalReport {
    /// The report as text: a header saying what was scored, one row per metric, one column
    /// per mode ("n/a" where a mode could not run, with the reason below), then the notes.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}: {} documents ({})", self.name, self.documents, self.source);
        let _ = writeln!(
            out,
            "{} of {} queries scored: only queries with at least one relevant document count ({} none).",
            self.queries_scored,
            self.queries,
            match self.queries_without_relevant {
                1 => "1 has".to_string(),
                n => format!("{n} have"),
            }
        );
        if let Some(seconds) = self.index_seconds {
            let _ = writeln!(out, "index built in {seconds:.1} s (embedding included)");
        }
        out.push('\n');
        let _ = write!(out, "{:<12}", "metric");
        for mode in &self.modes {
            let _ = write!(out, "{:>9}", mode.mode.as_str());
        }
        out.push('\n');
        for (row, (label, _)) in Metrics::default().rows().iter().enumerate() {
            let _ = write!(out, "{label:<12}");
            for mode in &self.modes {
                match &mode.metrics {
                    Some(m) => {
                        let _ = write!(out, "{:>9.3}", m.rows()[row].1);
                    }
                    None => {
                        let _ = write!(out, "{:>9}", "n/a");
                    }
                }
            }
            out.push('\n');
        }
        let _ = write!(out, "{:<12}", "search s");
        for mode in &self.modes {
            match mode.metrics {
                Some(_) => {
                    let _ = write!(out, "{:>9.1}", mode.seconds);
                }
                None => {
                    let _ = write!(out, "{:>9}", "-");
                }
            }
        }
        out.push('\n');
        if !self.groups.is_empty() {
            let heading = "nDCG@10 by";
            let names: Vec<String> = self.groups.iter().map(|g| format!("{} ({})", g.label, g.queries)).collect();
            let width = names.iter().map(|n| n.chars().count()).chain([heading.len()]).max().unwrap_or(0) + 2;
            let _ = write!(out, "\n{heading:<width$}");
            for mode in &self.modes {
                let _ = write!(out, "{:>9}", mode.mode.as_str());
            }
            out.push('\n');
            for (group, name) in self.groups.iter().zip(&names) {
                // Pad by characters: a label may be Chinese.
                let _ = write!(out, "{name}{}", " ".repeat(width - name.chars().count()));
                for ndcg in &group.ndcg_10 {
                    match ndcg {
                        Some(value) => {
                            let _ = write!(out, "{value:>9.3}");
                        }
                        None => {
                            let _ = write!(out, "{:>9}", "n/a");
                        }
                    }
                }
                out.push('\n');
            }
        }
        let unavailable: Vec<String> = self
            .modes
            .iter()
            .filter_map(|m| m.unavailable.as_ref().map(|r| format!("{}: n/a, {r}", m.mode.as_str())))
            .collect();
        if !unavailable.is_empty() || !self.notes.is_empty() {
            out.push('\n');
        }
        for line in unavailable {
            let _ = writeln!(out, "{line}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use paperdex_index::SearchMode;

    use crate::run::{EvalReport, GroupScores, Metrics, ModeReport};

    #[test]
    fn a_missing_mode_shows_na_with_its_reason() {
        let m = Metrics { ndcg_10: 0.4731, mrr_10: 0.6, recall_10: 0.3, recall_100: 0.7, map: 0.35, judged_10: 0.9 };
        let report = EvalReport {
            name: "CACM".into(),
            source: "corpus/cacm".into(),
            documents: 3204,
            queries: 64,
            queries_scored: 52,
            queries_without_relevant: 12,
            depth: 100,
            index_seconds: Some(2.0),
            notes: vec!["relevance is binary".into()],
            groups: vec![
                GroupScores { label: "lang=en".into(), queries: 20, ndcg_10: vec![Some(0.8374), None] },
                GroupScores { label: "kind=cross-language".into(), queries: 6, ndcg_10: vec![Some(0.5), None] },
            ],
            modes: vec![
                ModeReport {
                    mode: SearchMode::Bm25,
                    unavailable: None,
                    metrics: Some(m),
                    seconds: 1.0,
                    per_query: vec![],
                },
                ModeReport {
                    mode: SearchMode::Vector,
                    unavailable: Some("--no-model given".into()),
                    metrics: None,
                    seconds: 0.0,
                    per_query: vec![],
                },
            ],
        };
        let table = report.to_table();
        assert!(
            table.contains("52 of 64 queries scored: only queries with at least one relevant document count"),
            "{table}"
        );
        assert!(table.contains("metric           bm25   vector\n"), "{table}");
        assert!(table.contains("nDCG@10         0.473      n/a\n"), "{table}");
        assert!(table.contains("vector: n/a, --no-model given"), "{table}");
        assert!(table.contains("note: relevance is binary"), "{table}");
        // Each label's queries apart, under the modes' columns.
        assert!(table.contains("nDCG@10 by                    bm25   vector\n"), "{table}");
        assert!(table.contains("lang=en (20)                 0.837      n/a\n"), "{table}");
        assert!(table.contains("kind=cross-language (6)      0.500      n/a\n"), "{table}");
    }
}
