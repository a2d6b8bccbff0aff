//! One simulated user request through the demo shop: what each service does with it, which
//! services it calls, how it can fail, and what each service logs along the way.
//!
//! Pure and deterministic given the generator's state: it computes timestamps, it never sleeps
//! and never sends anything. The shapes of spans and log records are `span_recorder`'s business.

use super::attributes;
use super::random::SplitMix64;
use super::services::Service;
use super::span_recorder::{
    Database, Endpoint, Query, RecordedTrace, Reply, Severity, SpanId, SpanRecorder,
};
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};

/// Probability that a payment call fails while the incident is under way.
pub const INCIDENT_PAYMENT_ERROR_RATE: f64 = 0.30;
/// Probability that a payment call fails on an ordinary day.
const BASELINE_PAYMENT_ERROR_RATE: f64 = 0.01;
/// Probability that the card is declined (HTTP 402, a business outcome, not a server error).
const DECLINE_RATE: f64 = 0.03;

/// The page a user asks the frontend for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    ListProducts,
    GetProduct,
    ViewCart,
    Checkout,
}

impl Route {
    /// A route drawn with the shop's traffic mix: mostly browsing, a fifth checkouts.
    pub fn pick(rng: &mut SplitMix64) -> Route {
        let draw = rng.unit();
        if draw < 0.40 {
            Route::ListProducts
        } else if draw < 0.65 {
            Route::GetProduct
        } else if draw < 0.80 {
            Route::ViewCart
        } else {
            Route::Checkout
        }
    }
}

/// Simulates one request arriving at the frontend at `start_ns` (Unix nanoseconds).
/// `incident` makes the payment service slow and flaky.
pub fn simulate_request(rng: &mut SplitMix64, start_ns: u64, incident: bool) -> RecordedTrace {
    let request = UserRequest {
        route: Route::pick(rng),
        incident,
        user_id: rng.between(1_000, 9_999),
        product_id: rng.between(100, 999),
        order_id: rng.between(100_000, 999_999),
        amount: (rng.log_normal(48.0, 0.6) * 100.0).round() / 100.0,
    };
    let mut recorder = SpanRecorder::new(rng);
    let reply = frontend(&mut recorder, &request, start_ns);
    recorder.finish(reply.end_ns)
}

/// What the user asked for, shared by every service that handles it so their logs agree.
#[derive(Clone, Copy, Debug)]
struct UserRequest {
    route: Route,
    /// Whether the payment incident is under way.
    incident: bool,
    user_id: u64,
    product_id: u64,
    order_id: u64,
    amount: f64,
}

const POSTGRES_SHOP: Database = Database {
    system: "postgresql",
    namespace: "shop",
    address: "postgres.shop.svc",
    port: 5432,
};
const POSTGRES_LEDGER: Database = Database {
    system: "postgresql",
    namespace: "ledger",
    address: "postgres-ledger.shop.svc",
    port: 5432,
};
const REDIS_CARTS: Database = Database {
    system: "redis",
    namespace: "0",
    address: "redis.shop.svc",
    port: 6379,
};

