"""Benchmarks and the synthetic network generator of corridor_router."""
