//! loam's agreement figures against reference implementations (the `krippendorff` package,
//! scikit-learn's `cohen_kappa_score`, statsmodels' `fleiss_kappa`, brute force for the rest; see
//! `e2e/reference/agreement.py`): at least 1,000 generated cases per question type, with missing
//! answers, lone answers and answers without variation, every figure equal to 1e-9 and undefined
//! exactly where the reference's is.
//!
//! Needs Python with `e2e/reference/requirements.txt`, so it is opt-in: it runs when
//! `LOAM_REFERENCE_PYTHON` names that interpreter, as `scripts/test.sh`'s `agreement` step does
//! (in CI too); without it, it says so and checks nothing.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use loam_domain::agreement::{Agreement, Report};
use loam_domain::answer::{AnnotatedRecord, NamedResponse};
use loam_domain::distribution::RecordStatus;
use loam_domain::model::{DatasetSchema, Question, Record, Response};
use loam_domain::settings::{LabelOption, OptionsOrder, QuestionSettings};
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, Timestamp, UserId};
use serde_json::{json, Map, Value};

const CASES_PER_TYPE: usize = 1000;
const TOLERANCE: f64 = 1e-9;
const TYPES: [&str; 6] = ["label_selection", "rating", "multi_label_selection", "ranking", "span", "text"];

/// xorshift64*: enough randomness for generating cases, seeded so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// One generated case: the question, and per record the answer of each coder (JSON as stored).
struct Case {
    kind: &'static str,
    k: usize,
    values: Vec<i64>,
    coders: Vec<String>,
    answers: Vec<Vec<Option<Value>>>,
    lengths: Vec<usize>,
}

fn option_names(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("o{i}")).collect()
}

fn generate(rng: &mut Rng, kind: &'static str) -> Case {
    let k = 2 + rng.below(4);
    let n_coders = if rng.chance(10) { 1 } else { 2 + rng.below(3) };
    let coders: Vec<String> = (0..n_coders).map(|i| format!("c{i}")).collect();
    let n_records = 1 + rng.below(10);
    // Some cases give every coder an answer to every record (Fleiss' κ is defined there), some
    // answer rarely (lone answers, no pairs), some agree always (no variation).
    let answer_percent = match rng.below(4) {
        0 => 100,
        1 => 30,
        _ => 70,
    };
    let constant = rng.chance(8);
    let mut values: Vec<i64> = Vec::new();
    while values.len() < k {
        let v = rng.below(11) as i64 - 3;
        if !values.contains(&v) {
            values.push(v);
        }
    }
    values.sort_unstable();
    let texts = ["yes", " yes", "no", "no ", "maybe", "Yes"];
    let mut answers = Vec::new();
    let mut lengths = Vec::new();
    for _ in 0..n_records {
        let length = rng.below(16);
        lengths.push(length);
        let mut row = Vec::new();
        // A value most coders lean to on this record, so agreement is not all chance.
        let lean = rng.next();
        for _ in &coders {
            if !rng.chance(answer_percent) {
                row.push(None);
                continue;
            }
            let mut local = Rng(if constant || rng.chance(50) { lean | 1 } else { rng.next() | 1 });
            if constant {
                local = Rng(0x9e37_79b9_7f4a_7c15);
            }
            let names = option_names(k);
            let answer = match kind {
                "label_selection" => json!(names[local.below(k)]),
                "rating" => json!(values[local.below(k)]),
                "multi_label_selection" => {
                    json!(names.iter().filter(|_| local.chance(40)).cloned().collect::<Vec<_>>())
                }
                "ranking" => {
                    json!(names.iter().map(|n| json!({"value": n, "rank": 1 + local.below(k)})).collect::<Vec<_>>())
                }
                "span" => {
                    let mut spans = Vec::new();
                    for _ in 0..local.below(4) {
                        let start = local.below(length + 2);
                        let end = start + 1 + local.below(5);
                        let span = json!({"start": start, "end": end, "label": names[local.below(k)]});
                        if !spans.contains(&span) {
                            spans.push(span);
                        }
                    }
                    json!(spans)
                }
                _ => json!(texts[local.below(texts.len())]),
            };
            row.push(Some(answer));
        }
        answers.push(row);
    }
    Case { kind, k, values, coders, answers, lengths }
}

