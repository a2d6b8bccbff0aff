//! OTLP/HTTP load generator: K tasks POST batches of synthetic spans (five services, eight
//! attributes a span; `signalscope::otlp::synthetic`) over loopback for N seconds, then it
//! prints spans/s, requests/s, MB/s, latency percentiles and any refusals.
//!
//! ```text
//! cargo run --release --example otlp_load -- http://127.0.0.1:4318/v1/traces --seconds 10 --tasks 4
//! cargo run --release --example otlp_load -- --embedded --tasks 8 --gzip
//! ```
//!
//! `--embedded` starts a receiver in this process (free loopback port, a sink that counts and
//! drops) and aims at it, to measure the receiver without the app.

use clap::Parser;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use signalscope::otlp::{Receiver, ReceiverConfig, synthetic};
use signalscope::store::{AppendOutcome, OverBudget, TelemetrySink};
use std::collections::BTreeMap;
use std::error::Error;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "POST synthetic OTLP trace batches to an OTLP/HTTP endpoint and report spans/s")]
struct Args {
    /// Full URL of the traces endpoint.
    #[arg(default_value = "http://127.0.0.1:4318/v1/traces")]
    url: String,
    /// How long to send.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent sending tasks (each with its own connection).
    #[arg(long, default_value_t = 4)]
    tasks: usize,
    /// Spans per request.
    #[arg(long, default_value_t = 512)]
    spans: usize,
    /// Gzip the bodies (Content-Encoding: gzip).
    #[arg(long)]
    gzip: bool,
    /// Send OTLP/JSON instead of protobuf.
    #[arg(long)]
    json: bool,
    /// Start a receiver in this process and send to it instead of URL.
    #[arg(long)]
    embedded: bool,
    /// With --embedded: store what arrives in a real local store (1 GiB budget) instead of
    /// counting and dropping it, to measure the whole ingest path.
    #[arg(long)]
    store: bool,
}

/// Counts spans and drops them, for `--embedded`.
#[derive(Default)]
struct CountingSink {
    spans: AtomicU64,
}

impl TelemetrySink for CountingSink {
    fn append_traces(
        &self,
        request: ExportTraceServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        let spans: usize = request
            .resource_spans
            .iter()
            .flat_map(|resource| &resource.scope_spans)
            .map(|scope| scope.spans.len())
            .sum();
        self.spans.fetch_add(spans as u64, Ordering::Relaxed);
        Ok(AppendOutcome {
            accepted: spans as u64,
            ..AppendOutcome::default()
        })
    }

    fn append_logs(&self, _: ExportLogsServiceRequest) -> Result<AppendOutcome, OverBudget> {
        Ok(AppendOutcome::default())
    }

    fn append_metrics(&self, _: ExportMetricsServiceRequest) -> Result<AppendOutcome, OverBudget> {
        Ok(AppendOutcome::default())
    }
}

/// What one task saw.
#[derive(Default)]
struct TaskReport {
    spans: u64,
    requests: u64,
    bytes: u64,
    /// Responses other than 200, by status ("error" for transport failures).
    refusals: BTreeMap<String, u64>,
    latencies: Vec<Duration>,
}

fn encode(batch: &ExportTraceServiceRequest, args: &Args) -> Result<Vec<u8>, Box<dyn Error>> {
    let body = if args.json {
        serde_json::to_vec(batch)?
    } else {
        batch.encode_to_vec()
    };
    if !args.gzip {
        return Ok(body);
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&body)?;
    Ok(encoder.finish()?)
}