/// The frontend: the root SERVER span. Turns any 5xx from downstream into 502.
fn frontend(rec: &mut SpanRecorder, request: &UserRequest, start_ns: u64) -> Reply {
    let user_id = request.user_id;
    let product_id = request.product_id;
    let endpoint = match request.route {
        Route::ListProducts => Endpoint::new("GET", "/api/products", "/api/products"),
        Route::GetProduct => Endpoint::new(
            "GET",
            "/api/products/{id}",
            format!("/api/products/{product_id}"),
        ),
        Route::ViewCart => Endpoint::new("GET", "/api/cart", "/api/cart"),
        Route::Checkout => Endpoint::new("POST", "/api/checkout", "/api/checkout"),
    };
    rec.serve(
        Service::Frontend,
        &endpoint,
        None,
        start_ns,
        |rec, span, t| {
            let t = rec.internal(Service::Frontend, span, t, "authenticate session", 0.6);
            let (downstream, reply) = match request.route {
                Route::ListProducts => (
                    Service::Catalog,
                    rec.call(
                        Service::Frontend,
                        span,
                        t,
                        Service::Catalog,
                        Endpoint::new("GET", "/products", "/products"),
                        |rec, span, t| catalog_list(rec, span, t),
                    ),
                ),
                Route::GetProduct => (
                    Service::Catalog,
                    rec.call(
                        Service::Frontend,
                        span,
                        t,
                        Service::Catalog,
                        Endpoint::new("GET", "/products/{id}", format!("/products/{product_id}")),
                        |rec, span, t| catalog_get(rec, request, span, t),
                    ),
                ),
                Route::ViewCart => (
                    Service::Cart,
                    rec.call(
                        Service::Frontend,
                        span,
                        t,
                        Service::Cart,
                        Endpoint::new("GET", "/carts/{user_id}", format!("/carts/{user_id}")),
                        |rec, span, t| cart_get(rec, span, t),
                    ),
                ),
                Route::Checkout => (
                    Service::Checkout,
                    rec.call(
                        Service::Frontend,
                        span,
                        t,
                        Service::Checkout,
                        Endpoint::new("POST", "/orders", "/orders"),
                        |rec, span, t| checkout_place_order(rec, request, span, t),
                    ),
                ),
            };
            let t = rec.internal(
                Service::Frontend,
                span,
                reply.end_ns,
                "render response",
                1.2,
            );
            let status = if reply.status >= 500 {
                502
            } else {
                reply.status
            };
            if status >= 500 {
                rec.log(
                    Service::Frontend,
                    span,
                    t,
                    Severity::Error,
                    format!(
                        "upstream {} failed: status={} user_id={user_id}",
                        downstream.name(),
                        reply.status
                    ),
                    vec![
                        attributes::text("peer.service", downstream.name()),
                        attributes::int("http.response.status_code", i64::from(reply.status)),
                    ],
                );
            } else {
                rec.log(
                    Service::Frontend,
                    span,
                    t,
                    Severity::Info,
                    format!(
                        "{} {} status={status} user_id={user_id}",
                        endpoint.method, endpoint.path
                    ),
                    vec![attributes::text("shop.user.id", user_id.to_string())],
                );
            }
            Reply { end_ns: t, status }
        },
    )
}

/// catalog `GET /products`: served from cache most of the time, else from PostgreSQL.
fn catalog_list(rec: &mut SpanRecorder, span: SpanId, start_ns: u64) -> Reply {
    let t = rec.internal(Service::Catalog, span, start_ns, "cache lookup", 0.3);
    if rec.rng().chance(0.7) {
        return Reply {
            end_ns: t,
            status: 200,
        };
    }
    let category = rec
        .rng()
        .pick(&["shoes", "jackets", "backpacks", "tents"])
        .copied()
        .unwrap_or("shoes");
    rec.log(
        Service::Catalog,
        span,
        t,
        Severity::Debug,
        format!("product cache miss category={category}"),
        vec![attributes::text("shop.product.category", category)],
    );
    let t = rec.query(
        Service::Catalog,
        span,
        t,
        &POSTGRES_SHOP,
        Query {
            operation: "SELECT",
            collection: "products",
            text: "SELECT id, name, price FROM products WHERE category = $1 LIMIT 50",
            median_ms: 6.0,
        },
    );
    Reply {
        end_ns: t,
        status: 200,
    }
}

/// catalog `GET /products/{id}`: one PostgreSQL lookup; a few products are gone (404).
fn catalog_get(
    rec: &mut SpanRecorder,
    request: &UserRequest,
    span: SpanId,
    start_ns: u64,
) -> Reply {
    let product_id = request.product_id;
    let t = rec.query(
        Service::Catalog,
        span,
        start_ns,
        &POSTGRES_SHOP,
        Query {
            operation: "SELECT",
            collection: "products",
            text: "SELECT id, name, price, stock FROM products WHERE id = $1",
            median_ms: 2.5,
        },
    );
    if rec.rng().chance(0.02) {
        rec.log(
            Service::Catalog,
            span,
            t,
            Severity::Info,
            format!("product not found product_id={product_id}"),
            vec![attributes::int("shop.product.id", product_id as i64)],
        );
        return Reply {
            end_ns: t,
            status: 404,
        };
    }
    Reply {
        end_ns: t,
        status: 200,
    }
}

/// cart `GET /carts/{user_id}`: one Redis read.
fn cart_get(rec: &mut SpanRecorder, span: SpanId, start_ns: u64) -> Reply {
    let t = rec.query(
        Service::Cart,
        span,
        start_ns,
        &REDIS_CARTS,
        Query {
            operation: "HGETALL",
            collection: "",
            text: "HGETALL cart:?",
            median_ms: 0.6,
        },
    );
    Reply {
        end_ns: t,
        status: 200,
    }
}

