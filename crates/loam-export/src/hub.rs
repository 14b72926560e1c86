//! A Hugging Face datasets folder: `data/train-00000-of-00001.parquet` and a `README.md` dataset
//! card. The card's YAML header declares the features (`dataset_info.features`, with the dtypes
//! the Parquet columns have), the split's row count and the `configs` entry that points the
//! `datasets` library at the data file; its body states the provenance. `load_dataset("parquet",
//! data_dir=…)` and `load_dataset(<folder>)` both load it.
//!
//! [`FolderWriter`] writes the folder on disk; [`TarWriter`] streams it as a tar archive whose
//! entries sit under one folder named by the card. A tar entry states its size before its bytes,
//! so the Parquet file is spooled to a temporary file and archived when the last row is in. The
//! archive is deterministic: mode 0644, owner 0, time 0, entries in a fixed order.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use loam_domain::table::{Column, ColumnType, Nested, Row};
use serde_json::Value;

use crate::columnar::ParquetWriter;
use crate::{Card, TableWriter};
use loam_domain::json_type::JsonType;

/// The data file's path inside the folder.
pub const DATA_FILE: &str = "data/train-00000-of-00001.parquet";

/// The dataset card of a folder holding `rows` rows of `columns` in a data file of `bytes` bytes.
pub fn card_text(columns: &[Column], card: &Card, rows: u64, bytes: u64) -> String {
    card_text_typed(columns, &[], card, rows, bytes)
}

/// [`card_text`] of a folder whose JSON columns named in `types` hold their values with that type
/// (`typed_json.rs`).
pub fn card_text_typed(columns: &[Column], types: &[(String, JsonType)], card: &Card, rows: u64, bytes: u64) -> String {
    let typed = |column: &Column| {
        types
            .iter()
            .find(|(name, ty)| column.ty == ColumnType::Json && *name == column.name && crate::typed_json::typed(ty))
            .map(|(_, ty)| ty)
    };
    let mut out = String::from("---\ndataset_info:\n  features:\n");
    for column in columns {
        out.push_str(&format!("  - name: {}\n", yaml_string(&column.name)));
        if let Some(ty) = typed(column) {
            crate::typed_json::yaml_feature(ty, 4, &mut out);
            continue;
        }
        out.push_str(match column.ty {
            ColumnType::Str | ColumnType::Json => "    dtype: string\n",
            ColumnType::Int => "    dtype: int64\n",
            ColumnType::Float => "    dtype: float64\n",
            ColumnType::Bool => "    dtype: bool\n",
            ColumnType::StrList => "    sequence: string\n",
            ColumnType::IntList => "    sequence: int64\n",
            ColumnType::FloatList => "    sequence: float64\n",
            ColumnType::Messages => {
                "    list:\n    - name: role\n      dtype: string\n    - name: content\n      dtype: string\n"
            }
            // As `datasets` writes the features `Dataset.from_dict` infers for these columns.
            ColumnType::Nested(Nested::StrLists) => "    sequence:\n      sequence: string\n",
            ColumnType::Nested(Nested::Floats) => "    sequence: float64\n",
            ColumnType::Nested(Nested::Spans) => {
                "    list:\n    - name: end\n      dtype: int64\n    - name: label\n      dtype: string\n    - name: start\n      dtype: int64\n"
            }
            ColumnType::Nested(Nested::SpanLists) => {
                "    list:\n      list:\n      - name: end\n        dtype: int64\n      - name: label\n        dtype: string\n      - name: start\n        dtype: int64\n"
            }
        });
    }
    out.push_str(&format!("  splits:\n  - name: train\n    num_bytes: {bytes}\n    num_examples: {rows}\n"));
    out.push_str("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n");
    out.push_str("---\n\n");
    out.push_str(&format!("# {}\n\n", card.title));
    out.push_str("Exported by loam from the annotations of its dataset. Load it with\n");
    out.push_str("`datasets.load_dataset(\"parquet\", data_dir=\"<this folder>\")`.\n\n");
    out.push_str("| | |\n|---|---|\n");
    for (key, value) in &card.provenance {
        out.push_str(&format!("| {} | {} |\n", table_text(key), table_text(value)));
    }
    out.push_str(&format!("| rows | {rows} |\n\n"));
    out.push_str("## Columns\n\n");
    for column in columns {
        if typed(column).is_some() {
            out.push_str(&format!(
                "- `{}`: typed from its values (JSON objects as structs)\n",
                column.name.replace('`', "'")
            ));
            continue;
        }
        let ty = match column.ty {
            ColumnType::Str => "string",
            ColumnType::Int => "int64",
            ColumnType::Float => "float64",
            ColumnType::Bool => "bool",
            ColumnType::StrList => "list of strings",
            ColumnType::IntList => "list of int64",
            ColumnType::FloatList => "list of float64",
            ColumnType::Messages => "chat messages (role, content)",
            ColumnType::Json => "JSON text",
            ColumnType::Nested(Nested::StrLists) => "list of lists of strings",
            ColumnType::Nested(Nested::Floats) => "list of float64",
            ColumnType::Nested(Nested::Spans) => "spans (end, label, start)",
            ColumnType::Nested(Nested::SpanLists) => "list of span lists (end, label, start)",
        };
        out.push_str(&format!("- `{}`: {ty}\n", column.name.replace('`', "'")));
    }
    out
}

