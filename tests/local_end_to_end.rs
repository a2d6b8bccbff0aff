//! An application instrumented with the Rust OpenTelemetry SDK, pointed at Signalscope's
//! receiver as it would be with OTEL_EXPORTER_OTLP_ENDPOINT, shows up in the Local source.

use opentelemetry::trace::{Tracer as _, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use signalscope::app::LocalServices;
use signalscope::cli::LocalOptions;
use signalscope::fetch::Runtime;
use signalscope::store::TraceQuery;
use std::time::{Duration, Instant};

#[test]
fn an_sdk_instrumented_app_shows_up_in_the_local_source_within_seconds() {
    let runtime = Runtime::new().unwrap();
    let local = LocalServices::start(
        &runtime,
        &LocalOptions {
            otlp_http_listen: "127.0.0.1:0".into(),
            otlp_grpc_listen: "127.0.0.1:0".into(),
            data_dir: None,
            store_budget_mib: 64,
            demo_workload: false,
        },
    );
    let addr = local.status().listeners[0]
        .1
        .clone()
        .expect("HTTP receiver listens");

    // The application's side: its own runtime, the SDK's HTTP/protobuf exporter (reqwest with
    // rustls, whose crypto provider our Runtime installed).
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _entered = client.enter();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("http://{addr}/v1/traces"))
        .build()
        .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("hello-app").build())
        .build();
    let tracer = provider.tracer("e2e");
    tracer.in_span("GET /hello", |_| {
        tracer.in_span("SELECT users", |_| {});
    });
    provider.force_flush().unwrap();

    let query = TraceQuery {
        service: Some("hello-app".into()),
        ..TraceQuery::default()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let found = local.store.find_traces(&query);
        if !found.is_empty() || Instant::now() > deadline {
            break found;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(found.len(), 1, "the trace reached the store");
    assert_eq!(found[0].root_name, "GET /hello");
    assert_eq!(found[0].span_count, 2);
    let trace = local.store.trace(found[0].trace_id).unwrap();
    let child = trace
        .spans
        .iter()
        .find(|s| s.name == "SELECT users")
        .unwrap();
    assert_eq!(
        child.parent.map(|p| trace.spans[p as usize].name.as_str()),
        Some("GET /hello")
    );
    provider.shutdown().unwrap();
}