/// checkout `POST /orders`: validate, read the cart, charge the card, store the order.
/// A failed charge becomes 502, a declined one 402.
fn checkout_place_order(
    rec: &mut SpanRecorder,
    request: &UserRequest,
    span: SpanId,
    start_ns: u64,
) -> Reply {
    let UserRequest {
        user_id,
        order_id,
        amount,
        ..
    } = *request;
    let order_attributes = || {
        vec![
            attributes::int("shop.order.id", order_id as i64),
            attributes::text("shop.user.id", user_id.to_string()),
        ]
    };
    let t = rec.internal(Service::Checkout, span, start_ns, "validate order", 1.5);
    let cart = rec.call(
        Service::Checkout,
        span,
        t,
        Service::Cart,
        Endpoint::new("GET", "/carts/{user_id}", format!("/carts/{user_id}")),
        |rec, span, t| cart_get(rec, span, t),
    );
    let t = cart.end_ns + rec.gap();
    let payment = rec.call(
        Service::Checkout,
        span,
        t,
        Service::Payment,
        Endpoint::new("POST", "/charges", "/charges"),
        |rec, span, t| payment_charge(rec, request, span, t),
    );
    let t = payment.end_ns + rec.gap();
    match payment.status {
        200 => {
            let t = rec.query(
                Service::Checkout,
                span,
                t,
                &POSTGRES_SHOP,
                Query {
                    operation: "INSERT",
                    collection: "orders",
                    text: "INSERT INTO orders (id, user_id, amount, status) VALUES ($1, $2, $3, $4)",
                    median_ms: 3.0,
                },
            );
            let mut attributes = order_attributes();
            attributes.push(attributes::double("shop.order.amount", amount));
            rec.log(
                Service::Checkout,
                span,
                t,
                Severity::Info,
                format!("order placed order_id={order_id} amount={amount:.2} currency=EUR"),
                attributes,
            );
            Reply {
                end_ns: t,
                status: 200,
            }
        }
        402 => {
            rec.log(
                Service::Checkout,
                span,
                t,
                Severity::Warn,
                format!("order rejected: payment declined order_id={order_id}"),
                order_attributes(),
            );
            Reply {
                end_ns: t,
                status: 402,
            }
        }
        status => {
            let mut attributes = order_attributes();
            attributes.extend([
                attributes::text("exception.type", "PaymentUnavailableError"),
                attributes::text(
                    "exception.message",
                    format!("payment service answered {status}"),
                ),
            ]);
            rec.log(
                Service::Checkout,
                span,
                t,
                Severity::Error,
                format!("order failed: payment service answered {status} order_id={order_id}"),
                attributes,
            );
            Reply {
                end_ns: t,
                status: 502,
            }
        }
    }
}

/// payment `POST /charges`: fraud check, the card gateway, then the ledger. During the
/// incident the gateway is 5–10× slower and ~30 % of charges fail with 503.
fn payment_charge(
    rec: &mut SpanRecorder,
    request: &UserRequest,
    span: SpanId,
    start_ns: u64,
) -> Reply {
    let UserRequest {
        order_id, amount, ..
    } = *request;
    let order_attributes = || {
        vec![
            attributes::int("shop.order.id", order_id as i64),
            attributes::double("shop.payment.amount", amount),
            attributes::text("shop.payment.currency", "EUR"),
        ]
    };
    let t = rec.internal(Service::Payment, span, start_ns, "fraud check", 2.5);

    let outcome = if request.incident && rec.rng().chance(INCIDENT_PAYMENT_ERROR_RATE) {
        ChargeOutcome::Failed(GATEWAY_TIMEOUT)
    } else if rec.rng().chance(BASELINE_PAYMENT_ERROR_RATE) {
        ChargeOutcome::Failed(IDEMPOTENCY_CONFLICT)
    } else if rec.rng().chance(DECLINE_RATE) {
        ChargeOutcome::Declined
    } else {
        ChargeOutcome::Captured
    };
    let t = card_gateway(rec, request, span, t, outcome);

    match outcome {
        ChargeOutcome::Captured => {
            let ledger = rec.call(
                Service::Payment,
                span,
                t,
                Service::Ledger,
                Endpoint::new("POST", "/entries", "/entries"),
                |rec, span, t| ledger_record(rec, span, t),
            );
            rec.log(
                Service::Payment,
                span,
                ledger.end_ns,
                Severity::Info,
                format!("charge captured order_id={order_id} amount={amount:.2} currency=EUR"),
                order_attributes(),
            );
            Reply {
                end_ns: ledger.end_ns + rec.gap(),
                status: if ledger.status < 400 { 200 } else { 500 },
            }
        }
        ChargeOutcome::Declined => {
            let mut attributes = order_attributes();
            attributes.push(attributes::text(
                "shop.payment.decline_reason",
                "insufficient_funds",
            ));
            rec.log(
                Service::Payment,
                span,
                t,
                Severity::Warn,
                format!("charge declined: insufficient funds order_id={order_id}"),
                attributes,
            );
            Reply {
                end_ns: t,
                status: 402,
            }
        }
        ChargeOutcome::Failed(failure) => {
            let ChargeFailure {
                exception_type,
                message,
                status,
                ..
            } = failure;
            let mut attributes = order_attributes();
            attributes.extend([
                attributes::text("exception.type", exception_type),
                attributes::text("exception.message", message),
                attributes::text(
                    "exception.stacktrace",
                    format!(
                        "{exception_type}: {message}\n    at payment::gateway::charge (gateway.rs:214)\n    at payment::handlers::create_charge (handlers.rs:88)"
                    ),
                ),
            ]);
            rec.log(
                Service::Payment,
                span,
                t,
                Severity::Error,
                format!("charge failed: {message} order_id={order_id}"),
                attributes,
            );
            Reply { end_ns: t, status }
        }
    }
}