async fn send_until(
    client: reqwest::Client,
    url: String,
    bodies: Arc<Vec<Vec<u8>>>,
    args: Arc<Args>,
    task: usize,
    deadline: Instant,
) -> TaskReport {
    let mut report = TaskReport::default();
    let content_type = if args.json {
        "application/json"
    } else {
        "application/x-protobuf"
    };
    let mut next = task;
    while Instant::now() < deadline {
        let body = bodies[next % bodies.len()].clone();
        next += 1;
        let length = body.len() as u64;
        let mut request = client
            .post(&url)
            .header("content-type", content_type)
            .body(body);
        if args.gzip {
            request = request.header("content-encoding", "gzip");
        }
        let started = Instant::now();
        let outcome = request.send().await;
        let status = match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                // Read the (small) response so the connection can be reused.
                let _ = response.bytes().await;
                status.to_string()
            }
            Err(error) => format!("error: {error}"),
        };
        report.latencies.push(started.elapsed());
        report.requests += 1;
        if status == "200" {
            report.spans += args.spans as u64;
            report.bytes += length;
        } else {
            *report.refusals.entry(status).or_insert(0) += 1;
        }
    }
    report
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Arc::new(Args::parse());
    let _ = rustls::crypto::ring::default_provider().install_default();

    let sink = Arc::new(CountingSink::default());
    let store = signalscope::store::LocalStore::new(1024 * 1024 * 1024);
    let target: Arc<dyn TelemetrySink> = if args.store {
        Arc::new(store.clone())
    } else {
        sink.clone()
    };
    let embedded = if args.embedded {
        let receiver = Receiver::start(
            ReceiverConfig::on_free_loopback_ports(),
            target,
            &tokio::runtime::Handle::current(),
        );
        let addr = receiver.http_status().local_addr().ok_or_else(|| {
            receiver
                .http_status()
                .describe(signalscope::otlp::Transport::Http)
        })?;
        Some((receiver, format!("http://{addr}/v1/traces")))
    } else {
        None
    };
    let url = match &embedded {
        Some((_, url)) => url.clone(),
        None => args.url.clone(),
    };

    // Several different batches, so consecutive requests are not byte-identical.
    let bodies = (0..16)
        .map(|seed| {
            encode(
                &synthetic::trace_batch(args.spans, 0x9e37_79b9 + seed),
                &args,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let average_body = bodies.iter().map(Vec::len).sum::<usize>() / bodies.len();
    println!(
        "{} tasks, {} s, {} spans per request ({average_body} bytes{}{}) -> {url}",
        args.tasks,
        args.seconds,
        args.spans,
        if args.json {
            ", OTLP/JSON"
        } else {
            ", protobuf"
        },
        if args.gzip { ", gzip" } else { "" },
    );
    let bodies = Arc::new(bodies);

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for task in 0..args.tasks {
        // One client (one connection pool) per task: K tasks, K connections.
        let client = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(1)
            .build()?;
        tasks.push(tokio::spawn(send_until(
            client,
            url.clone(),
            Arc::clone(&bodies),
            Arc::clone(&args),
            task,
            deadline,
        )));
    }
    let mut total = TaskReport::default();
    for task in tasks {
        let report = task.await?;
        total.spans += report.spans;
        total.requests += report.requests;
        total.bytes += report.bytes;
        for (status, count) in report.refusals {
            *total.refusals.entry(status).or_insert(0) += count;
        }
        total.latencies.extend(report.latencies);
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies.sort();

    println!(
        "{:.0} spans/s, {:.0} requests/s, {:.1} MB/s of bodies",
        total.spans as f64 / elapsed,
        total.requests as f64 / elapsed,
        total.bytes as f64 / elapsed / 1e6,
    );
    println!(
        "latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&total.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&total.latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&total.latencies, 1.0).as_secs_f64() * 1e3,
    );
    for (status, count) in &total.refusals {
        println!("not accepted: {count} x {status}");
    }
    if let Some((receiver, _)) = embedded {
        let stats = receiver.stats().snapshot().traces;
        println!(
            "embedded receiver: {} requests, {} spans received, {} malformed, {} spans in the sink",
            stats.requests,
            stats.items_received,
            stats.malformed_requests,
            sink.spans.load(Ordering::Relaxed)
        );
        if args.store {
            let s = store.stats();
            println!(
                "local store: {} spans stored, {} evicted, {:.0} MiB used",
                s.traces.stored,
                s.traces.evicted,
                s.bytes as f64 / (1024.0 * 1024.0)
            );
        }
        receiver.shutdown().await;
    }
    Ok(())
}
