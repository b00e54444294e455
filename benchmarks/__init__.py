"""cjm's benchmarks: ``make bench`` runs them and writes ``benchmarks/RESULTS.md``."""
