"""ingest: articles in, extractions out — readers, the natasha pipeline, grammars, resolution."""
