//! The Prometheus text exposition format (version 0.0.4, what
//! node_exporter's textfile collector and `promtool check metrics`
//! read): per family a `# HELP` and a `# TYPE` line, then its samples,
//! never interleaved with another family's.
//!
//! Hand-written: the Rust clients (prometheus, prometheus-client) are
//! registries of live metrics for a process that serves them; ifctl
//! only formats a snapshot it was handed, which is a page of code.

use std::fmt::Write;

/// A family's type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A count that only grows while the daemon runs (its name ends in
    /// `_total`).
    Counter,
}

/// One metric family and its samples.
#[derive(Debug)]
struct Family {
    name: &'static str,
    kind: Kind,
    help: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

/// Families in the order they were first named.
#[derive(Debug, Default)]
pub struct Metrics {
    families: Vec<Family>,
}

/// Label pairs of one sample.
pub type Labels<'a> = &'a [(&'static str, &'a str)];

impl Metrics {
    /// Adds a sample of family `name` (declared by its first sample:
    /// `kind` and `help` of later ones must agree).
    pub fn sample(
        &mut self,
        name: &'static str,
        kind: Kind,
        help: &'static str,
        labels: Labels<'_>,
        value: f64,
    ) {
        debug_assert_eq!(name.ends_with("_total"), kind == Kind::Counter);
        let i = match self.families.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                self.families.push(Family {
                    name,
                    kind,
                    help,
                    samples: Vec::new(),
                });
                self.families.len() - 1
            }
        };
        let labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.families[i].samples.push((labels, value));
    }

    /// A gauge.
    pub fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels<'_>,
        value: f64,
    ) {
        self.sample(name, Kind::Gauge, help, labels, value);
    }

    /// A gauge that is 1 or 0.
    pub fn flag(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels<'_>,
        on: bool,
    ) {
        self.gauge(name, help, labels, if on { 1.0 } else { 0.0 });
    }

    /// A counter.
    pub fn counter(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels<'_>,
        value: u64,
    ) {
        // f64 holds every count below 2^53 exactly: 285 years of a
        // million probes a second.
        self.sample(name, Kind::Counter, help, labels, value as f64);
    }

    /// An enumeration, Prometheus's way: one sample per possible value
    /// (label `state`), 1 for the current one and 0 for the others, so
    /// that a query can select a state and a change is a change of
    /// value, not of series. A value outside `states` gets a sample of
    /// its own (a daemon newer than this ifctl).
    pub fn state(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels<'_>,
        states: &[&str],
        current: &str,
    ) {
        let mut all: Vec<&str> = states.to_vec();
        if !all.contains(&current) {
            all.push(current);
        }
        for s in all {
            let mut l = labels.to_vec();
            l.push(("state", s));
            self.flag(name, help, &l, s == current);
        }
    }

    /// The text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let kind = match f.kind {
                Kind::Gauge => "gauge",
                Kind::Counter => "counter",
            };
            let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help));
            let _ = writeln!(out, "# TYPE {} {kind}", f.name);
            for (labels, value) in &f.samples {
                out.push_str(f.name);
                if !labels.is_empty() {
                    out.push('{');
                    for (k, (name, v)) in labels.iter().enumerate() {
                        if k > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{name}=\"{}\"", escape_label(v));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", number(*value));
            }
        }
        out
    }
}

/// A sample value: integers without a fraction, NaN and infinities as
/// the format spells them.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{v}")
    }
}

/// `# HELP` text: backslash and newline escaped.
fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A label value: backslash, double quote and newline escaped.
fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Seconds from milliseconds.
pub fn seconds_ms(ms: u64) -> f64 {
    ms as f64 / 1e3
}

/// Seconds from microseconds.
pub fn seconds_us(us: u64) -> f64 {
    us as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_grouped_with_help_and_type() {
        let mut m = Metrics::default();
        m.gauge("x_up", "Whether x answered.", &[], 1.0);
        m.counter("x_sent_total", "Sent.", &[("port", "p0")], 3);
        m.gauge("x_up", "Whether x answered.", &[], 0.0);
        m.counter("x_sent_total", "Sent.", &[("port", "p\"1\\\n")], 4);
        assert_eq!(
            m.render(),
            "# HELP x_up Whether x answered.\n\
             # TYPE x_up gauge\n\
             x_up 1\n\
             x_up 0\n\
             # HELP x_sent_total Sent.\n\
             # TYPE x_sent_total counter\n\
             x_sent_total{port=\"p0\"} 3\n\
             x_sent_total{port=\"p\\\"1\\\\\\n\"} 4\n"
        );
    }

    #[test]
    fn a_state_is_one_sample_per_value() {
        let mut m = Metrics::default();
        let l = [("group", "ipmp0")];
        m.state("g_state", "State.", &l, &["ok", "failed"], "failed");
        m.state("g_state", "State.", &l, &["ok", "failed"], "new");
        let text = m.render();
        assert!(text.contains("g_state{group=\"ipmp0\",state=\"ok\"} 0\n"));
        assert!(text.contains("g_state{group=\"ipmp0\",state=\"failed\"} 1\n"));
        assert!(text.contains("g_state{group=\"ipmp0\",state=\"new\"} 1\n"));
    }

    #[test]
    fn numbers() {
        assert_eq!(number(0.0015), "0.0015");
        assert_eq!(number(7.0), "7");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::NEG_INFINITY), "-Inf");
        assert_eq!(seconds_ms(1500), 1.5);
        assert_eq!(seconds_us(420), 0.00042);
    }
}
