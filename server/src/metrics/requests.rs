//! Requests by method, route and status class, and their latencies. The route is the
//! template axum matched (`/api/v1/zones/{id}`), never the path: ids in paths would make a
//! series per zone, person and badge, and so would methods nobody uses (they count as
//! `other`).

use super::Metrics;
use super::text::Text;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in seconds: 5 ms to 10 s.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route of a request that matched none (one series for every unknown path).
pub const UNMATCHED: &str = "unmatched";

/// What one route answered.
#[derive(Debug, Default)]
pub(super) struct RouteStats {
    /// Requests by method and status class.
    answered: BTreeMap<(&'static str, &'static str), u64>,
    /// Latencies by method.
    latency: BTreeMap<&'static str, Histogram>,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations per bucket, not cumulative; the last holds those above every bound.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        let bucket = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket] += 1;
        self.sum += secs;
        self.count += 1;
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// Counts and times every request. A layer on every route (`Router::layer` wraps each
/// one), outside the others, so it sees the matched route and also the answers of the
/// timeout and the body limit. The time is until the answer's head, not its last byte.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.request(
        method,
        route.as_deref().unwrap_or(UNMATCHED),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

impl Metrics {
    /// Counts one answered request.
    fn request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let mut routes = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        // The route's entry exists after its first request: only that one allocates.
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.to_owned()).or_default(),
        };
        *stats
            .answered
            .entry((method, status_class(status)))
            .or_default() += 1;
        stats
            .latency
            .entry(method)
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Writes the request counters and latency histograms.
    pub(super) fn write_requests(&self, text: &mut Text) {
        let routes = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let total = "gatehouse_http_requests_total";
        text.family(
            total,
            "counter",
            "HTTP requests answered, by method, route template and status class.",
        );
        for (route, stats) in routes.iter() {
            for ((method, status), n) in &stats.answered {
                text.sample(
                    total,
                    &[("method", method), ("route", route), ("status", status)],
                    n,
                );
            }
        }
        let duration = "gatehouse_http_request_duration_seconds";
        text.family(
            duration,
            "histogram",
            "Time to answer an HTTP request (to the answer's head), by method and route template.",
        );
        let bucket = format!("{duration}_bucket");
        let (sum, count) = (format!("{duration}_sum"), format!("{duration}_count"));
        for (route, stats) in routes.iter() {
            for (method, h) in &stats.latency {
                let mut cumulative = 0;
                for (i, n) in h.buckets.iter().enumerate() {
                    cumulative += n;
                    let le = BUCKETS.get(i).map_or("+Inf".to_owned(), f64::to_string);
                    text.sample(
                        &bucket,
                        &[("method", method), ("route", route), ("le", &le)],
                        cumulative,
                    );
                }
                let labels = [("method", *method), ("route", route.as_str())];
                text.sample(&sum, &labels, h.sum);
                text.sample(&count, &labels, h.count);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_cumulative_buckets() {
        let metrics = Metrics::default();
        for ms in [3, 5, 700, 20_000] {
            metrics.request("GET", "/r/{id}", 200, Duration::from_millis(ms));
        }
        metrics.request("GET", "/r/{id}", 404, Duration::from_millis(1));
        let mut text = Text::default();
        metrics.write_requests(&mut text);
        let text = text.into_string();
        let has = |line: &str| assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        has(r#"gatehouse_http_requests_total{method="GET",route="/r/{id}",status="2xx"} 4"#);
        has(r#"gatehouse_http_requests_total{method="GET",route="/r/{id}",status="4xx"} 1"#);
        let bucket =
            r#"gatehouse_http_request_duration_seconds_bucket{method="GET",route="/r/{id}",le="#;
        has(&format!(r#"{bucket}"0.005"}} 3"#));
        has(&format!(r#"{bucket}"0.5"}} 3"#));
        has(&format!(r#"{bucket}"1"}} 4"#));
        has(&format!(r#"{bucket}"10"}} 4"#));
        has(&format!(r#"{bucket}"+Inf"}} 5"#));
        has(r#"gatehouse_http_request_duration_seconds_sum{method="GET",route="/r/{id}"} 20.709"#);
        has(r#"gatehouse_http_request_duration_seconds_count{method="GET",route="/r/{id}"} 5"#);
    }

    #[test]
    fn status_classes_and_methods_are_bounded() {
        assert_eq!(status_class(101), "1xx");
        assert_eq!(status_class(308), "3xx");
        assert_eq!(status_class(599), "5xx");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
