//! The writers against hand-made rows: exact JSONL and CSV text, Parquet read back with the
//! parquet crate's own reader, the folder's card and archive, and the same bytes on every run.

use std::io::Read;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use loam_domain::table::{Cell, Column, ColumnType, Message, Row};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::json;

use super::*;

fn columns() -> Vec<Column> {
    vec![
        Column::new("text", ColumnType::Str),
        Column::new("n", ColumnType::Int),
        Column::new("x", ColumnType::Float),
        Column::new("ok", ColumnType::Bool),
        Column::new("labels", ColumnType::StrList),
        Column::new("messages", ColumnType::Messages),
        Column::new("extra", ColumnType::Json),
        Column::new("ints", ColumnType::IntList),
        Column::new("floats", ColumnType::FloatList),
    ]
}

fn chat(pairs: &[(&str, &str)]) -> Cell {
    Cell::Messages(
        pairs.iter().map(|(role, content)| Message { role: (*role).into(), content: (*content).into() }).collect(),
    )
}

fn rows() -> Vec<Row> {
    vec![
        vec![
            Cell::Str("a, \"quoted\"\nline".into()),
            Cell::Int(-3),
            Cell::Float(0.5),
            Cell::Bool(true),
            Cell::StrList(vec!["x".into(), "y,z".into()]),
            chat(&[("user", "hi"), ("assistant", "hello")]),
            Cell::Json(json!({"k": [1, 2]})),
            Cell::IntList(vec![3, -1]),
            Cell::FloatList(vec![0.25, 1.0]),
        ],
        vec![Cell::Null; 9],
        vec![
            Cell::Str("".into()),
            Cell::Int(i64::MAX),
            Cell::Float(1.0),
            Cell::Bool(false),
            Cell::StrList(vec![]),
            chat(&[]),
            Cell::Json(json!("s")),
            Cell::IntList(vec![]),
            Cell::FloatList(vec![]),
        ],
    ]
}

fn write_all(format: Format, columns: &[Column], rows: &[Row]) -> Vec<u8> {
    let (tx, buf) = shared();
    let mut writer = stream_writer(format, columns, card(), tx).unwrap();
    for row in rows {
        writer.write(row).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), rows.len() as u64);
    let bytes = buf.lock().unwrap().clone();
    bytes
}

/// A `Write` whose bytes the test can read after the writer is gone.
fn shared() -> (SharedBuf, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    (SharedBuf(std::sync::Arc::clone(&buf)), buf)
}

struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn card() -> Card {
    Card {
        title: "reviews (sft)".into(),
        folder: "reviews-sft".into(),
        provenance: vec![("dataset".into(), "ws/reviews".into()), ("build id".into(), "abc|def".into())],
        argilla: Default::default(),
    }
}

#[test]
fn jsonl_is_one_object_per_line_in_column_order() {
    let text = String::from_utf8(write_all(Format::Jsonl, &columns(), &rows())).unwrap();
    let expected = [
        r#"{"text":"a, \"quoted\"\nline","n":-3,"x":0.5,"ok":true,"labels":["x","y,z"],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"extra":{"k":[1,2]},"ints":[3,-1],"floats":[0.25,1.0]}"#,
        r#"{"text":null,"n":null,"x":null,"ok":null,"labels":null,"messages":null,"extra":null,"ints":null,"floats":null}"#,
        r#"{"text":"","n":9223372036854775807,"x":1.0,"ok":false,"labels":[],"messages":[],"extra":"s","ints":[],"floats":[]}"#,
    ];
    assert_eq!(text, expected.iter().map(|it| format!("{it}\n")).collect::<String>());
}

