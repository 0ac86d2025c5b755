//! Decoder throughput on the files written by `scripts/gen-bench-data.mjs`.
//!
//! Each file is read into memory, then decoded `runs` times through a `Driver` in 64 KiB
//! chunks with `batch_rows` 10 000 (with type inference, without, and with adaptive batch
//! sizes), and read `runs` times by the `csv` crate into one reused `ByteRecord` for
//! comparison.
//!
//! Usage: cargo run --release --example decode_bench -- [dir] [runs] [filter]
//! (defaults: bench-data, 7; `filter` keeps the configurations whose label contains it, e.g.
//! `infer` to profile one).

use std::hint::black_box;
use std::time::Instant;

use qlik_automl_predictions::decode::{ColumnKind, DecodeOptions, Driver, Step};

const CHUNK: usize = 64 << 10;

/// Decodes `data` in chunks through `driver`; returns the data rows and a checksum over the
/// batches. Kept out of line, so that a profiler can count it alone.
#[inline(never)]
fn decode(data: &[u8], mut driver: Driver) -> (u64, f64) {
    let mut checksum = 0.0;
    let mut chunks = data.chunks(CHUNK);
    loop {
        match driver.next_step() {
            Step::Batch => {
                for column in &driver.batch().columns {
                    checksum += match column.kind {
                        ColumnKind::Number => column.numbers.first().copied().unwrap_or(0.0),
                        ColumnKind::String => column.text.len() as f64,
                    };
                }
            }
            Step::NeedInput => match chunks.next() {
                Some(chunk) => driver.push(chunk),
                None => driver.end(),
            },
            Step::Done => break,
            Step::Failed(e) => panic!("decode failed: {e}"),
        }
    }
    (driver.progress().rows_delivered, checksum)
}

/// Makes a fresh driver for one run.
type MakeDriver = Box<dyn Fn() -> Driver>;

/// A driver with adaptive batch sizes, timed by a monotonic clock.
fn adaptive(options: &DecodeOptions) -> Driver {
    let start = Instant::now();
    Driver::adaptive(options.clone(), move || start.elapsed().as_secs_f64() * 1e3)
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
    let filter = args.next().unwrap_or_default();
    println!("decode_bench: {CHUNK}-byte chunks, batch_rows 10000, {runs} runs, MB = 10^6 bytes");
    for name in ["shap.csv", "predictions.csv", "quoted.csv"] {
        let path = std::path::Path::new(&dir).join(name);
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{}: {e} (run `node scripts/gen-bench-data.mjs` first)", path.display());
                std::process::exit(1);
            }
        };
        println!("\n{} ({:.1} MB)", path.display(), data.len() as f64 / 1e6);
        let strings = DecodeOptions { infer_types: false, ..DecodeOptions::default() };
        let configs: Vec<(&str, MakeDriver)> = vec![
            ("decoder, infer_types", Box::new(|| Driver::new(DecodeOptions::default()))),
            ("decoder, strings only", Box::new(move || Driver::new(strings.clone()))),
            ("decoder, adaptive", Box::new(|| adaptive(&DecodeOptions::default()))),
        ];
        let configs: Vec<_> = configs.into_iter().filter(|(label, _)| label.contains(&filter)).collect();
        // Runs are interleaved so a change in machine load affects all configurations alike.
        let mut ours: Vec<Rates> = configs.iter().map(|_| Rates::default()).collect();
        let mut reference = Rates::default();
        for _ in 0..runs {
            for ((_, driver), rates) in configs.iter().zip(&mut ours) {
                rates.run(&data, |d| decode(d, driver()));
            }
            if filter.is_empty() {
                reference.run(&data, csv_crate);
            }
        }
        if !filter.is_empty() {
            for ((label, _), rates) in configs.iter().zip(&ours) {
                println!("  {label:<24} best {:7.1} MB/s  median {:7.1} MB/s", rates.best(), rates.median());
            }
            continue;
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
