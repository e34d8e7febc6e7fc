"""Tools: what builds, documents and tests the system (embedded servers, demo, docs and the
compatibility gate, examples, test fixtures). Not part of a service's production install."""
