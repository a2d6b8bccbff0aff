//! The six services of the demo shop and the OTLP `Resource` each one reports under.
//!
//! Call graph (every arrow is an HTTP call with a CLIENT span in the caller and a SERVER span in
//! the callee; databases are CLIENT spans of the service that owns them):
//!
//! ```text
//! frontend ─► catalog ─► postgresql (products)
//!          ─► cart ─► redis
//!          ─► checkout ─► cart ─► redis
//!                      ─► payment ─► card gateway (external, CLIENT span only)
//!                                 ─► ledger ─► postgresql (ledger_entries)
//!                      ─► postgresql (orders)
//! ```

use super::attributes;
use opentelemetry_proto::tonic::resource::v1::Resource;

/// A service of the demo shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Frontend,
    Catalog,
    Cart,
    Checkout,
    Payment,
    Ledger,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::Frontend,
        Service::Catalog,
        Service::Cart,
        Service::Checkout,
        Service::Payment,
        Service::Ledger,
    ];

    /// `service.name`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Frontend => "frontend",
            Self::Catalog => "catalog",
            Self::Cart => "cart",
            Self::Checkout => "checkout",
            Self::Payment => "payment",
            Self::Ledger => "ledger",
        }
    }

    /// `service.version`.
    pub fn version(self) -> &'static str {
        match self {
            Self::Frontend => "3.12.0",
            Self::Catalog => "1.8.4",
            Self::Cart => "2.0.1",
            Self::Checkout => "4.3.2",
            Self::Payment => "2.7.0",
            Self::Ledger => "1.1.9",
        }
    }

    /// `host.name`: what a pod name looks like.
    pub fn host_name(self) -> &'static str {
        match self {
            Self::Frontend => "frontend-6f9c7d5b8-x2kqp",
            Self::Catalog => "catalog-7b4d9f6c5-mz8rt",
            Self::Cart => "cart-5c8f7b9d4-q7wln",
            Self::Checkout => "checkout-84d6c9f7b-h4vzs",
            Self::Payment => "payment-9f5b6c8d7-t2jxm",
            Self::Ledger => "ledger-6d7c8b9f5-p9rkd",
        }
    }

    /// The port its HTTP server listens on (`server.port`).
    pub fn port(self) -> i64 {
        8080
    }

    /// Position in [`Service::ALL`], for per-service buckets.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The resource every span, log record and metric of this service is reported under.
    pub fn resource(self) -> Resource {
        Resource {
            attributes: vec![
                attributes::text("service.name", self.name()),
                attributes::text("service.namespace", "shop"),
                attributes::text("service.version", self.version()),
                // The current semantic-convention key, and the older one many backends and
                // dashboards still group by.
                attributes::text("deployment.environment.name", "demo"),
                attributes::text("deployment.environment", "demo"),
                attributes::text("host.name", self.host_name()),
            ],
            ..Default::default()
        }
    }
}