#[test]
fn csv_quotes_what_it_must_and_writes_nested_cells_as_json() {
    let text = String::from_utf8(write_all(Format::Csv, &columns(), &rows())).unwrap();
    let expected = "text,n,x,ok,labels,messages,extra,ints,floats\n\
        \"a, \"\"quoted\"\"\nline\",-3,0.5,true,\"[\"\"x\"\",\"\"y,z\"\"]\",\"[{\"\"role\"\":\"\"user\"\",\"\"content\"\":\"\"hi\"\"},{\"\"role\"\":\"\"assistant\"\",\"\"content\"\":\"\"hello\"\"}]\",\"{\"\"k\"\":[1,2]}\",\"[3,-1]\",\"[0.25,1.0]\"\n\
        ,,,,,,,,\n\
        ,9223372036854775807,1.0,false,[],[],\"\"\"s\"\"\",[],[]\n";
    assert_eq!(text, expected);
    // And the csv crate's reader gets the cells back.
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "a, \"quoted\"\nline");
    assert_eq!(serde_json::from_str::<Value>(&first[4]).unwrap(), json!(["x", "y,z"]));
}

use serde_json::Value;

fn read_parquet(bytes: Vec<u8>) -> (Vec<RecordBatch>, usize) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
    let groups = builder.metadata().num_row_groups();
    let batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    (batches, groups)
}

#[test]
fn parquet_reads_back_with_its_types_and_nulls() {
    let (batches, _) = read_parquet(write_all(Format::Parquet, &columns(), &rows()));
    let batch = arrow_select_concat(&batches);
    assert_eq!(batch.num_rows(), 3);
    let schema = batch.schema();
    let types: Vec<String> = schema.fields().iter().map(|it| format!("{}", it.data_type())).collect();
    assert_eq!(types[0], "Utf8");
    assert_eq!(types[1], "Int64");
    assert_eq!(types[2], "Float64");
    assert_eq!(types[3], "Boolean");
    assert!(types[4].starts_with("List(") && types[4].contains("Utf8"), "{}", types[4]);
    assert!(types[5].contains("Struct") && types[5].contains("role") && types[5].contains("content"), "{}", types[5]);
    assert_eq!(types[6], "Utf8");

    let text = batch.column(0).as_string::<i32>();
    assert_eq!(text.value(0), "a, \"quoted\"\nline");
    assert!(text.is_null(1));
    assert_eq!(text.value(2), "");
    let n = batch.column(1).as_primitive::<Int64Type>();
    assert_eq!((n.value(0), n.is_null(1), n.value(2)), (-3, true, i64::MAX));
    let x = batch.column(2).as_primitive::<Float64Type>();
    assert_eq!((x.value(0), x.is_null(1), x.value(2)), (0.5, true, 1.0));
    let ok = batch.column(3).as_boolean();
    assert_eq!((ok.value(0), ok.is_null(1), ok.value(2)), (true, true, false));
    let labels = batch.column(4).as_list::<i32>();
    let first: Vec<String> = labels.value(0).as_string::<i32>().iter().map(|it| it.unwrap().to_owned()).collect();
    assert_eq!(first, ["x", "y,z"]);
    assert!(labels.is_null(1));
    assert_eq!(labels.value(2).len(), 0);
    let messages = batch.column(5).as_list::<i32>();
    let chat = messages.value(0);
    let chat = chat.as_struct();
    let roles = chat.column_by_name("role").unwrap().as_string::<i32>();
    let contents = chat.column_by_name("content").unwrap().as_string::<i32>();
    assert_eq!((roles.value(0), contents.value(0)), ("user", "hi"));
    assert_eq!((roles.value(1), contents.value(1)), ("assistant", "hello"));
    assert!(messages.is_null(1));
    assert_eq!(messages.value(2).len(), 0);
    let extra = batch.column(6).as_string::<i32>();
    assert_eq!(serde_json::from_str::<Value>(extra.value(0)).unwrap(), json!({"k": [1, 2]}));
    assert_eq!(extra.value(2), "\"s\"");
    let ints = batch.column(7).as_list::<i32>();
    assert_eq!(ints.value(0).as_primitive::<Int64Type>().values().to_vec(), [3, -1]);
    assert!(ints.is_null(1));
    assert_eq!(ints.value(2).len(), 0);
    let floats = batch.column(8).as_list::<i32>();
    assert_eq!(floats.value(0).as_primitive::<Float64Type>().values().to_vec(), [0.25, 1.0]);
    assert!(floats.is_null(1));
    assert!(types[7].contains("Int64") && types[8].contains("Float64"), "{types:?}");
}

fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "small files read back as one batch");
    batches[0].clone()
}

#[test]
fn parquet_row_groups_are_bounded_and_every_row_comes_back_in_order() {
    let columns = vec![Column::new("i", ColumnType::Int), Column::new("s", ColumnType::Str)];
    let n = ROWS_PER_GROUP * 2 + 5;
    let rows: Vec<Row> = (0..n as i64).map(|i| vec![Cell::Int(i), Cell::Str(format!("row {i}"))]).collect();
    let (batches, groups) = read_parquet(write_all(Format::Parquet, &columns, &rows));
    assert_eq!(groups, 3);
    let mut seen = Vec::new();
    for batch in &batches {
        let ints = batch.column(0).as_primitive::<Int64Type>();
        let texts = batch.column(1).as_string::<i32>();
        for i in 0..batch.num_rows() {
            assert_eq!(texts.value(i), format!("row {}", ints.value(i)));
            seen.push(ints.value(i));
        }
    }
    assert_eq!(seen, (0..n as i64).collect::<Vec<_>>());
}

/// The encodings of each column chunk of a Parquet file, by column path.
fn parquet_encodings(bytes: Vec<u8>) -> Vec<(String, Vec<parquet::basic::Encoding>)> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
    let mut res = Vec::new();
    for group in builder.metadata().row_groups() {
        for column in group.columns() {
            res.push((column.column_path().string(), column.encodings().clone()));
        }
    }
    res
}

#[test]
fn mostly_distinct_strings_go_without_a_dictionary_and_repeated_ones_keep_it() {
    use parquet::basic::Encoding;
    let columns = vec![
        Column::new("id", ColumnType::Str),
        Column::new("status", ColumnType::Str),
        Column::new("users", ColumnType::StrList),
    ];
    let rows: Vec<Row> = (0..3000)
        .map(|i| {
            vec![
                Cell::Str(format!("record-{i}")),
                Cell::Str(if i % 3 == 0 { "pending" } else { "completed" }.into()),
                Cell::StrList(vec!["ann".into(), "bob".into()]),
            ]
        })
        .collect();
    let bytes = write_all(Format::Parquet, &columns, &rows);
    let encodings = parquet_encodings(bytes.clone());
    let dictionary = |path: &str| {
        let (_, it) = encodings.iter().find(|(name, _)| name == path).unwrap();
        it.contains(&Encoding::RLE_DICTIONARY) || it.contains(&Encoding::PLAIN_DICTIONARY)
    };
    assert!(!dictionary("id"), "{encodings:?}");
    assert!(dictionary("status"), "{encodings:?}");
    assert!(dictionary("users.list.item"), "{encodings:?}");
    // Either way, the values come back as they went in.
    let (batches, _) = read_parquet(bytes);
    let mut n = 0;
    for batch in &batches {
        let ids = batch.column(0).as_string::<i32>();
        let statuses = batch.column(1).as_string::<i32>();
        for i in 0..batch.num_rows() {
            assert_eq!(ids.value(i), format!("record-{n}"));
            assert_eq!(statuses.value(i), if n % 3 == 0 { "pending" } else { "completed" });
            n += 1;
        }
    }
    assert_eq!(n, 3000);
}

#[test]
fn a_parquet_file_without_rows_holds_the_columns() {
    let bytes = write_all(Format::Parquet, &columns(), &[]);
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes.clone())).unwrap();
    let names: Vec<String> = builder.schema().fields().iter().map(|it| it.name().clone()).collect();
    assert_eq!(names, columns().iter().map(|it| it.name.clone()).collect::<Vec<_>>());
    let (batches, groups) = read_parquet(bytes);
    assert_eq!((batches.iter().map(RecordBatch::num_rows).sum::<usize>(), groups), (0, 0));
}

