//! Benchmark (not a test): DynamoDB calls per request for every route, counted by the SDK
//! interceptor, against moto_server. Prints a Markdown table.

#[tokio::main]
async fn main() {
    println!("| route | status | DynamoDB calls |");
    println!("|---|---|---|");
    for (route, status, calls) in portal_tests::routes::call_every_route().await {
        println!("| {route} | {status} | {calls} |");
    }
}
