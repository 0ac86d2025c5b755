use csv_core::{Reader, ReadRecordResult};
fn cpu() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat").unwrap().split_whitespace().next().unwrap().parse().unwrap()
}
fn run(data: &[u8], arena_mode: bool) -> (u64, f64) {
    let c0 = cpu();
    let mut r = Reader::new();
    let mut out = vec![0u8; if arena_mode { 4 << 20 } else { 1 << 16 }];
    let mut ends = vec![0usize; if arena_mode { 1 << 20 } else { 1024 }];
    let (mut used, mut eused, mut rows) = (0usize, 0usize, 0u64);
    let (mut rl, mut rf) = (0, 0);
    for chunk in data.chunks(65536) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let (res, nin, nout, nend) = r.read_record(rest, &mut out[used + rl..], &mut ends[eused + rf..]);
            rest = &rest[nin..]; rl += nout; rf += nend;
            if res == ReadRecordResult::Record {
                rows += 1;
                if arena_mode { used += rl; eused += rf; if rows % 10000 == 0 { used = 0; eused = 0; } }
                rl = 0; rf = 0;
            }
        }
    }
    (rows, data.len() as f64 * 1e3 / (cpu() - c0) as f64)
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let data = std::fs::read(path).unwrap();
    for _ in 0..5 {
        let a = run(&data, false); let b = run(&data, true);
        eprintln!("small {:.0} MB/s  arena {:.0} MB/s rows {}", a.1, b.1, a.0);
    }
}