#[test]
fn same_rows_same_bytes_in_every_format() {
    for format in [Format::Jsonl, Format::Csv, Format::Parquet, Format::Hf] {
        let once = write_all(format, &columns(), &rows());
        let again = write_all(format, &columns(), &rows());
        assert!(!once.is_empty());
        assert!(once == again, "{format:?} wrote different bytes for the same rows");
        let mut other = rows();
        other[0][1] = Cell::Int(4);
        assert!(write_all(format, &columns(), &other) != once, "{format:?} ignored a changed cell");
    }
}

#[test]
fn the_tar_holds_the_card_and_the_same_parquet_file_under_one_folder() {
    let archive = write_all(Format::Hf, &columns(), &rows());
    let mut entries = Vec::new();
    let mut tar = tar::Archive::new(archive.as_slice());
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        assert_eq!(entry.header().mtime().unwrap(), 0);
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        entries.push((path, bytes));
    }
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["reviews-sft/", "reviews-sft/README.md", "reviews-sft/data/", "reviews-sft/data/train-00000-of-00001.parquet"]
    );
    let size = entries[3].1.len() as u64;
    assert_eq!(String::from_utf8(entries[1].1.clone()).unwrap(), card_text(&columns(), &card(), 3, size));
    assert_eq!(entries[3].1, write_all(Format::Parquet, &columns(), &rows()));
}

#[test]
fn the_card_lists_every_feature_with_its_dtype_and_the_provenance() {
    let text = card_text(&columns(), &card(), 3, 1234);
    let header = text.split("---\n").nth(1).unwrap();
    assert_eq!(
        header,
        "dataset_info:\n  features:\n\
         \x20 - name: \"text\"\n    dtype: string\n\
         \x20 - name: \"n\"\n    dtype: int64\n\
         \x20 - name: \"x\"\n    dtype: float64\n\
         \x20 - name: \"ok\"\n    dtype: bool\n\
         \x20 - name: \"labels\"\n    sequence: string\n\
         \x20 - name: \"messages\"\n    list:\n    - name: role\n      dtype: string\n    - name: content\n      dtype: string\n\
         \x20 - name: \"extra\"\n    dtype: string\n\
         \x20 - name: \"ints\"\n    sequence: int64\n\
         \x20 - name: \"floats\"\n    sequence: float64\n\
         \x20 splits:\n  - name: train\n    num_bytes: 1234\n    num_examples: 3\n\
         configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n"
    );
    assert!(text.contains("| dataset | ws/reviews |\n| build id | abc\\|def |\n| rows | 3 |\n"), "{text}");
}

#[test]
fn the_folder_on_disk_holds_the_data_file_and_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let mut writer = path_writer(Format::Hf, &columns(), card(), &path).unwrap();
    for row in rows() {
        writer.write(&row).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), 3);
    let data = std::fs::read(path.join(DATA_FILE)).unwrap();
    assert_eq!(data, write_all(Format::Parquet, &columns(), &rows()));
    let card_on_disk = std::fs::read_to_string(path.join("README.md")).unwrap();
    assert_eq!(card_on_disk, card_text(&columns(), &card(), 3, data.len() as u64));
}

#[test]
fn a_row_that_does_not_fit_its_columns_is_refused() {
    for format in [Format::Jsonl, Format::Csv, Format::Parquet] {
        let (out, _) = shared();
        let mut writer = stream_writer(format, &columns(), card(), out).unwrap();
        let mut row = rows().remove(0);
        row[1] = Cell::Str("3".into());
        assert_eq!(writer.write(&row).unwrap_err().kind(), io::ErrorKind::InvalidData, "{format:?}");
        assert_eq!(writer.write(&vec![Cell::Null]).unwrap_err().kind(), io::ErrorKind::InvalidData, "{format:?}");
    }
}

#[test]
fn formats_parse_by_name() {
    for name in Format::NAMES {
        assert_eq!(Format::parse(name).unwrap().name(), *name);
    }
    assert_eq!(Format::parse("xlsx"), None);
}
