//! The SQL the builder renders for a few queries on each dialect: each engine gets its own
//! syntax and never the other's, with the arguments bound in order.

use loam_domain::query::TextMatch;
use loam_domain::{DatasetId, UserId};
use serde_json::json;
use uuid::Uuid;

use super::query::{Bound, Condition, RecordQuery, Target};
use super::sql::Sql;
use crate::db::Arg;
use crate::dialect::Dialect;

const DATASET: Uuid = Uuid::from_u128(1);
const QUESTION: Uuid = Uuid::from_u128(2);

/// The `from … where …` part and the arguments `query` renders as on `dialect`.
fn render(dialect: Dialect, query: &RecordQuery) -> (String, Vec<Arg>) {
    let mut sql = Sql::new(dialect);
    let text = sql.matching_records(DatasetId(DATASET), query, "");
    (text, sql.args)
}

fn filtered(cond: Condition) -> RecordQuery {
    RecordQuery { conditions: vec![cond], ..RecordQuery::default() }
}

#[test]
fn suggestion_terms_read_each_element_with_the_engines_json() {
    let query = filtered(Condition::Terms(Target::SuggestionValue(QUESTION), vec![json!("a"), json!(1)]));

    let (lite, args) = render(Dialect::Sqlite, &query);
    assert_eq!(
        lite,
        "from records r where r.dataset_id = $1 and exists (select 1 from suggestions g, json_each(g.value, $3) j \
         where g.record_id = r.id and g.question_id = $2 and j.value in ($4, $5))"
    );
    assert_eq!(args, [Arg::from(DATASET), Arg::from(QUESTION), Arg::from("$"), Arg::from("a"), Arg::from(1.0)]);
    assert!(!lite.contains("jsonb"), "{lite}");

    let (pg, args) = render(Dialect::Postgres, &query);
    assert_eq!(
        pg,
        "from records r where r.dataset_id = $1 and exists (select 1 from suggestions g, \
         jsonb_path_query(g.value, $3::jsonpath) j(value) \
         where g.record_id = r.id and g.question_id = $2 and j.value in ($4::jsonb, $5::jsonb))"
    );
    assert_eq!(
        args,
        [Arg::from(DATASET), Arg::from(QUESTION), Arg::from("lax $[*]"), Arg::from("\"a\""), Arg::from("1")]
    );
    assert!(!pg.contains("json_each"), "{pg}");
}

#[test]
fn response_value_ranges_read_a_nested_key_with_the_engines_json() {
    let mut query = filtered(Condition::Range(Target::ResponseValue("rating".into()), Some(Bound::Number(2.0)), None));
    query.only_user = Some(UserId(Uuid::from_u128(3)));

    let (lite, args) = render(Dialect::Sqlite, &query);
    let number = "(case when typeof(json_extract(s.answers, $3)) in ('integer', 'real') \
                  then json_extract(s.answers, $3) end)";
    assert_eq!(
        lite,
        format!(
            "from records r where r.dataset_id = $1 and exists (select 1 from responses s \
             where s.record_id = r.id and s.user_id = $2 and {number} is not null and {number} >= $4)"
        )
    );
    assert_eq!(args[2], Arg::from("$.\"rating\".\"value\""));
    assert_eq!(args.len(), 4);

    let (pg, args) = render(Dialect::Postgres, &query);
    let at = "((s.answers -> $3::text) -> $4::text)";
    let number = format!("(case when jsonb_typeof({at}) = 'number' then ({at})::float8 end)");
    assert_eq!(
        pg,
        format!(
            "from records r where r.dataset_id = $1 and exists (select 1 from responses s \
             where s.record_id = r.id and s.user_id = $2 and {number} is not null and {number} >= $5)"
        )
    );
    assert_eq!(args[2..4], [Arg::from("rating"), Arg::from("value")]);
    assert!(!pg.contains("json_extract") && !pg.contains("when typeof("), "{pg}");
}