/// A YAML double-quoted scalar: a JSON string is one.
fn yaml_string(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// Text that stays inside one markdown table cell.
fn table_text(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The folder on disk: the Parquet file as rows arrive, the card at the end.
pub struct FolderWriter {
    columns: Vec<Column>,
    types: Vec<(String, JsonType)>,
    card: Card,
    dir: PathBuf,
    data: Box<ParquetWriter<BufWriter<File>>>,
}

impl FolderWriter {
    /// Creates `dir` and `dir/data` when missing.
    pub fn new(columns: &[Column], card: Card, dir: &Path) -> io::Result<Self> {
        Self::typed(columns, Vec::new(), card, dir)
    }

    /// A folder whose JSON columns named in `types` hold their values with that type.
    pub fn typed(columns: &[Column], types: Vec<(String, JsonType)>, card: Card, dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir.join("data"))?;
        let file = BufWriter::with_capacity(1 << 16, File::create(dir.join(DATA_FILE))?);
        let data = Box::new(ParquetWriter::typed(columns, &types, file)?);
        Ok(FolderWriter { columns: columns.to_vec(), types, card, dir: dir.to_owned(), data })
    }
}

impl TableWriter for FolderWriter {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        self.data.write(row)
    }

    fn finish(self: Box<Self>) -> io::Result<u64> {
        let rows = self.data.finish()?;
        let bytes = std::fs::metadata(self.dir.join(DATA_FILE))?.len();
        std::fs::write(
            self.dir.join("README.md"),
            card_text_typed(&self.columns, &self.types, &self.card, rows, bytes),
        )?;
        Ok(rows)
    }
}

/// The folder as a tar stream.
pub struct TarWriter<W: Write> {
    columns: Vec<Column>,
    card: Card,
    spool: File,
    data: Box<ParquetWriter<BufWriter<File>>>,
    out: W,
}

impl<W: Write> TarWriter<W> {
    pub fn new(columns: &[Column], card: Card, out: W) -> io::Result<Self> {
        let spool = tempfile::tempfile()?;
        let data = Box::new(ParquetWriter::new(columns, BufWriter::with_capacity(1 << 16, spool.try_clone()?))?);
        Ok(TarWriter { columns: columns.to_vec(), card, spool, data, out })
    }
}

impl<W: Write> TableWriter for TarWriter<W> {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        self.data.write(row)
    }

    fn finish(self: Box<Self>) -> io::Result<u64> {
        let TarWriter { columns, card, mut spool, data, out } = *self;
        let rows = data.finish()?;
        let size = spool.seek(SeekFrom::End(0))?;
        spool.seek(SeekFrom::Start(0))?;
        let readme = card_text(&columns, &card, rows, size);
        let folder = if card.folder.is_empty() { "export".to_owned() } else { card.folder.clone() };
        let mut archive = tar::Builder::new(out);
        archive.mode(tar::HeaderMode::Deterministic);
        append_dir(&mut archive, &format!("{folder}/"))?;
        append_file(&mut archive, &format!("{folder}/README.md"), readme.len() as u64, readme.as_bytes())?;
        append_dir(&mut archive, &format!("{folder}/data/"))?;
        append_file(&mut archive, &format!("{folder}/{DATA_FILE}"), size, &mut spool)?;
        let mut out = archive.into_inner()?;
        out.flush()?;
        Ok(rows)
    }
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header
}

pub(crate) fn append_dir<W: Write>(archive: &mut tar::Builder<W>, path: &str) -> io::Result<()> {
    let mut header = header(tar::EntryType::Directory, 0, 0o755);
    archive.append_data(&mut header, path, io::empty())
}

pub(crate) fn append_file<W: Write>(
    archive: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    data: impl io::Read,
) -> io::Result<()> {
    let mut header = header(tar::EntryType::Regular, size, 0o644);
    archive.append_data(&mut header, path, data)
}