fn question(case: &Case) -> Question {
    let options: Vec<LabelOption> = option_names(case.k)
        .into_iter()
        .map(|value| LabelOption { text: value.clone(), value, description: None })
        .collect();
    let settings = match case.kind {
        "label_selection" => QuestionSettings::LabelSelection { options, visible_options: None },
        "rating" => QuestionSettings::Rating { options: case.values.iter().rev().copied().collect() },
        "multi_label_selection" => QuestionSettings::MultiLabelSelection {
            options,
            visible_options: None,
            options_order: OptionsOrder::Natural,
        },
        "ranking" => QuestionSettings::Ranking { options },
        "span" => {
            QuestionSettings::Span { field: "text".into(), options, visible_options: None, allow_overlapping: true }
        }
        _ => QuestionSettings::Text { use_markdown: false },
    };
    Question {
        id: QuestionId::new(),
        dataset_id: DatasetId::new(),
        name: "q".into(),
        title: "Q".into(),
        description: None,
        required: true,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn loam_report(case: &Case) -> Report {
    let schema = DatasetSchema {
        fields: vec![],
        questions: vec![question(case)],
        metadata_properties: vec![],
        vector_settings: vec![],
    };
    let records: Vec<AnnotatedRecord> = case
        .answers
        .iter()
        .zip(&case.lengths)
        .map(|(row, length)| {
            let id = RecordId::new();
            let mut fields = Map::new();
            fields.insert("text".into(), json!("x".repeat(*length)));
            AnnotatedRecord {
                record: Record {
                    id,
                    dataset_id: DatasetId::new(),
                    fields,
                    metadata: None,
                    external_id: None,
                    status: RecordStatus::Pending,
                    inserted_at: Timestamp(0),
                    updated_at: Timestamp(0),
                },
                responses: row
                    .iter()
                    .zip(&case.coders)
                    .filter_map(|(answer, coder)| {
                        let answer = answer.as_ref()?;
                        Some(NamedResponse {
                            username: coder.clone(),
                            response: Response {
                                id: ResponseId::new(),
                                record_id: id,
                                user_id: UserId::new(),
                                values: Some(json!({"q": {"value": answer}})),
                                status: ResponseStatus::Submitted,
                                inserted_at: Timestamp(0),
                                updated_at: Timestamp(0),
                            },
                        })
                    })
                    .collect(),
                suggestions: vec![],
            }
        })
        .collect();
    let mut agreement = Agreement::new(&schema);
    // Two batches, as the service folds them.
    let (first, second) = records.split_at(records.len() / 2);
    agreement.fold(first);
    agreement.fold(second);
    agreement.finish()
}

/// The case as `agreement.py` reads it: answers as option indices, values, index sets, rank
/// lists, `[start, end, label index]` lists or strings.
fn reference_case(case: &Case) -> Value {
    let names = option_names(case.k);
    let index = |v: &Value| names.iter().position(|n| Some(n.as_str()) == v.as_str()).unwrap();
    let answers: Vec<Vec<Value>> = case
        .answers
        .iter()
        .map(|row| {
            row.iter()
                .map(|answer| match answer {
                    None => Value::Null,
                    Some(v) => match case.kind {
                        "label_selection" => json!(index(v)),
                        "multi_label_selection" => json!(v.as_array().unwrap().iter().map(index).collect::<Vec<_>>()),
                        "ranking" => {
                            json!(v.as_array().unwrap().iter().map(|it| it["rank"].clone()).collect::<Vec<_>>())
                        }
                        "span" => json!(v
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|s| json!([s["start"], s["end"], index(&s["label"])]))
                            .collect::<Vec<_>>()),
                        _ => v.clone(),
                    },
                })
                .collect()
        })
        .collect();
    json!({"type": case.kind, "options": case.k, "values": case.values, "coders": case.coders,
           "answers": answers, "lengths": case.lengths})
}

fn run_reference(python: &str, cases: &[Value]) -> Vec<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input = std::env::temp_dir().join(format!("loam-agreement-cases-{}.json", std::process::id()));
    std::fs::write(&input, serde_json::to_vec(cases).unwrap()).unwrap();
    let output = Command::new(python)
        .arg(root.join("e2e/reference/agreement.py"))
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let _ = std::fs::remove_file(&input);
    assert!(output.status.success(), "agreement.py failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[derive(Default)]
struct Tally {
    defined: usize,
    undefined: usize,
}

fn compare(what: &str, ours: Option<f64>, theirs: Option<f64>, tally: &mut Tally, failures: &mut Vec<String>) {
    match (ours, theirs) {
        (Some(a), Some(b)) if (a - b).abs() <= TOLERANCE => tally.defined += 1,
        (None, None) => tally.undefined += 1,
        _ => failures.push(format!("{what}: loam {ours:?}, reference {theirs:?}")),
    }
}

#[test]
fn agreement_equals_the_reference_implementations() {
    let Ok(python) = std::env::var("LOAM_REFERENCE_PYTHON") else {
        eprintln!(
            "agreement_reference: opt-in; set LOAM_REFERENCE_PYTHON to a Python with \
             e2e/reference/requirements.txt (scripts/test.sh's `agreement` step does)"
        );
        return;
    };
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let cases: Vec<Case> = TYPES
        .iter()
        .flat_map(|kind| (0..CASES_PER_TYPE).map(|_| generate(&mut rng, kind)).collect::<Vec<_>>())
        .collect();
    let references = run_reference(&python, &cases.iter().map(reference_case).collect::<Vec<_>>());
    assert_eq!(references.len(), cases.len());

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for (n, (case, reference)) in cases.iter().zip(&references).enumerate() {
        let report = loam_report(case);
        let question = &report.questions[0];
        let expected = reference["metrics"].as_object().unwrap();
        assert_eq!(question.metrics.len(), expected.len(), "case {n} ({}): metrics differ", case.kind);
        for metric in &question.metrics {
            let key = match metric.variant {
                Some(variant) => format!("{}/{variant}", metric.name),
                None => metric.name.to_owned(),
            };
            let theirs = expected.get(&key).unwrap_or_else(|| panic!("case {n}: no reference for {key}"));
            let tally = tallies.entry(format!("{key} ({})", case.kind)).or_default();
            compare(
                &format!("case {n} {} {key}", case.kind),
                metric.figure.value,
                theirs.as_f64(),
                tally,
                &mut failures,
            );
        }
        let expected_pairs = reference["pairs"].as_object().unwrap();
        let ours: Vec<_> = question.pairs.iter().filter(|it| !it.metrics.is_empty()).collect();
        assert_eq!(ours.len(), expected_pairs.len(), "case {n} ({}): pairs differ", case.kind);
        for pair in ours {
            let key = pair.annotators.join("|");
            let theirs = &expected_pairs[&key];
            for metric in &pair.metrics {
                let variant = metric.variant.unwrap();
                let tally = tallies.entry(format!("cohen_kappa/{variant} ({})", case.kind)).or_default();
                let what = format!("case {n} {} {key} cohen_kappa/{variant}", case.kind);
                compare(&what, metric.figure.value, theirs[variant].as_f64(), tally, &mut failures);
            }
        }
    }
    eprintln!("figure (question type): equal and defined / undefined on both sides");
    for (key, tally) in &tallies {
        eprintln!("  {key}: {} defined, {} undefined", tally.defined, tally.undefined);
    }
    assert!(failures.is_empty(), "{} figures differ from the reference:\n{}", failures.len(), failures.join("\n"));
    for (key, tally) in &tallies {
        assert!(
            tally.defined + tally.undefined >= CASES_PER_TYPE,
            "{key}: only {} comparisons",
            tally.defined + tally.undefined
        );
        assert!(tally.defined > 0 && tally.undefined > 0, "{key}: the cases must cover defined and undefined figures");
    }
}
