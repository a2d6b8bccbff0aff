//! Interned services and operations: every span's (service, operation) as one `u32`, so the
//! aggregations (statistics, flame graph, diff) hash strings once per trace instead of once
//! per view. Operations are numbered in first-seen order.

use crate::model::Trace;
use rustc_hash::FxHashMap;

/// The distinct services and (service, operation) pairs of one or more traces.
#[derive(Clone, Debug, Default)]
pub struct OperationTable {
    services: Vec<String>,
    service_ids: FxHashMap<String, u32>,
    /// Service id and name of each operation.
    operations: Vec<(u32, String)>,
    /// Per service, its operation names → operation id.
    operation_ids: Vec<FxHashMap<String, u32>>,
}

impl OperationTable {
    /// Interns a trace's spans; returns the operation id of every span (indexed by span).
    pub fn intern(&mut self, trace: &Trace) -> Vec<u32> {
        // Consecutive spans often share a service; remember the last lookup.
        let mut last: Option<(&str, u32)> = None;
        trace
            .spans
            .iter()
            .map(|span| {
                let service = match last {
                    Some((name, id)) if name == span.service => id,
                    _ => {
                        let id = self.service_id(&span.service);
                        last = Some((&span.service, id));
                        id
                    }
                };
                let names = &mut self.operation_ids[service as usize];
                match names.get(span.name.as_str()) {
                    Some(&op) => op,
                    None => {
                        let op = self.operations.len() as u32;
                        names.insert(span.name.clone(), op);
                        self.operations.push((service, span.name.clone()));
                        op
                    }
                }
            })
            .collect()
    }

    fn service_id(&mut self, service: &str) -> u32 {
        if let Some(&id) = self.service_ids.get(service) {
            return id;
        }
        let id = self.services.len() as u32;
        self.services.push(service.to_owned());
        self.service_ids.insert(service.to_owned(), id);
        self.operation_ids.push(FxHashMap::default());
        id
    }

    /// Number of distinct operations.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Number of distinct services.
    pub fn service_count(&self) -> usize {
        self.services.len()
    }

    /// The service id of an operation.
    pub fn service_of(&self, operation: u32) -> u32 {
        self.operations[operation as usize].0
    }

    /// A service's name.
    pub fn service_name(&self, service: u32) -> &str {
        &self.services[service as usize]
    }

    /// An operation's name (without its service).
    pub fn operation_name(&self, operation: u32) -> &str {
        &self.operations[operation as usize].1
    }
}

/// One trace's spans with their operations interned: what the aggregations take.
#[derive(Clone, Debug, Default)]
pub struct TraceOperations {
    pub table: OperationTable,
    /// Operation id of every span.
    pub of_span: Vec<u32>,
}

impl TraceOperations {
    pub fn new(trace: &Trace) -> Self {
        let mut table = OperationTable::default();
        let of_span = table.intern(trace);
        Self { table, of_span }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    #[test]
    fn same_service_and_name_share_an_id_across_traces() {
        let t = |spans: &[(&str, &str)]| Trace {
            spans: spans
                .iter()
                .map(|&(s, n)| bare_span(None, s, n, 0, 1))
                .collect(),
            ..Trace::default()
        };
        let mut table = OperationTable::default();
        let a = table.intern(&t(&[("fe", "GET"), ("db", "GET"), ("fe", "GET")]));
        let b = table.intern(&t(&[("db", "GET"), ("fe", "POST")]));
        assert_eq!(a, vec![0, 1, 0]);
        assert_eq!(b, vec![1, 2]);
        assert_eq!((table.len(), table.service_count()), (3, 2));
        assert_eq!(table.service_name(table.service_of(2)), "fe");
        assert_eq!(table.operation_name(2), "POST");
        assert_eq!(table.service_name(table.service_of(1)), "db");
    }
}
