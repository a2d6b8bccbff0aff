//! Optional persistence (`--data-dir`): the accepted OTLP requests, appended to segment files.
//!
//! Why this format: the store's in-memory layout changes as features land, but OTLP protobuf
//! is stable and is exactly what was received, so replaying segments through the normal
//! ingest path rebuilds any future layout. Appending is sequential and cheap; whole segments
//! are deleted oldest-first to keep the directory within the memory budget, mirroring
//! eviction. An embedded database would add a dependency and a second schema to migrate.
//!
//! Record: `[signal: u8][len: u32 LE][fnv1a32(payload): u32 LE][payload: protobuf]`. A torn
//! or corrupt tail (a crash mid-write) ends replay of that segment; it is counted, not fatal.

use super::sink::{
    ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, Signal,
};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read as _, Write as _};
use std::path::{Path, PathBuf};

/// A segment is closed and a new one started past this size.
const SEGMENT_BYTES: u64 = 32 * 1024 * 1024;

pub enum Batch {
    Traces(ExportTraceServiceRequest),
    Logs(ExportLogsServiceRequest),
    Metrics(ExportMetricsServiceRequest),
}

pub struct SegmentLog {
    dir: PathBuf,
    writer: Option<BufWriter<File>>,
    current: PathBuf,
    current_len: u64,
    max_total: u64,
    /// Records that could not be read back at open (torn or corrupt).
    pub damaged_records: u64,
    /// Write failures since open; persistence stops quietly only after being counted.
    pub write_errors: u64,
}

fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn segments(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("segment-") && n.ends_with(".otlp"))
        })
        .collect();
    files.sort();
    Ok(files)
}

impl SegmentLog {
    /// Opens `dir`, reads back every intact record, and starts a new segment for writing.
    pub fn open(dir: &Path, max_total: u64) -> std::io::Result<(Self, Vec<Batch>)> {
        fs::create_dir_all(dir)?;
        let mut batches = Vec::new();
        let mut damaged = 0;
        let files = segments(dir)?;
        for file in &files {
            let mut bytes = Vec::new();
            File::open(file)?.read_to_end(&mut bytes)?;
            damaged += read_records(&bytes, &mut batches);
        }
        let next = files
            .last()
            .and_then(|p| {
                p.file_stem()?
                    .to_str()?
                    .strip_prefix("segment-")?
                    .parse::<u64>()
                    .ok()
            })
            .map_or(1, |n| n + 1);
        let mut log = Self {
            dir: dir.to_owned(),
            writer: None,
            current: PathBuf::new(),
            current_len: 0,
            max_total: max_total.max(SEGMENT_BYTES),
            damaged_records: damaged,
            write_errors: 0,
        };
        log.start_segment(next)?;
        Ok((log, batches))
    }

    fn start_segment(&mut self, n: u64) -> std::io::Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush()?;
        }
        self.current = self.dir.join(format!("segment-{n:08}.otlp"));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.current)?;
        self.writer = Some(BufWriter::new(file));
        self.current_len = 0;
        self.trim()?;
        Ok(())
    }

    /// Deletes the oldest closed segments while the directory holds more than `max_total`.
    fn trim(&self) -> std::io::Result<()> {
        let files = segments(&self.dir)?;
        let mut total: u64 = files
            .iter()
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum();
        for f in files {
            if total <= self.max_total || f == self.current {
                break;
            }
            total -= f.metadata().map(|m| m.len()).unwrap_or(0);
            fs::remove_file(&f)?;
        }
        Ok(())
    }

    /// Appends one accepted request. Errors are counted; ingest does not fail because of them.
    pub fn write(&mut self, signal: Signal, payload: &[u8]) {
        let result = (|| -> std::io::Result<()> {
            let w = self
                .writer
                .as_mut()
                .ok_or_else(|| std::io::Error::other("segment closed"))?;
            w.write_all(&[signal as u8])?;
            w.write_all(&(payload.len() as u32).to_le_bytes())?;
            w.write_all(&fnv1a32(payload).to_le_bytes())?;
            w.write_all(payload)?;
            w.flush()?;
            self.current_len += 9 + payload.len() as u64;
            if self.current_len > SEGMENT_BYTES {
                let n = self
                    .current
                    .file_stem()
                    .and_then(|s| s.to_str()?.strip_prefix("segment-")?.parse::<u64>().ok())
                    .unwrap_or(0);
                self.start_segment(n + 1)?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.write_errors += 1;
            if self.write_errors == 1 {
                tracing::error!("cannot write to {}: {e}", self.dir.display());
            }
        }
    }
}

/// Decodes records until the end or the first damaged one; returns 1 if the tail was damaged.
fn read_records(mut bytes: &[u8], out: &mut Vec<Batch>) -> u64 {
    use prost::Message as _;
    while !bytes.is_empty() {
        if bytes.len() < 9 {
            return 1;
        }
        let signal = bytes[0];
        let len = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize;
        let sum = u32::from_le_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]);
        let Some(payload) = bytes.get(9..9 + len) else {
            return 1;
        };
        if fnv1a32(payload) != sum {
            return 1;
        }
        let batch = match signal {
            0 => ExportTraceServiceRequest::decode(payload).map(Batch::Traces),
            1 => ExportLogsServiceRequest::decode(payload).map(Batch::Logs),
            2 => ExportMetricsServiceRequest::decode(payload).map(Batch::Metrics),
            _ => return 1,
        };
        match batch {
            Ok(b) => out.push(b),
            Err(_) => return 1,
        }
        bytes = &bytes[9 + len..];
    }
    0
}