/// The external card gateway: a CLIENT span with no SERVER span behind it. The incident
/// makes it 5–10× slower.
fn card_gateway(
    rec: &mut SpanRecorder,
    request: &UserRequest,
    parent: SpanId,
    start_ns: u64,
    outcome: ChargeOutcome,
) -> u64 {
    let mut draft = rec.open(
        Service::Payment,
        SpanKind::Client,
        "POST /v1/charges".to_owned(),
        Some(parent),
        start_ns,
    );
    let slowdown = if request.incident {
        rec.rng().uniform(5.0, 10.0)
    } else {
        1.0
    };
    let end_ns = start_ns + rec.work(42.0 * slowdown, 0.35);
    let status = match outcome {
        ChargeOutcome::Captured => 200,
        ChargeOutcome::Declined => 402,
        ChargeOutcome::Failed(failure) => failure.gateway_status,
    };
    draft.attributes.extend([
        attributes::text("http.request.method", "POST"),
        attributes::text("url.full", "https://api.cardgateway.example/v1/charges"),
        attributes::text("server.address", "api.cardgateway.example"),
        attributes::int("server.port", 443),
        attributes::int("http.response.status_code", i64::from(status)),
    ]);
    if let ChargeOutcome::Failed(failure) = outcome {
        draft.events.push(Event {
            time_unix_nano: end_ns,
            name: "exception".to_owned(),
            attributes: vec![
                attributes::text("exception.type", failure.exception_type),
                attributes::text("exception.message", failure.message),
            ],
            ..Default::default()
        });
    }
    // Semantic conventions: a CLIENT span is an error for any 4xx or 5xx.
    let error = (status >= 400).then(|| {
        draft
            .attributes
            .push(attributes::text("error.type", status.to_string()));
        match outcome {
            ChargeOutcome::Failed(failure) => failure.message.to_owned(),
            ChargeOutcome::Captured | ChargeOutcome::Declined => String::new(),
        }
    });
    rec.close(draft, end_ns, error);
    end_ns
}

/// ledger `POST /entries`: one PostgreSQL insert.
fn ledger_record(rec: &mut SpanRecorder, span: SpanId, start_ns: u64) -> Reply {
    let t = rec.query(
        Service::Ledger,
        span,
        start_ns,
        &POSTGRES_LEDGER,
        Query {
            operation: "INSERT",
            collection: "ledger_entries",
            text: "INSERT INTO ledger_entries (order_id, amount, currency) VALUES ($1, $2, $3)",
            median_ms: 2.0,
        },
    );
    Reply {
        end_ns: t,
        status: 201,
    }
}

/// How the card gateway answered one charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChargeOutcome {
    Captured,
    Declined,
    Failed(ChargeFailure),
}

/// A charge that failed: what payment logs and answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ChargeFailure {
    exception_type: &'static str,
    message: &'static str,
    /// What the card gateway answered.
    gateway_status: u16,
    /// What payment answers checkout.
    status: u16,
}

/// The incident's failure: the gateway is overloaded and times out.
const GATEWAY_TIMEOUT: ChargeFailure = ChargeFailure {
    exception_type: "GatewayTimeoutError",
    message: "card gateway answered 504 Gateway Timeout",
    gateway_status: 504,
    status: 503,
};

/// The everyday failure: a retried charge collides with itrec.
const IDEMPOTENCY_CONFLICT: ChargeFailure = ChargeFailure {
    exception_type: "IdempotencyConflictError",
    message: "card gateway rejected a duplicate idempotency key",
    gateway_status: 409,
    status: 500,
};
