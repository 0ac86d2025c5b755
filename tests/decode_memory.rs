//! The decoder's memory is bounded by the batch size and the largest row, not by the input.

use qlik_automl_predictions::decode::{DecodeErrorKind, DecodeOptions, Driver, Step};

const CHUNK: usize = 64 << 10;
const TOTAL: usize = 20 << 20;

/// Deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Appends one row of 4 columns: an id, a float, a short word and a quoted text with a
/// comma, a doubled quote and sometimes a line break or a non-ASCII character.
fn push_row(out: &mut Vec<u8>, i: u64, rng: &mut Rng) {
    let r = rng.next();
    let value = (r % 2_000_000) as f64 / 1e6 - 1.0;
    let word = ["alpha", "beta", "gamma", "delta"][(r >> 32) as usize % 4];
    let extra = match (r >> 40) % 8 {
        0 => "\nnext line",
        1 => " café 😀",
        _ => "",
    };
    let ending = if r >> 63 == 0 { "\n" } else { "\r\n" };
    let row = format!("{i},{value:.9},{word},\"note {i}, \"\"quoted\"\"{extra}\"{ending}");
    out.extend_from_slice(row.as_bytes());
}

#[test]
fn buffers_stay_bounded_on_a_20_mb_input() {
    let mut d = Driver::new(DecodeOptions { batch_rows: 1000, ..DecodeOptions::default() });
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pending = b"id,value,word,note\n".to_vec();
    let (mut produced, mut next_row, mut rows) = (0usize, 0u64, 0u64);
    let (mut max_early, mut max_all) = (0usize, 0usize);
    let mut number_sum = 0.0f64;
    let outcome = loop {
        match d.next_step() {
            Step::Batch => {
                let batch = d.batch();
                rows += batch.num_rows as u64;
                number_sum += batch.columns[1].numbers.iter().sum::<f64>();
                max_all = max_all.max(d.buffer_bytes());
            }
            Step::NeedInput if produced < TOTAL => {
                while pending.len() < CHUNK {
                    push_row(&mut pending, next_row, &mut rng);
                    next_row += 1;
                }
                d.push(&pending[..CHUNK]);
                pending.drain(..CHUNK);
                produced += CHUNK;
                max_all = max_all.max(d.buffer_bytes());
                if produced <= TOTAL / 10 {
                    max_early = max_all;
                }
            }
            Step::NeedInput => {
                // Complete the last generated row, then end.
                d.push(&std::mem::take(&mut pending));
                d.end();
            }
            outcome => break outcome,
        }
    };
    assert_eq!(outcome, Step::Done);
    assert_eq!(rows, next_row);
    assert!(number_sum.is_finite());
    println!("buffer bytes: {max_early} after 2 MB, {max_all} after 20 MB");
    // 1000 rows of about 60 bytes: well under 512 KiB, and no growth after the first 2 MB.
    assert!(max_all < 512 << 10, "buffers grew to {max_all} bytes");
    assert!(max_all <= max_early * 2, "buffers kept growing: {max_early} -> {max_all}");
}

/// Feeds `input` in 64 KiB chunks and ends it; returns the rows of each batch, the error
/// and the largest `buffer_bytes()` seen.
fn decode_measuring(input: &[u8], options: DecodeOptions) -> (Vec<usize>, Option<DecodeErrorKind>, usize) {
    let mut d = Driver::new(options);
    let mut chunks = input.chunks(CHUNK);
    let (mut batches, mut max_bytes) = (Vec::new(), 0usize);
    loop {
        let step = d.next_step();
        max_bytes = max_bytes.max(d.buffer_bytes());
        match step {
            Step::Batch => batches.push(d.batch().num_rows),
            Step::NeedInput => match chunks.next() {
                Some(chunk) => d.push(chunk),
                None => d.end(),
            },
            Step::Done => return (batches, None, max_bytes),
            Step::Failed(e) => return (batches, Some(e.kind), max_bytes),
        }
    }
}

#[test]
fn a_wide_numeric_file_is_cut_into_batches_by_memory() {
    // 20,000 columns of one-digit numbers: 40 KB of text per row, but 20,000 cells. A
    // 10,000-row batch would hold 200 million cells (over 1.6 GB); batches are cut by their
    // memory instead, so the buffers stay within tens of MiB.
    let width = 20_000;
    let mut input = (0..width).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",").into_bytes();
    input.push(b'\n');
    let row = vec!["7"; width].join(",");
    let rows = 600;
    for _ in 0..rows {
        input.extend_from_slice(row.as_bytes());
        input.push(b'\n');
    }
    let (batches, error, max_bytes) = decode_measuring(&input, DecodeOptions::default());
    assert_eq!(error, None);
    assert_eq!(batches.iter().sum::<usize>(), rows);
    assert!(batches.len() > 1, "one batch of {rows} rows");
    println!("wide file: {} batches, largest {} rows, buffers {max_bytes} bytes", batches.len(), batches[0]);
    assert!(max_bytes < 100 << 20, "buffers grew to {max_bytes} bytes");
}

#[test]
fn a_header_of_a_million_empty_names_is_refused_in_little_memory() {
    let mut input = vec![b','; 1_000_000];
    input.extend_from_slice(b"\n1\n");
    let (batches, error, max_bytes) = decode_measuring(&input, DecodeOptions::default());
    assert!(batches.is_empty());
    assert_eq!(error, Some(DecodeErrorKind::TooManyColumns { limit: 100_000 }));
    println!("1M empty names: buffers {max_bytes} bytes");
    // Field ends for at most max_columns + 1 fields, not for a million.
    assert!(max_bytes < 4 << 20, "buffers grew to {max_bytes} bytes");
}

#[test]
fn a_header_of_a_million_empty_names_costs_little_per_column() {
    // Allowed this time: a million columns, then no row, or one row of empty cells.
    let n = 1_000_000;
    let options = DecodeOptions { max_columns: 2_000_000, ..DecodeOptions::default() };
    let header = vec![b','; n - 1];
    let mut input = header.clone();
    input.push(b'\n');
    let (batches, error, header_only) = decode_measuring(&input, options.clone());
    assert_eq!((batches.len(), error), (0, None));
    input.extend_from_slice(&header);
    input.push(b'\n');
    let (batches, error, one_row) = decode_measuring(&input, options);
    assert_eq!((batches, error), (vec![1], None));
    let per_column = |bytes: usize| bytes as f64 / n as f64;
    println!(
        "1M empty names: {:.1} bytes per column alone, {:.1} with a row of empty cells",
        per_column(header_only),
        per_column(one_row)
    );
    // Alone, a name costs its `String` and a field end (pointer-sized things: half of this
    // on wasm32); no batch column is made before the first row.
    assert!(header_only <= 40 * n, "{header_only} bytes");
    // A row adds one column per name (four `Vec`s) and a cell in each.
    let column = std::mem::size_of::<qlik_automl_predictions::decode::Column>();
    assert!(one_row <= header_only + (column + 48) * n, "{one_row} bytes");
}
