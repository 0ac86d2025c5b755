use qlik_automl_predictions::decode::{DecodeOptions, Decoder};
fn main() {
    let mut a = std::env::args().skip(1);
    let path = a.next().unwrap();
    let runs: usize = a.next().unwrap().parse().unwrap();
    let infer = a.next().map_or(true, |s| s == "infer");
    let data = std::fs::read(path).unwrap();
    for _ in 0..runs {
        let cpu0 = cpu();
        let t = std::time::Instant::now();
        let mut d = Decoder::new(DecodeOptions { infer_types: infer, ..Default::default() });
        for chunk in data.chunks(65536) {
            let mut rest = chunk;
            loop {
                let f = d.feed(rest).unwrap();
                rest = &rest[f.consumed..];
                if !f.batch_ready && rest.is_empty() { break; }
            }
        }
        while d.finish().unwrap() {}
        eprintln!("{:.1} MB/s wall, {:.1} MB/s cpu, rows {}", data.len() as f64 / 1e6 / t.elapsed().as_secs_f64(), data.len() as f64 * 1e3 / (cpu() - cpu0) as f64, d.rows_decoded());
    }
}

fn cpu() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat").unwrap().split_whitespace().next().unwrap().parse().unwrap()
}
