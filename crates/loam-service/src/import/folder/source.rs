//! The records of a folder, read on a thread of their own and sent one by one through a bounded
//! channel, so memory stays flat however large the folder: `records.json` streamed element by
//! element over serde's sequence access (never the whole array as one `Value`), the Hub layout's
//! Parquet files record batch by record batch.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use loam_domain::argilla_folder::{disk_record, normalize, FolderRecord, FolderSettings};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc;

/// One record as read: its label for messages ("record 12 (id r1)") and the record, or why it
/// cannot be read.
pub struct Item {
    pub label: String,
    pub record: Result<FolderRecord, String>,
}

/// What the reader thread sends: an item, or a failure that ends the reading (a file that is
/// not what the layout says).
pub type Message = Result<Item, String>;

pub fn label(n: u64, record: Option<&FolderRecord>) -> String {
    match record.and_then(|it| it.external_id.as_deref()) {
        Some(id) => format!("record {n} (id {id})"),
        None => format!("record {n}"),
    }
}

/// Streams `records.json` into `tx`.
pub fn read_disk(path: PathBuf, settings: FolderSettings, tx: mpsc::Sender<Message>) {
    let result = File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display())).and_then(|file| {
        let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
        let visitor = Records { settings: &settings, tx: &tx };
        match (&mut de).deserialize_seq(visitor) {
            Ok(()) => de.end().map_err(|e| format!("{} has data after its array: {e}", path.display())),
            Err(e) if e.to_string().starts_with(STOPPED) => Ok(()),
            Err(e) => Err(format!("{} is not a JSON array of records: {e}", path.display())),
        }
    });
    if let Err(message) = result {
        let _ = tx.blocking_send(Err(message));
    }
}

/// The error a visitor returns when the receiver went away (the import stopped).
const STOPPED: &str = "loam: import stopped";

struct Records<'a> {
    settings: &'a FolderSettings,
    tx: &'a mpsc::Sender<Message>,
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0u64;
        while let Some(value) = seq.next_element::<Value>()? {
            n += 1;
            let record = disk_record(&value).map(|mut it| {
                normalize(&mut it, self.settings);
                it
            });
            let item = Item { label: label(n, record.as_ref().ok()), record };
            if self.tx.blocking_send(Ok(item)).is_err() {
                return Err(serde::de::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

/// The Parquet files of a Hub layout, in name order: every `*.parquet` below `dir` outside
/// hidden folders (`.argilla`, `.git`, `.cache`).
pub fn parquet_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|it| it == "parquet") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