#[test]
fn a_text_match_joins_fts5_on_sqlite_and_a_tsquery_on_postgres() {
    let query = RecordQuery {
        text: Some(TextMatch::Term { text: "Café".into(), prefix: false }),
        field_ordinal: Some(2),
        ..RecordQuery::default()
    };

    let (lite, args) = render(Dialect::Sqlite, &query);
    assert_eq!(
        lite,
        "from records r join (select rowid / 1024 as seq, -sum(rank) as score from record_fts \
         where record_fts match $2 and rowid % 1024 = $3 group by rowid / 1024) h on h.seq = r.seq \
         where r.dataset_id = $1"
    );
    assert_eq!(args[1..], [Arg::from("\"Café\""), Arg::from(2_i64)]);
    assert!(!lite.contains("tsquery") && !lite.contains("ts_rank"), "{lite}");

    let (pg, args) = render(Dialect::Postgres, &query);
    assert_eq!(
        pg,
        "from records r join (select t.record_seq as seq, sum(ts_rank(t.tsv, q.q))::float8 as score \
         from record_texts t, (select phraseto_tsquery('simple', $2) as q) q where t.tsv @@ q.q \
         and t.field_ordinal = $3 group by t.record_seq) h on h.seq = r.seq where r.dataset_id = $1"
    );
    // The query text is folded as the index folds texts.
    assert_eq!(args[1..], [Arg::from("cafe"), Arg::from(2_i64)]);
    assert!(!pg.contains("record_fts"), "{pg}");
}

#[test]
fn a_prefix_term_quotes_its_lexeme_on_postgres() {
    let query =
        RecordQuery { text: Some(TextMatch::Term { text: "o'br".into(), prefix: true }), ..RecordQuery::default() };
    let (pg, args) = render(Dialect::Postgres, &query);
    assert!(pg.contains("(select to_tsquery('simple', $2) as q)"), "{pg}");
    assert_eq!(args[1], Arg::from("'o''br':*"));
    let (lite, args) = render(Dialect::Sqlite, &query);
    assert!(lite.contains("record_fts match $2"), "{lite}");
    assert_eq!(args[1], Arg::from("\"o'br\"*"));
}

#[test]
fn record_ids_keep_the_dataset_term_out_of_sqlites_index_choice() {
    let query = filtered(Condition::Terms(Target::RecordId, vec![json!(Uuid::from_u128(9).to_string())]));
    let (lite, _) = render(Dialect::Sqlite, &query);
    assert_eq!(lite, "from records r where +r.dataset_id = $1 and r.id in ($2)");
    let (pg, _) = render(Dialect::Postgres, &query);
    assert_eq!(pg, "from records r where r.dataset_id = $1 and r.id in ($2)");
}

#[test]
fn metadata_reads_its_index_as_a_set_or_as_a_probe_per_text_match() {
    let cond = Condition::Terms(Target::Metadata("lang".into(), false), vec![json!("en")]);
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let (set, _) = render(dialect, &filtered(cond.clone()));
        assert_eq!(
            set,
            "from records r where r.dataset_id = $1 and r.seq in (select m.record_seq from record_metadata m \
             where m.dataset_id = $1 and m.name = $3 and m.term in ($2))"
        );
        let query = RecordQuery { text: Some(TextMatch::Phrase("hi".into())), ..filtered(cond.clone()) };
        let (probe, _) = render(dialect, &query);
        assert!(
            probe.ends_with(
                "exists (select 1 from record_metadata m where m.record_seq = r.seq and m.name = $4 and m.term in ($3))"
            ),
            "{probe}"
        );
    }
}

#[test]
fn json_paths_quote_keys_and_postgres_escapes_backslashes() {
    assert_eq!(Dialect::Sqlite.json_path(&["a\"b", "c\\d"]), "$.\"a\\\"b\".\"c\\d\"");
    assert_eq!(Dialect::Postgres.json_path(&["a\"b", "c\\d"]), "$.\"a\\\"b\".\"c\\\\d\"");
}

#[test]
fn engine_clauses_differ() {
    assert_eq!(Dialect::Sqlite.skip_locked(), "");
    assert_eq!(Dialect::Postgres.skip_locked(), "for update skip locked");
    assert_eq!(Dialect::Sqlite.json_text("j.value"), "json_quote(j.value)");
    assert_eq!(Dialect::Postgres.json_text("j.value"), "j.value::text");
    assert!(Dialect::Sqlite.text_index_keyed_by_seq());
    assert!(!Dialect::Postgres.text_index_keyed_by_seq());
}
