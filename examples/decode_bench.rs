//! Decoder throughput on the files written by `scripts/gen-bench-data.mjs`.
//!
//! Each file is read into memory, then decoded `runs` times in 64 KiB chunks with
//! `batch_rows` 10 000 (with type inference, then without), and read `runs` times by the
//! `csv` crate into one reused `ByteRecord` for comparison.
//!
//! Usage: cargo run --release --example decode_bench -- [dir] [runs]
//! (defaults: bench-data, 7).

use std::hint::black_box;
use std::time::Instant;

use qlik_automl_predictions::decode::{ColumnKind, DecodeOptions, Decoder};

const CHUNK: usize = 64 << 10;

/// Decodes `data` in chunks; returns the data rows and a checksum over the batches.
fn decode(data: &[u8], options: &DecodeOptions) -> (u64, f64) {
    let mut d = Decoder::new(options.clone());
    let mut checksum = 0.0;
    let mut take = |d: &Decoder| {
        for column in &d.batch().columns {
            checksum += match column.kind {
                ColumnKind::Number => column.numbers.first().copied().unwrap_or(0.0),
                ColumnKind::String => column.text.len() as f64,
            };
        }
    };
    for chunk in data.chunks(CHUNK) {
        let mut rest = chunk;
        loop {
            let f = d.feed(rest).unwrap_or_else(|e| panic!("decode failed: {e}"));
            rest = &rest[f.consumed..];
            if f.batch_ready {
                take(&d);
            } else if rest.is_empty() {
                break;
            }
        }
    }
    while d.finish().unwrap_or_else(|e| panic!("decode failed: {e}")) {
        take(&d);
    }
    (d.rows_decoded(), checksum)
}

/// Reads `data` with the `csv` crate into one reused `ByteRecord`; returns the data rows.
fn csv_crate(data: &[u8]) -> (u64, f64) {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    let mut bytes = 0usize;
    while rdr.read_byte_record(&mut record).unwrap_or_else(|e| panic!("csv failed: {e}")) {
        rows += 1;
        bytes += record.as_slice().len();
    }
    (rows, bytes as f64)
}

/// Throughput figures of one configuration, in MB/s (10^6 bytes).
#[derive(Default)]
struct Rates {
    rates: Vec<f64>,
    rows: u64,
}

impl Rates {
    /// Times one run of `f` over `data`.
    fn run(&mut self, data: &[u8], f: impl Fn(&[u8]) -> (u64, f64)) {
        let started = Instant::now();
        let (rows, checksum) = f(black_box(data));
        let secs = started.elapsed().as_secs_f64();
        black_box(checksum);
        self.rows = rows;
        self.rates.push(data.len() as f64 / 1e6 / secs);
    }

    fn best(&self) -> f64 {
        self.rates.iter().copied().fold(0.0, f64::max)
    }

    fn median(&self) -> f64 {
        let mut sorted = self.rates.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "bench-data".to_string());
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7).max(1);
    println!("decode_bench: {CHUNK}-byte chunks, batch_rows 10000, {runs} runs, MB = 10^6 bytes");
    for name in ["shap.csv", "quoted.csv"] {
        let path = std::path::Path::new(&dir).join(name);
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{}: {e} (run `node scripts/gen-bench-data.mjs` first)", path.display());
                std::process::exit(1);
            }
        };
        println!("\n{} ({:.1} MB)", path.display(), data.len() as f64 / 1e6);
        let configs = [
            ("decoder, infer_types", DecodeOptions::default()),
            ("decoder, strings only", DecodeOptions { infer_types: false, ..DecodeOptions::default() }),
        ];
        // Runs are interleaved so a change in machine load affects all configurations alike.
        let mut ours: Vec<Rates> = configs.iter().map(|_| Rates::default()).collect();
        let mut reference = Rates::default();
        for _ in 0..runs {
            for ((_, options), rates) in configs.iter().zip(&mut ours) {
                rates.run(&data, |d| decode(d, options));
            }
            reference.run(&data, csv_crate);
        }
        for ((label, _), rates) in configs.iter().zip(&ours) {
            assert_eq!(rates.rows, reference.rows, "row counts differ from the csv crate");
            println!(
                "  {label:<24} best {:7.1} MB/s  median {:7.1} MB/s  {} rows  ({:.2}x csv crate best)",
                rates.best(),
                rates.median(),
                rates.rows,
                rates.best() / reference.best()
            );
        }
        println!(
            "  {:<24} best {:7.1} MB/s  median {:7.1} MB/s  {} rows",
            "csv crate ByteRecord",
            reference.best(),
            reference.median(),
            reference.rows
        );
    }
}
