//! The decode driver: chunks pushed as they arrive, batches and the final outcome pulled,
//! the error found at the end of input after the rows before it, flushes, adaptive batch
//! sizes and progress.

mod decode_support;

use decode_support::{adaptive_driver, assert_same_cells, decode_all_paths, drive, options, Cells};
use qlik_automl_predictions::decode::{
    BatchSizer, DecodeErrorKind, DecodeOptions, Driver, Progress, Step, FIRST_BATCH_ROWS, MAX_GROWTH,
};

/// Pulls until the driver needs input or is done; returns the rows of each batch.
fn pull(driver: &mut Driver) -> (Vec<usize>, Step) {
    let mut rows = Vec::new();
    loop {
        match driver.next_step() {
            Step::Batch => rows.push(driver.batch().num_rows),
            step => return (rows, step),
        }
    }
}

#[test]
fn an_open_quote_at_the_end_comes_after_the_rows_before_it() {
    let input = b"id,label,p0,p1\n10030,no,0.9,0.1\n10031,\"yes,0.5,0.5\n10032,no,0.1,0.9\n";
    for batch_rows in [1, 2, 1000] {
        let d = decode_all_paths(input, &options(batch_rows));
        assert_eq!(d.rows(), 1);
        let e = d.error.expect("an error");
        assert_eq!((e.kind, e.line, e.byte_offset), (DecodeErrorKind::UnterminatedQuote, 3, 32));
    }
    // Pulled step by step: the batch, then the error, then the error again.
    let mut driver = Driver::new(options(1000));
    driver.push(input);
    assert_eq!(pull(&mut driver), (vec![], Step::NeedInput));
    driver.end();
    assert_eq!(driver.next_step(), Step::Batch);
    assert_eq!(driver.batch().num_rows, 1);
    let Step::Failed(e) = driver.next_step() else { panic!("no error after the last batch") };
    assert_eq!(e.kind, DecodeErrorKind::UnterminatedQuote);
    assert_eq!(driver.next_step(), Step::Failed(e));
}

#[test]
fn a_short_last_record_without_line_break_is_reported() {
    let d = decode_all_paths(b"a,b\n1,2\n3,4\n5", &options(1000));
    assert_eq!(d.rows(), 2);
    let e = d.error.expect("an error");
    assert_eq!((e.kind, e.line, e.byte_offset), (DecodeErrorKind::FieldCount { expected: 2, found: 1 }, 4, 12));
}

#[test]
fn chunks_pushed_only_when_asked_and_progress() {
    let mut driver = Driver::new(options(2));
    assert_eq!(driver.next_step(), Step::NeedInput);
    assert_eq!(driver.progress(), Progress::default());
    driver.push(b"a,b\n1,");
    assert_eq!(driver.next_step(), Step::NeedInput);
    let p = driver.progress();
    assert_eq!((p.bytes_pushed, p.bytes_consumed, p.rows_parsed, p.columns), (6, 6, 0, Some(2)));
    assert_eq!(driver.columns(), Some(&["a".to_string(), "b".to_string()][..]));
    // Written straight into the driver's buffer.
    driver.push_with(8, |room| room.copy_from_slice(b"2\n3,4\n5,"));
    assert_eq!(driver.next_step(), Step::Batch);
    assert_eq!(driver.batch().num_rows, 2);
    assert_eq!(driver.next_step(), Step::NeedInput);
    let p = driver.progress();
    assert_eq!((p.bytes_pushed, p.rows_parsed, p.rows_delivered), (14, 2, 2));
    driver.push(b"6");
    driver.end();
    assert_eq!(driver.next_step(), Step::Batch);
    assert_eq!(driver.batch().row_offset, 2);
    assert_eq!(driver.next_step(), Step::Done);
    assert_eq!(driver.progress().rows_delivered, 3);
    // Input after the end is ignored.
    driver.push(b"7,8\n");
    assert_eq!(driver.next_step(), Step::Done);
    assert_eq!(driver.progress().bytes_pushed, 15);
}

#[test]
fn a_flush_hands_out_the_rows_so_far_and_keeps_the_open_record() {
    let mut driver = Driver::new(options(1000));
    driver.push(b"a,b\n1,x\n2,\"open");
    assert_eq!(driver.next_step(), Step::NeedInput);
    assert!(driver.flush());
    assert_eq!(driver.batch().num_rows, 1);
    assert!(!driver.flush());
    driver.push(b" quote\"\n3,");
    assert_eq!(driver.next_step(), Step::NeedInput);
    assert!(driver.flush());
    let batch = driver.batch();
    assert_eq!((batch.row_offset, batch.num_rows), (1, 1));
    assert_eq!(batch.columns[1].str(0), Some("open quote"));
    driver.push(b"y");
    driver.end();
    assert_eq!(driver.next_step(), Step::Batch);
    assert_eq!(driver.batch().columns[1].str(0), Some("y"));
    assert_eq!(driver.next_step(), Step::Done);
}

