//! The report: every measurement with the medians over its runs, and notes about the run.

use crate::stats::{median, Figures};

/// One measurement repeated: its name and every run's figures.
struct Row {
    name: String,
    runs: Vec<Figures>,
}

/// The results so far, and notes about the run.
#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    /// Adds one run of measurement `name` (and says so on standard error as it happens).
    pub fn record(&mut self, name: String, figures: Figures) {
        eprintln!(
            "  {name}: {} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} done, {} failed)",
            figures
                .rate
                .map(|rate| format!("{}/s,", rounded(rate)))
                .unwrap_or_default(),
            figures.p50,
            figures.p99,
            figures.max,
            figures.done,
            figures.failed
        );
        match self.rows.iter_mut().find(|row| row.name == name) {
            Some(row) => row.runs.push(figures),
            None => self.rows.push(Row {
                name,
                runs: vec![figures],
            }),
        }
    }

    /// Adds a note.
    pub fn note(&mut self, note: String) {
        eprintln!("  {note}");
        self.notes.push(note);
    }

    /// The notes, then a Markdown table of the medians.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for note in &self.notes {
            text.push_str(&format!("- {note}\n"));
        }
        text.push_str("\n| measurement | rate: median (each run) | p50 ms | p99 ms | max ms | done | failed |\n");
        text.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for row in &self.rows {
            text.push_str(&row.line());
            text.push('\n');
        }
        text
    }
}

impl Row {
    /// The medians over the runs, as one table line; the rate of each run too.
    fn line(&self) -> String {
        let pick =
            |field: fn(&Figures) -> f64| median(&self.runs.iter().map(field).collect::<Vec<_>>());
        let rates: Vec<f64> = self.runs.iter().filter_map(|run| run.rate).collect();
        let rate = if rates.is_empty() {
            "—".to_owned()
        } else {
            let listed: Vec<String> = rates.iter().map(|rate| rounded(*rate)).collect();
            format!("{}/s ({})", rounded(median(&rates)), listed.join(", "))
        };
        let done: usize = self.runs.iter().map(|run| run.done).sum();
        let failed: usize = self.runs.iter().map(|run| run.failed).sum();
        format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {} | {} |",
            self.name,
            rate,
            pick(|run| run.p50),
            pick(|run| run.p99),
            pick(|run| run.max),
            done,
            failed
        )
    }
}

/// A rate to the nearest whole number, or to a tenth below 100.
fn rounded(rate: f64) -> String {
    if rate < 100.0 {
        format!("{rate:.1}")
    } else {
        format!("{rate:.0}")
    }
}
