//! What the DynamoDB benchmarks (`bench-tickets`, `bench-projects`) share: the cost of one request
//! and the Markdown table comparing a small company with a large one.

use crate::{Answer, TestApp};

/// `(calls, items, bytes, read units)` a request cost, and its answer.
pub async fn cost<F: std::future::Future<Output = Answer>>(
    t: &TestApp,
    f: F,
) -> ([u64; 4], Answer) {
    let calls = t.app.dynamo_calls.get();
    let (items, bytes, units) = t.app.dynamo_reads.get();
    let answer = f.await;
    let (items2, bytes2, units2) = t.app.dynamo_reads.get();
    (
        [
            t.app.dynamo_calls.get() - calls,
            items2 - items,
            bytes2 - bytes,
            units2 - units,
        ],
        answer,
    )
}

/// The table of each request's cost for the small company (10) and the large one (`big`).
pub fn print_table(big: u64, small: &[(&str, [u64; 4])], large: &[(&str, [u64; 4])]) {
    println!(
        "| request | calls (10 / {big}) | items read (10 / {big}) | KiB read (10 / {big}) | read units ≤ (10 / {big}) |"
    );
    println!("|---|---|---|---|---|");
    for ((route, a), (_, b)) in small.iter().zip(large) {
        println!(
            "| {route} | {} / {} | {} / {} | {:.1} / {:.1} | {} / {} |",
            a[0],
            b[0],
            a[1],
            b[1],
            a[2] as f64 / 1024.0,
            b[2] as f64 / 1024.0,
            a[3],
            b[3]
        );
    }
}
