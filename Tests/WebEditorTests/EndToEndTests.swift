import Testing

/// The suites that time the server or load it heavily (a browser, fifty clients, latency
/// figures) run one after another, so that they do not skew one another's measurements.
@Suite(.serialized) struct EndToEndTests {}
