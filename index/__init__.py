"""Getting articles in: load → chunk (exact char offsets) → embed → Chroma + BM25."""
