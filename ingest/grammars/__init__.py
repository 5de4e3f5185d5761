"""yargy grammars, one module per kind of fact."""