/// `rows` rows of an id and three numbers, 20 bytes or so each.
fn numeric_file(rows: usize) -> Vec<u8> {
    let mut out = b"id,x,y,z\n".to_vec();
    for i in 0..rows {
        out.extend_from_slice(format!("{i},{}.5,-{i}e-3,{}\n", i % 7, i * 3).as_bytes());
    }
    out
}

#[test]
fn adaptive_batches_start_small_and_grow_to_the_bound() {
    let input = numeric_file(30_000);
    let chunks: Vec<&[u8]> = input.chunks(64 << 10).collect();
    let fixed = drive(Driver::new(options(10_000)), &chunks);
    // A clock too coarse to see any time: sizes grow by MAX_GROWTH per batch.
    let adaptive = drive(adaptive_driver(&options(10_000), 0.0), &chunks);
    assert_same_cells(&fixed, &adaptive);
    let sizes: Vec<usize> = adaptive.batches.iter().map(|b| b.num_rows).collect();
    assert_eq!(sizes[0], FIRST_BATCH_ROWS);
    assert_eq!(&sizes[1..5], &[256, 1024, 4096, 10_000]);
    assert!(sizes.iter().all(|&n| n <= 10_000));
    // Each clock reading 1 ms after the one before: every call of `next` counts 1 ms. The
    // cells are the same, and no batch grows past MAX_GROWTH times the one before.
    let timed = drive(adaptive_driver(&options(10_000), 1.0), &chunks);
    assert_same_cells(&fixed, &timed);
    let sizes: Vec<usize> = timed.batches.iter().map(|b| b.num_rows).collect();
    for pair in sizes.windows(2) {
        assert!(pair[1] <= pair[0] * MAX_GROWTH, "{sizes:?}");
    }
}

#[test]
fn a_given_policy_sets_the_sizes_within_batch_rows() {
    // Every call of `next_step` takes 1 ms by the clock below; one chunk per call. With a
    // 10 ms target, batches grow to the rows of about ten chunks, never past batch_rows.
    let input = numeric_file(20_000);
    let chunks: Vec<&[u8]> = input.chunks(4096).collect();
    let now = std::cell::Cell::new(0.0);
    let clock = move || {
        now.set(now.get() + 0.5);
        now.get()
    };
    let sizer = BatchSizer::with_target(1_000_000, 10.0);
    let d = drive(Driver::with_sizer(options(3000), sizer, clock), &chunks);
    assert_same_cells(&drive(Driver::new(options(3000)), &chunks), &d);
    let sizes: Vec<usize> = d.batches.iter().map(|b| b.num_rows).collect();
    assert!(sizes.iter().all(|&n| n <= 3000), "{sizes:?}");
    assert!(sizes.contains(&3000), "{sizes:?}");
}

#[test]
fn the_first_batch_ends_with_the_first_chunk() {
    // The first chunk holds the header and 3 rows; they are handed out before more input.
    let input = numeric_file(500);
    let first = input.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(3).map(|(i, _)| i + 1).unwrap_or(0);
    let mut driver = adaptive_driver(&options(10_000), 0.0);
    driver.push(&input[..first + 2]);
    assert_eq!(driver.next_step(), Step::Batch);
    assert_eq!(driver.batch().num_rows, 3);
    assert_eq!(driver.next_step(), Step::NeedInput);
    // Later chunks fill batches of the size set by the policy (12 rows after a 3-row batch).
    driver.push(&input[first + 2..]);
    let (rows, step) = pull(&mut driver);
    assert_eq!(step, Step::NeedInput);
    assert_eq!(&rows[..3], &[12, 48, 192]);
    driver.end();
    let (rest, step) = pull(&mut driver);
    assert_eq!(step, Step::Done);
    assert_eq!(3 + rows.iter().sum::<usize>() + rest.iter().sum::<usize>(), 500);
}

#[test]
fn adaptive_batches_of_a_header_only_body_and_errors() {
    let d = drive(adaptive_driver(&options(10), 0.5), &[b"a,b\n"]);
    assert_eq!((d.columns.as_deref().map(<[String]>::len), d.rows(), d.error), (Some(2), 0, None));
    let d =
        drive(adaptive_driver(&DecodeOptions { batch_rows: 3, ..DecodeOptions::default() }, 0.5), &[b"a\n1\nx\n2\n"]);
    assert_eq!(d.rows(), 3);
    // The first batch ends at the record that turns the column String, which starts the
    // second: the chunk's other 2 rows.
    assert_eq!(d.batches.iter().map(|b| b.num_rows).collect::<Vec<_>>(), [1, 2]);
    assert!(matches!(d.batches[0].columns[0], Cells::Number(_)));
    assert!(matches!(d.batches[1].columns[0], Cells::String(_)));
}

#[test]
fn buffers_are_released_when_done() {
    let mut driver = Driver::new(options(10));
    driver.push(&numeric_file(100));
    driver.end();
    let (_, step) = pull(&mut driver);
    assert_eq!(step, Step::Done);
    // The input buffer is freed; the decoder's buffers are those of a 10-row batch.
    assert_eq!(driver.buffer_bytes(), driver.decoder().buffer_bytes());
    assert!(driver.buffer_bytes() < 16 << 10, "{}", driver.buffer_bytes());
}
